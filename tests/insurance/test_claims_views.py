"""Claim pages in the browser (who sees which claim; departments see totals only) and the Excel upload."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.models import ImportRun
from elevators.models import PlaceCategory
from insurance.models import Claim, ClaimStatusChange
from insurance.services.claims import claims_bulk_upsert
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db

START = timezone.localdate() - timedelta(days=200)
INCIDENT_DAY = START + timedelta(days=100)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(world):
    world.elevator_a = ElevatorFactory(district=world.fancheng, user_unit=world.orgs["pm_fancheng"])
    world.elevator_b = ElevatorFactory(
        district=world.xiangcheng,
        user_unit=world.orgs["pm_xiangcheng"],
        place_category=PlaceCategory.objects.get(code="HOSPITAL"),  # not 住建's sector
    )
    world.policy_a = policy(
        product_version(world.orgs["insurer_a"]), [world.elevator_a], start=START, number="PA-1"
    )
    world.policy_b = policy(
        product_version(world.orgs["insurer_b"]), [world.elevator_b], start=START, number="PB-1"
    )
    return world


def claim_item(cover, elevator, number: str, **fields) -> dict:
    return {
        "claim_number": number,
        "policy_number": cover.number,
        "equipment_code": elevator.equipment_code,
        "incident_at": timezone.make_aware(datetime.combine(INCIDENT_DAY, time(9))),
        "kind": "trapping",
        "coverage_item": "medical",
        "reported_on": INCIDENT_DAY,
        **fields,
    }


@pytest.fixture
def claims(world):
    """insurer_a: one paid claim (樊城区, residential); insurer_b: one reported claim (襄城区, hospital)."""
    paid_on = INCIDENT_DAY + timedelta(days=7)
    claims_bulk_upsert(
        insurer=world.orgs["insurer_a"],
        items=[
            claim_item(
                world.policy_a,
                world.elevator_a,
                "A-1",
                status="paid",
                paid_on=paid_on,
                amount_claimed=Decimal("900.00"),
                payments=[
                    {"paid_on": paid_on, "amount": Decimal("600.00"), "payee": "王五", "reference": "ZF-1"}
                ],
            )
        ],
    )
    claims_bulk_upsert(
        insurer=world.orgs["insurer_b"], items=[claim_item(world.policy_b, world.elevator_b, "B-1")]
    )
    return {c.claim_number: c for c in Claim.objects.all()}


def rows(response) -> set[str]:
    assert response.status_code == 200
    return {claim.claim_number for claim in response.context["object_list"]}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("insurer_a", {"A-1"}),
        ("insurer_b", {"B-1"}),
        ("city", {"A-1", "B-1"}),
        ("nfra", {"A-1", "B-1"}),
        ("district", {"A-1"}),
        ("housing", set()),
        ("pm_fancheng", set()),
    ],
)
def test_the_list_shows_each_viewer_what_it_may_see(world, claims, who, sees):
    assert rows(browser(world, who).get("/claims/")) == sees


def test_the_list_filters(world, claims):
    client = browser(world, "city")
    assert rows(client.get("/claims/?status=paid")) == {"A-1"}
    assert rows(client.get(f"/claims/?equipment_code={world.elevator_b.equipment_code}")) == {"B-1"}
    assert rows(client.get("/claims/?policy_number=PA-1")) == {"A-1"}


def test_a_sector_department_sees_totals_and_no_claim(world, claims):
    page = browser(world, "housing").get("/claims/")
    html = page.content.decode()
    assert "本行业电梯的理赔汇总" in html
    assert "A-1" not in html and "B-1" not in html
    totals = {row["status"]: row for row in page.context["sector_totals"]}
    # only A-1 stands in housing's sector (residential); B-1 is at a hospital
    assert (totals["paid"]["count"], totals["paid"]["paid"]) == (1, Decimal("600.00"))
    assert totals["reported"]["count"] == 0
    assert (totals[""]["count"], totals[""]["claimed"]) == (1, Decimal("900.00"))
    assert browser(world, "housing").get(f"/claims/{claims['A-1'].pk}/").status_code == 404


def test_the_detail_shows_payments_and_history(world, claims):
    claim = claims["A-1"]
    html = browser(world, "insurer_a").get(f"/claims/{claim.pk}/").content.decode()
    assert "ZF-1" in html and "600.00" in html
    assert "已赔付" in html
    assert "报送：已赔付" in html  # its history: reported straight as paid
    assert browser(world, "district").get(f"/claims/{claim.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["insurer_b", "pm_fancheng", "maint", "finance"])
def test_the_detail_of_a_claim_one_may_not_see_is_404(world, claims, who):
    assert browser(world, who).get(f"/claims/{claims['A-1'].pk}/").status_code == 404


def test_the_navigation_entry(world):
    assert 'href="/claims/"' in browser(world, "insurer_a").get("/").content.decode()
    assert 'href="/claims/"' in browser(world, "housing").get("/").content.decode()
    assert 'href="/claims/"' not in browser(world, "pm_fancheng").get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(world, claims):
    response = Client().get("/claims/")
    assert response.status_code == 302 and "login" in response["Location"]


# --- the Excel upload -----------------------------------------------------------------------

HEADERS = [
    "理赔编号", "保单号", "设备代码", "出险时间", "事故类型", "保障项目", "受伤人数", "死亡人数", "索赔金额",
    "估损金额", "已赔金额", "先行赔付", "状态", "报案日期", "受理日期", "赔付日期", "经过", "备注",
]  # fmt: skip


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某保险公司理赔清单"])  # a title row above the header
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_rows(world) -> list[list]:
    code = world.elevator_a.equipment_code
    incident = datetime.combine(INCIDENT_DAY, time(14, 30))
    reported = INCIDENT_DAY.strftime("%Y/%m/%d")
    paid = (INCIDENT_DAY + timedelta(days=5)).isoformat()
    return [
        ["X-1", "PA-1", code, incident, "困人", "每人医疗费用", 0, 0, 500, 400, None, "否", "已报案", reported, None, None, "轿厢困人", "ok"],
        ["X-2", "PA-1", code.lower(), incident, "人身伤害", "每人医疗费用", 1, 0, "1,200.50", None, 1000, "是", "已赔付", reported, None, paid, None, None],
        ["X-3", "PB-1", code, incident, "困人", "每人医疗费用", 0, 0, 100, None, None, "否", "已报案", reported, None, None, None, "他人保单"],
        ["X-4", "PA-1", code, incident, "火灾", "每人医疗费用", 0, 0, 100, None, None, "否", "已报案", reported, None, None, None, "未知类型"],
    ]  # fmt: skip


class CommittingClient(Client):
    """A test client whose requests run their on-commit callbacks (the queued import task)."""

    capture = None

    def post(self, *args, **kwargs):
        with self.capture(execute=True):
            return super().post(*args, **kwargs)


@pytest.fixture
def uploader(world, django_capture_on_commit_callbacks):
    CommittingClient.capture = staticmethod(django_capture_on_commit_callbacks)
    client = CommittingClient()
    client.force_login(world.users["insurer_a"])
    return client


def upload(client, content: bytes, *, dry_run: bool):
    data = {"file": SimpleUploadedFile("理赔清单.xlsx", content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/imports/new/claims/", data)


def test_excel_upload_dry_run_then_real_run_stores_the_valid_rows_and_reports_the_others(world, uploader):
    content = workbook(sheet_rows(world))
    response = upload(uploader, content, dry_run=True)
    checked = ImportRun.objects.get()
    assert response["Location"] == f"/imports/{checked.pk}/"
    assert checked.status == ImportRun.Status.CHECKED
    assert (checked.summary["created"], checked.summary["refused"]) == (2, 2)
    assert not Claim.objects.exists()  # a dry run writes nothing

    upload(uploader, content, dry_run=False)
    run = ImportRun.objects.exclude(pk=checked.pk).get()
    assert run.status == ImportRun.Status.DONE
    assert run.summary["committed"] is True
    assert set(Claim.objects.values_list("claim_number", flat=True)) == {"X-1", "X-2"}
    paid = Claim.objects.get(claim_number="X-2")
    assert (paid.status, paid.amount_claimed, paid.amount_paid, paid.advance_payment) == (
        "paid",
        Decimal("1200.50"),
        Decimal("1000.00"),
        True,
    )
    assert timezone.localtime(paid.incident_at).time() == time(14, 30)
    problems = {(p["row"], p["column"]) for p in run.summary["problems"]}
    assert problems == {(5, "保单号"), (6, "事故类型")}

    page = uploader.get(f"/imports/{run.pk}/").content.decode()
    assert "保单号 PB-1 不存在" in page
    report = uploader.get(f"/imports/{run.pk}/errors.xlsx")
    assert report.status_code == 200
    lines = list(openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.values)
    assert lines[0][-1] == "错误原因"
    assert [line[0] for line in lines[1:]] == ["X-3", "X-4"]
    assert "保单号 PB-1 不存在" in lines[1][-1] and "火灾" in lines[2][-1]

    # the same file again: the stored rows are unchanged, nothing is stored twice
    changes = ClaimStatusChange.objects.count()
    upload(uploader, content, dry_run=False)
    again = ImportRun.objects.order_by("-pk").first()
    assert (again.summary["created"], again.summary["unchanged"], again.summary["refused"]) == (0, 2, 2)
    assert Claim.objects.count() == 2 and ClaimStatusChange.objects.count() == changes


def test_an_update_by_excel_follows_the_status_rules(world, uploader):
    upload(uploader, workbook(sheet_rows(world)[:1]), dry_run=False)
    accepted = INCIDENT_DAY + timedelta(days=2)
    row = sheet_rows(world)[0]
    row[12], row[14] = "已受理", accepted
    upload(uploader, workbook([row]), dry_run=False)
    assert ImportRun.objects.order_by("-pk").first().summary["updated"] == 1
    assert Claim.objects.get().status == "accepted"
    row[12] = "已报案"
    upload(uploader, workbook([row]), dry_run=False)
    run = ImportRun.objects.order_by("-pk").first()
    assert run.status == ImportRun.Status.REFUSED  # nothing stored: its only row was refused
    assert run.summary["problems"][0]["column"] == "状态"


@pytest.mark.parametrize("who", ["city", "pm_fancheng", "housing", "nfra"])
def test_only_insurers_may_upload_claims(world, who):
    client = browser(world, who)
    assert client.get("/imports/new/claims/").status_code == 403
    assert "/imports/new/claims/" not in client.get("/claims/").content.decode()
