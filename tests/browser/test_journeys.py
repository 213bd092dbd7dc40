"""End-to-end journeys in a real browser (Debian's Chromium through Playwright) against a live server,
one per kind of person the plan serves: a property manager insures two elevators and the district
regulator sees the district's coverage rise; an insurer uploads claims from Excel and updates one; a
maintenance company records a visit and the public card shows it; the city regulator imports the
registry, reads the dashboard down to a work list and downloads the monthly report; a passenger
opens the card from its QR link without signing in.

Every page of every journey is held to tests/browser/journeys.py's rules (no Content Security Policy
violation, no failed or foreign request, no script error); the figures asserted are counted from the
data each journey creates. Screenshots: $TIBAO_ARTIFACTS/<journey>/ (default var/artifacts/).
"""

import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.journeys import CHROMIUM, PASSWORD

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright (pip install playwright; the browser comes from apt)"
)
if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"needs Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)", allow_module_level=True
    )

expect = sync_api.expect
TODAY = timezone.localdate()


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    """The cast (tests.utils.world) with known passwords; uploads under tmp_path; tasks (imports,
    reports) run in the request that queues them, as on the embedded default."""
    from config.celery_app import app
    from tests.config.tenants import _reference_data
    from tests.utils.world import make_world

    settings.MEDIA_ROOT = tmp_path / "media"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    _reference_data()  # a transactional test flushes the data migration's place categories
    cast = make_world()
    for user in cast.users.values():
        user.set_password(PASSWORD)
        user.save()
    yield cast
    app.conf.task_always_eager = eager


def test_a_property_manager_insures_two_elevators_and_the_district_coverage_rises(journey, world):
    from tests.elevators.factories import ElevatorFactory
    from tests.insurance.factories import policy, product_version

    manager = world.orgs["pm_fancheng"]
    version = product_version(world.orgs["insurer_a"], code="A-LIAB")
    garden = [
        ElevatorFactory(district=world.fancheng, user_unit=manager, site_name="汉江花园") for _ in range(5)
    ]
    policy(version, garden[:1], start=TODAY - timedelta(days=30))  # 1 of 5 insured: 20.0%

    regulator = journey.signed_in(world.users["district"], next_url="/coverage/")
    expect(regulator.get_by_test_id("total-in-scope")).to_have_text("5")
    expect(regulator.get_by_test_id("total-insured")).to_have_text("1")
    expect(regulator.get_by_test_id("total-rate")).to_have_text("20.0%")
    journey.shot(regulator, "district-coverage-before")

    page = journey.signed_in(world.users["pm_fancheng"], next_url="/policies/register/")
    page.check(f"#elevator-{garden[1].pk}")
    page.check(f"#elevator-{garden[2].pk}")
    journey.shot(page, "elevators-chosen")
    page.get_by_test_id("to-terms").click()
    page.select_option("select[name=product]", str(version.product_id))
    page.fill("input[name=start_date]", TODAY.isoformat())
    page.get_by_test_id("to-quote").click()
    expect(page.get_by_test_id("quote")).to_contain_text(garden[1].equipment_code)
    journey.shot(page, "quote")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_text("投保成功")).to_be_visible()
    journey.shot(page, "policy-registered")

    regulator.reload()  # 3 of 5 insured now
    expect(regulator.get_by_test_id("total-insured")).to_have_text("3")
    expect(regulator.get_by_test_id("total-rate")).to_have_text("60.0%")
    journey.shot(regulator, "district-coverage-after")
    # A chart's tooltip is drawn under the policy too (on the canvas: HTML tooltips carry style
    # attributes); a violation would fail the journey.
    forecast = regulator.locator('[data-chart="forecast"]')
    forecast.scroll_into_view_if_needed()
    box = forecast.bounding_box()
    regulator.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5)
    regulator.wait_for_function(
        "el => echarts.getInstanceByDom(el).getZr().storage.getDisplayList().length > 0",
        arg=forecast.element_handle(),
    )
    forecast.screenshot(path=journey.folder / "06-forecast-tooltip.png")


