"""The public card and the printable sign in a real browser: the safety state is the first thing on
the screen, and the sign keeps its rescue code beside the QR code and everything inside the A5 page.

Drives Debian's Chromium through Playwright, as tests/browser/test_shell.py does.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.journeys import watch_csp
from tests.browser.test_shell import CHROMIUM, CHROMIUM_ARGS, sync_api

pytestmark = pytest.mark.browser


@pytest.fixture
def elevators(transactional_db):
    from elevators.models import PlaceCategory
    from tests.elevators.factories import ElevatorFactory

    # A transactional test flushes the data migration's rows; put back the one the factory uses.
    PlaceCategory.objects.get_or_create(code="RESIDENTIAL", defaults={"name": "住宅小区"})
    scrapped = ElevatorFactory(status="scrapped", site_name="春园小区", address="樊城区春园路8号3栋")
    lapsed = ElevatorFactory(next_inspection_due=timezone.localdate() - timedelta(days=3))
    return {"scrapped": scrapped, "lapsed": lapsed}


@pytest.fixture
def phone(elevators, live_server):
    """A phone-sized page (the card is read in the car, on a phone). Started after the data, as in
    test_shell: while Playwright's sync API runs, Django refuses ORM calls in this thread."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="zh-CN", base_url=live_server.url, viewport={"width": 390, "height": 844}
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        violations = watch_csp(context, page)
        failed = []
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        yield page
        assert violations == [], "Content Security Policy violations"
        assert failed == [], "failed requests"
        context.close()
        browser.close()


def test_the_card_of_a_scrapped_elevator_opens_on_stop(phone, elevators, tmp_path):
    expect = sync_api.expect
    scrapped = elevators["scrapped"]
    phone.goto(f"/e/{scrapped.rescue_code}/")  # the rescue code finds the card too
    state = phone.get_by_test_id("safety-state")
    expect(state).to_have_attribute("data-state", "scrapped")
    expect(state).to_contain_text("停止使用")
    expect(state).to_contain_text("这部电梯已报废，请勿乘坐。")
    # On the first screen, above the elevator's facts.
    box, card = state.bounding_box(), phone.get_by_test_id("public-card").bounding_box()
    assert box["y"] + box["height"] <= card["y"] and box["y"] + box["height"] < 844
    expect(phone.get_by_test_id("rescue-code")).to_contain_text(scrapped.rescue_code)
    expect(phone.get_by_test_id("rescue-phone")).to_contain_text("963333")
    phone.screenshot(path=tmp_path / "card-scrapped.png", full_page=True)


def test_the_sign_of_a_lapsed_elevator_keeps_everything_on_the_a5_page(phone, elevators, tmp_path):
    expect = sync_api.expect
    lapsed = elevators["lapsed"]
    phone.set_viewport_size({"width": 800, "height": 1100})
    phone.goto(f"/e/{lapsed.equipment_code}/sign/")
    expect(phone.get_by_test_id("safety-state")).to_contain_text("停止使用")
    sign = phone.get_by_test_id("sign").bounding_box()
    qr = phone.locator(".tb-sign-qr .tb-qr").bounding_box()
    code = phone.get_by_test_id("rescue-code").bounding_box()
    # Beside the QR code: on the same band, to its right.
    assert code["x"] >= qr["x"] + qr["width"]
    assert code["y"] < qr["y"] + qr["height"] and qr["y"] < code["y"] + code["height"]
    expect(phone.get_by_test_id("rescue-code")).to_contain_text(lapsed.rescue_code)
    # The sign clips what overflows its A5 box: the footer must still be inside it.
    footer = phone.locator(".tb-sign-footer").bounding_box()
    assert footer["y"] + footer["height"] <= sign["y"] + sign["height"]
    phone.screenshot(path=tmp_path / "sign-lapsed.png", full_page=True)
