"""The UI shell in a real browser: sign-in, the role's home page, the notice bell, the language switch,
sign-out, and the lock-out page after repeated wrong passwords.

Drives Debian's Chromium through Playwright (no `playwright install`: the browser comes from apt).
"""

import os
import re

import pytest
from django.conf import settings
from django.utils import timezone

from tests.browser.journeys import CHROMIUM, CHROMIUM_ARGS, PASSWORD, watch_csp

pytestmark = pytest.mark.browser

SIGN_IN_FIRST = re.compile(r"/login/\?next=/$")

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright (pip install playwright; the browser comes from apt)"
)
if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"needs Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)", allow_module_level=True
    )


@pytest.fixture
def insurer_user(transactional_db):
    from accounts.models import Notice, Organisation, User
    from accounts.validators import credit_code_check_character

    first17 = "91420600MA4K8B7C2"
    organisation = Organisation.objects.create(
        kind=Organisation.Kind.INSURER,
        name="中国人民财产保险股份有限公司襄阳市分公司",
        credit_code=first17 + credit_code_check_character(first17),
    )
    user = User.objects.create_user(
        "picc-xy", password=PASSWORD, organisation=organisation, first_name="王明"
    )
    Notice.objects.create(recipient_organisation=organisation, subject="保单即将到期，请及时续保")
    Notice.objects.create(recipient_organisation=organisation, subject="新的维保服务记录待确认")
    Notice.objects.create(recipient_organisation=organisation, subject="已读的旧通知", read_at=timezone.now())
    return user


@pytest.fixture
def page(insurer_user, live_server):
    """A fresh browser page. It starts after the data fixtures: while Playwright's sync API runs, the
    thread counts as async and Django refuses ORM calls, so the test body only drives the browser."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A browser set to Chinese, as the portal's users' are; the language switch is tested below.
        context = browser.new_context(locale="zh-CN", base_url=live_server.url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        violations = watch_csp(context, page)
        # Every request goes to the portal itself (no CDN: government networks are often closed)
        # and succeeds, assets included. 429 is the lock-out page, which one test asks for.
        foreign, failed = [], []

        def check_request(request):
            if not request.url.startswith((live_server.url, "data:")):
                foreign.append(request.url)

        def check_response(response):
            if response.status >= 400 and response.status != 429:
                failed.append(f"{response.status} {response.url}")

        page.on("request", check_request)
        page.on("response", check_response)
        yield page
        assert violations == [], "Content Security Policy violations"
        assert foreign == [], "requests outside the portal"
        assert failed == [], "failed requests"
        context.close()
        browser.close()


def sign_in(page, username, password):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.tb-form button[type=submit]")


def test_insurer_signs_in_sees_home_switches_language_and_signs_out(page, insurer_user, tmp_path):
    expect = sync_api.expect

    page.goto("/")
    expect(page).to_have_url(SIGN_IN_FIRST)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="用户登录")).to_be_visible()

    sign_in(page, insurer_user.username, PASSWORD)
    expect(page.get_by_role("heading", name="您好，王明")).to_be_visible()
    expect(page.get_by_test_id("role-label")).to_have_text("保险机构")
    expect(page.get_by_text("本机构的产品、保单、理赔、服务及所承保电梯")).to_be_visible()
    expect(page.get_by_text("电梯困人救援电话")).to_be_visible()
    expect(page.get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")
    # Two unread notices of the organisation; the read one does not count.
    expect(page.get_by_test_id("notice-bell").get_by_test_id("unread-count")).to_have_text("2")
    page.screenshot(path=tmp_path / "home.png", full_page=True)

    catalogue = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.mo"
    assert catalogue.exists(), "English is not compiled: run `make messages` (manage.py compilemessages)"
    page.get_by_test_id("language-switch").click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Hello, 王明")).to_be_visible()
    expect(page.get_by_test_id("role-label")).to_have_text("Insurer")
    expect(page.get_by_text("Elevator entrapment rescue hotline")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_FIRST)


def test_sixth_attempt_after_five_wrong_passwords_shows_the_lock_out_page(page, insurer_user):
    expect = sync_api.expect

    for _ in range(5):
        sign_in(page, insurer_user.username, "not-the-password")
    with page.expect_response(lambda response: response.request.method == "POST") as sixth:
        sign_in(page, insurer_user.username, PASSWORD)
    assert sixth.value.status == 429

    locked = page.get_by_test_id("locked-out")
    expect(locked.get_by_role("heading", name="登录已暂时锁定")).to_be_visible()
    expect(locked.get_by_test_id("lock-reason")).to_contain_text(
        f"账号“{insurer_user.username}”在您当前的网络地址连续 5 次密码错误，已在此地址暂时锁定；其他地址不受影响。"
    )
    expect(locked.get_by_test_id("lock-until")).to_contain_text("请在 30 分钟后（")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