def test_an_insurer_uploads_claims_from_excel_and_updates_one(journey, world, tmp_path):
    from insurance.models import Claim
    from tests.elevators.factories import ElevatorFactory
    from tests.insurance.factories import policy, product_version
    from tests.insurance.test_claims_views import INCIDENT_DAY, sheet_rows, workbook

    world.elevator_a = ElevatorFactory(district=world.fancheng, user_unit=world.orgs["pm_fancheng"])
    policy(product_version(world.orgs["insurer_a"]), [world.elevator_a], start=INCIDENT_DAY - timedelta(days=30),
           number="PA-1")  # fmt: skip
    sheet = tmp_path / "理赔清单.xlsx"
    sheet.write_bytes(workbook(sheet_rows(world)[:2]))  # X-1 reported, X-2 paid 1,000.00

    page = journey.signed_in(world.users["insurer_a"], next_url="/claims/")
    page.get_by_test_id("claim-import").click()
    page.set_input_files("input[name=file]", sheet)
    journey.shot(page, "upload-form")
    page.get_by_role("button", name="上传").click()  # a dry run first, as the form offers
    expect(page.get_by_test_id("refused-count")).to_have_text("0")
    journey.shot(page, "upload-checked")
    page.get_by_role("button", name="预检通过，确认导入").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已导入")
    journey.shot(page, "upload-imported")

    page.goto("/claims/")
    expect(page.get_by_test_id("claim-row")).to_have_count(2)
    journey.shot(page, "claims")
    page.get_by_test_id("claim-row").filter(has_text="X-1").get_by_role("link").first.click()
    page.get_by_test_id("claim-update-link").click()
    accepted_on = INCIDENT_DAY + timedelta(days=3)
    page.select_option("select[name=status]", "accepted")
    page.fill("input[name=status_date]", accepted_on.isoformat())
    page.fill("input[name=amount_reserved]", "3000")
    journey.shot(page, "claim-update")
    page.get_by_test_id("claim-update-form").get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("claim-history")).to_contain_text("已受理")
    journey.shot(page, "claim-updated")
    claim = Claim.objects.get(claim_number="X-1")
    assert (claim.status, claim.accepted_on, str(claim.amount_reserved)) == (
        "accepted",
        accepted_on,
        "3000.00",
    )


def test_a_maintenance_company_records_a_visit_and_the_public_card_shows_it(journey, world):
    from tests.elevators.factories import ElevatorFactory

    lift = ElevatorFactory(
        district=world.xiangcheng,
        user_unit=world.orgs["pm_xiangcheng"],
        maintenance_company=world.orgs["maint"],
    )
    passenger = journey.page(viewport={"width": 390, "height": 844})
    passenger.goto(f"/e/{lift.equipment_code}/")
    expect(passenger.get_by_test_id("last-maintenance")).to_have_text("暂无记录")

    page = journey.signed_in(world.users["maint"], next_url="/maintenance/records/new/")
    performed = TODAY - timedelta(days=2)
    page.select_option("select[name=elevator]", str(lift.pk))
    page.fill("input[name=record_number]", "WB-2026-0001")
    page.fill("input[name=performed_on]", performed.isoformat())
    page.select_option("select[name=level]", "half_monthly")
    page.fill("input[name=worker_name]", "张伟")
    page.fill("input[name=worker_certificate]", "TSZ-420600-0001")
    journey.shot(page, "record-form")
    page.get_by_test_id("record-form").get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存维保记录 WB-2026-0001。")).to_be_visible()
    journey.shot(page, "record-saved")

    passenger.reload()
    expect(passenger.get_by_test_id("last-maintenance")).to_contain_text(performed.isoformat())
    expect(passenger.get_by_test_id("maintenance-state")).to_be_visible()
    journey.shot(passenger, "card-with-maintenance")


@pytest.fixture
def last_month_report(world):
    """Last month frozen, approved and published, with the city regulator's (SAMR) report built."""
    from reporting.services import (
        month_approve,
        month_freeze,
        month_publish,
        report_generate,
        reports_request,
    )

    city = world.users["city"]
    last_month = TODAY.replace(day=1) - timedelta(days=1)
    frozen, _computed = month_freeze(user=city, month=last_month)
    month_approve(user=city, frozen_month=frozen)
    month_publish(user=city, frozen_month=frozen, reports=False)
    (run,) = reports_request(user=city, frozen_month=frozen, departments=["SAMR"], enqueue=False)
    return report_generate(report_run_id=run.pk)


