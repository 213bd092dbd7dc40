"""The coverage dashboard in a real browser: the city regulator opens it, the charts are drawn, the
figures on the page equal the API's, and the drill-down reaches a district's work list.

Drives Debian's Chromium through Playwright, as tests/browser/test_shell.py does.
"""

import os

import pytest

from tests.browser.journeys import CHROMIUM, CHROMIUM_ARGS, PASSWORD, watch_csp

pytestmark = pytest.mark.browser

CHARTS = ("gauge", "map", "districts", "places", "groups", "models", "forecast")

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright (pip install playwright; the browser comes from apt)"
)
if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"needs Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)", allow_module_level=True
    )


@pytest.fixture
def city_regulator(transactional_db):
    from tests.reporting.dashboard_scene import build_scene
    from tests.utils.world import make_world

    world = make_world()
    build_scene(world)
    user = world.users["city"]
    user.set_password(PASSWORD)
    user.first_name = "李华"
    user.save()
    return user


@pytest.fixture
def page(city_regulator, live_server):
    """A fresh phone-sized browser page (the dashboards must work on a phone); every request stays on
    the portal and succeeds. Data fixtures come first: under Playwright the ORM is refused."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="zh-CN", base_url=live_server.url, viewport={"width": 414, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        violations = watch_csp(context, page)
        foreign, failed, errors = [], [], []
        page.on(
            "request",
            lambda r: None if r.url.startswith((live_server.url, "data:")) else foreign.append(r.url),
        )
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        assert violations == [], "Content Security Policy violations"
        assert foreign == [], "requests outside the portal"
        assert failed == [], "failed requests"
        assert errors == [], "script errors on the page"
        context.close()
        browser.close()


def test_city_regulator_reads_the_dashboard_and_drills_down_to_a_work_list(page, city_regulator, tmp_path):
    expect = sync_api.expect
    page.goto("/login/?next=/coverage/")
    page.fill("input[name=username]", city_regulator.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.tb-form button[type=submit]")
    expect(page.get_by_role("heading", name="电梯安全责任保险投保率")).to_be_visible()

    for key in CHARTS:  # each chart drawn (a canvas inside, ECharts' "finished")
        chart = page.locator(f'[data-chart="{key}"]')
        expect(chart).to_have_attribute("data-rendered", "true")
        expect(chart.locator("canvas")).to_have_count(1)
    page.screenshot(path=tmp_path / "coverage-overview.png", full_page=True)

    api = page.request.get("/api/v1/coverage/?by=district").json()
    expect(page.get_by_test_id("total-in-scope")).to_have_text(str(api["total"]["in_scope"]))
    expect(page.get_by_test_id("total-insured")).to_have_text(str(api["total"]["insured"]))
    expect(page.get_by_test_id("total-rate")).to_have_text(f"{api['total']['rate'] * 100:.1f}%")
    fancheng = next(row for row in api["rows"] if row["key"] == "420606")
    row = page.get_by_test_id("table-districts").locator('tr[data-key="420606"]')
    expect(row.locator("td").nth(3)).to_have_text(f"{fancheng['rate'] * 100:.1f}%")

    # city → 樊城区 → the work list of its uninsured elevators
    row.get_by_role("link").click()
    expect(page.get_by_test_id("drill-path")).to_contain_text("樊城区")
    expect(page.get_by_test_id("total-in-scope")).to_have_text(str(fancheng["in_scope"]))
    page.get_by_test_id("worklist-link").click()
    expect(page.get_by_role("heading", name="未投保电梯清单")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(fancheng["in_scope"] - fancheng["insured"])
    expect(page.locator("table tbody")).to_contain_text("脱保")
    expect(page.locator("table tbody")).to_contain_text("从未投保")
    page.screenshot(path=tmp_path / "coverage-worklist.png", full_page=True)


@pytest.fixture
def monthly_report(city_regulator, settings, tmp_path):
    """Last month frozen, approved and published, with the city regulator's (SAMR) report built."""
    from datetime import timedelta

    from django.utils import timezone

    from reporting.services import (
        month_approve,
        month_freeze,
        month_publish,
        report_generate,
        reports_request,
    )

    settings.MEDIA_ROOT = tmp_path / "media"
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    frozen, _computed = month_freeze(user=city_regulator, month=last_month)
    month_approve(user=city_regulator, frozen_month=frozen)
    month_publish(user=city_regulator, frozen_month=frozen, reports=False)
    (run,) = reports_request(user=city_regulator, frozen_month=frozen, departments=["SAMR"], enqueue=False)
    return report_generate(report_run_id=run.pk)


def test_city_regulator_downloads_a_monthly_report(monthly_report, city_regulator, page, tmp_path):
    import openpyxl

    expect = sync_api.expect
    page.goto("/login/?next=/reports/")
    page.fill("input[name=username]", city_regulator.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.tb-form button[type=submit]")
    expect(page.get_by_test_id("report-row")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_test_id("report-download").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert len(workbook.sheetnames) >= 5  # summary, districts, place categories, work list, ...
    page.screenshot(path=tmp_path / "reports.png", full_page=True)