def test_the_city_regulator_imports_the_registry_reads_the_dashboard_and_downloads_the_report(
    journey, world, last_month_report, tmp_path
):
    import openpyxl

    from tests.elevators import files
    from tests.elevators.factories import ElevatorFactory
    from tests.insurance.factories import policy, product_version

    insured = ElevatorFactory(district=world.fancheng)
    policy(product_version(world.orgs["insurer_a"]), [insured], start=TODAY - timedelta(days=30))
    registry = tmp_path / "台账.xlsx"
    inspected, due = TODAY - timedelta(days=60), TODAY + timedelta(days=300)
    registry.write_bytes(
        files.xlsx(
            [
                files.row(
                    code=f"3110420012016{n:05d}",
                    registration=f"梯11鄂F{9000 + n:05d}(21)",
                    address=f"樊城区长征路{n}号",
                    inspected=inspected,
                    due=due,
                )
                for n in range(1, 5)
            ]
        )
    )  # fmt: skip  (4 new elevators in 樊城区, in scope, uninsured; the factory's codes are of 2015)

    page = journey.signed_in(world.users["city"], next_url="/coverage/")
    expect(page.get_by_test_id("total-in-scope")).to_have_text("1")
    expect(page.get_by_test_id("total-rate")).to_have_text("100.0%")

    page.goto("/imports/new/registry/")
    page.set_input_files("input[name=file]", registry)
    expect(page.locator("input[name=dry_run]")).to_be_checked()
    journey.shot(page, "registry-upload")
    page.get_by_role("button", name="上传").click()
    page.get_by_role("button", name="预检通过，确认导入").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已导入")
    journey.shot(page, "registry-imported")

    page.goto("/coverage/")  # 1 insured of 5 in scope
    expect(page.get_by_test_id("total-in-scope")).to_have_text("5")
    expect(page.get_by_test_id("total-insured")).to_have_text("1")
    expect(page.get_by_test_id("total-rate")).to_have_text("20.0%")
    journey.shot(page, "city-dashboard")
    row = page.get_by_test_id("table-districts").locator('tr[data-key="420606"]')
    expect(row.locator("td").nth(3)).to_have_text("20.0%")
    row.get_by_role("link").click()
    expect(page.get_by_test_id("drill-path")).to_contain_text("樊城区")
    expect(page.get_by_test_id("total-uninsured")).to_have_text("4")
    page.get_by_test_id("worklist-link").click()
    expect(page.get_by_role("heading", name="未投保电梯清单")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(4)
    expect(page.locator("table tbody")).to_contain_text("311042001201600001")
    journey.shot(page, "worklist")

    page.goto("/reports/")
    expect(page.get_by_test_id("report-row")).to_have_count(1)
    journey.shot(page, "reports")
    with page.expect_download() as download:
        page.get_by_test_id("report-download").click()
    saved = journey.folder / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()), read_only=True)
    assert len(book.sheetnames) >= 5  # summary, districts, place categories, work list, ...
    assert book.sheetnames == openpyxl.load_workbook(last_month_report.file.path, read_only=True).sheetnames


def test_a_passenger_opens_the_card_from_its_qr_link_without_signing_in(journey, world):
    from tests.elevators.factories import ElevatorFactory
    from tests.insurance.factories import policy, product_version

    lift = ElevatorFactory(district=world.fancheng, site_name="春园小区")
    cover = policy(product_version(world.orgs["insurer_a"]), [lift], start=TODAY - timedelta(days=30))

    sign = journey.page()
    sign.goto(f"/e/{lift.equipment_code}/sign/")
    link = sign.locator(".tb-qr title").text_content()  # segno titles the QR code with the URL it holds
    assert link.endswith(f"/e/{lift.equipment_code}/")
    journey.shot(sign, "printed-sign")

    phone = journey.page(viewport={"width": 390, "height": 844})
    phone.goto(link)
    expect(phone.get_by_test_id("safety-state")).to_have_attribute("data-state", "in_service")
    expect(phone.get_by_test_id("safety-state")).to_contain_text("在用")
    expect(phone.get_by_test_id("rescue-code")).to_contain_text(lift.rescue_code)
    expect(phone.get_by_test_id("rescue-phone")).to_contain_text("963333")
    expect(phone.get_by_test_id("insurance")).to_contain_text(cover.end_date.isoformat())
    expect(phone.get_by_test_id("user-menu")).to_have_count(0)  # nobody signed in
    journey.shot(phone, "card")
