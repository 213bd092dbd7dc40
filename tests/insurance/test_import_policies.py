"""Importing policy lists (保单清单): messy files, several rows per policy, exact per-row reports,
all-or-nothing, dry run, sending the same file again, the command, and who may import what."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import Organisation, OrganisationKind
from core.models import ImportRun
from core.principal import SYSTEM
from core.xlsx import TableError
from insurance.importing import policy_list_import
from insurance.models import Policy, PolicyElevator
from tests.elevators.factories import ElevatorFactory
from tests.factories import credit_code_for
from tests.insurance.factories import policy, product_version
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db

HEADERS = [
    "*保单号",
    "保险公司",
    "保险产品",
    "投保模式",
    "投保人\n名称",
    "投保人统一社会信用代码",
    "设备代码",
    "保险起期",
    "保险止期",
    "保费（元）",
    "资金来源",
    "备注",
]
INSURER = "中国人民财产保险股份有限公司襄阳市分公司"
HOLDER = "襄阳某物业服务有限公司"


def xlsx(rows: list[list], *, headers=HEADERS, title: str | None = "2026年电梯安全责任保险承保清单") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(headers)
    for values in rows:
        sheet.append([datetime(v.year, v.month, v.day) if type(v) is date else v for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(rows: list[list], *, encoding="gb18030") -> bytes:
    def text(value):
        return "" if value is None else (value.isoformat() if isinstance(value, date) else str(value))

    lines = [",".join(h.replace("\n", "") for h in HEADERS)]
    lines += [",".join(text(v) for v in values) for values in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def cast(db):
    """PICC with product PICC-DT-01, a property manager with four elevators aged 10 on 2026-01-01."""
    insurer = Organisation.objects.create(
        kind=OrganisationKind.INSURER,
        name=INSURER,
        short_name="人保财险襄阳分公司",
        credit_code=credit_code_for(1),
    )
    version = product_version(insurer, code="PICC-DT-01")
    holder = Organisation.objects.create(
        kind=OrganisationKind.PROPERTY_MANAGER, name=HOLDER, credit_code=credit_code_for(2)
    )
    elevators = [ElevatorFactory(user_unit=holder, installed_on=date(2016, 1, 1)) for _ in range(4)]
    return {"insurer": insurer, "version": version, "holder": holder, "elevators": elevators}


def row(cast, n: int, **overrides) -> list:
    """One row of the file: elevator n of the cast under policy XY-2026-001, priced as the product says."""
    values = {
        "number": "XY-2026-001",
        "insurer": INSURER,
        "product": "PICC-DT-01",
        "model": "责任险",
        "holder": HOLDER,
        "holder_code": cast["holder"].credit_code,
        "code": cast["elevators"][n].equipment_code,
        "start": date(2026, 1, 1),
        "end": date(2026, 12, 31),
        "premium": 93,
        "funding": "自筹",
        "note": "",
    }
    values.update(overrides)
    return list(values.values())


def run(content: bytes, *, filename="保单清单.xlsx", user=SYSTEM, dry_run=False):
    return policy_list_import(source=io.BytesIO(content), filename=filename, user=user, dry_run=dry_run)


def test_a_messy_file_with_several_rows_per_policy(cast):
    e = cast["elevators"]
    code = e[1].equipment_code
    rows = [
        row(cast, 0),
        row(cast, 1, code=f" {code[:4]} {code[4:]} ", start="2026年1月1日", end="20261231", premium="93.00"),
        row(
            cast, 2, number="XY-2026-002", insurer=cast["insurer"].credit_code, product="电梯安全责任保险",
            holder=None, start=46023, end="2026.12.31", premium=93.0, funding="财政",
        ),
        [None] * len(HEADERS),  # a blank row is skipped
        row(cast, 3, number="XY-2026-002", insurer="人保财险襄阳分公司", holder=None, start="2026-01-01",
            end="2026/12/31", funding="财政"),
    ]  # fmt: skip
    result = run(xlsx(rows))
    assert result.problems == [], result.problems
    assert (result.rows, result.created, result.unchanged, result.elevators) == (4, 2, 0, 4)
    assert result.premium == Decimal("372.00")
    assert result.committed
    first = Policy.objects.get(number="XY-2026-001")
    assert (first.insurer, first.policyholder, first.product_version) == (
        cast["insurer"],
        cast["holder"],
        cast["version"],
    )
    assert (first.start_date, first.end_date, first.total_premium) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        186,
    )
    assert {c.elevator for c in first.covered.all()} == {e[0], e[1]}
    second = Policy.objects.get(number="XY-2026-002")
    assert second.funding_source == "public_finance"
    assert second.covered.get(elevator=e[2]).rating["factors"][0] == {
        "factor": "age",
        "label": "梯龄（年）",
        "input": "10年",
        "coefficient": "1.000",
    }


def test_bad_rows_are_reported_exactly_and_nothing_is_written(cast):
    stranger = ElevatorFactory(installed_on=date(2016, 1, 1))  # someone else's elevator
    covered = ElevatorFactory(user_unit=cast["holder"], installed_on=date(2016, 1, 1))
    earlier = policy(cast["version"], [covered], start=date(2025, 7, 1), number="OLD-2025")
    rows = [
        row(cast, 0),  # row 4: fine on its own, but its policy has a bad row
        row(cast, 1, premium="0"),  # row 5: the product charges (the rating says 93.00)
        row(cast, 2, number="XY-2026-002", insurer="某某保险公司"),  # row 6
        row(cast, 2, number="XY-2026-003", start="2026-02-30"),  # row 7
        row(cast, 3, number="XY-2026-004", code=stranger.equipment_code),  # row 8
        row(cast, 3, number="XY-2026-005", code=covered.equipment_code),  # row 9: overlaps OLD-2025
        row(cast, 3, number="XY-2026-001", start=date(2026, 2, 1)),  # row 10: disagrees with row 4
        row(cast, 3, number="XY-2026-006", code="1.1E+19"),  # row 11
        row(cast, 3, number="XY-2026-007", funding="众筹"),  # row 12
        row(cast, 3, number="XY-2026-008", model="保险+维保"),  # row 13: the product is liability
    ]
    result = run(xlsx(rows))
    assert not result.committed
    assert not Policy.objects.exclude(pk=earlier.pk).exists()
    assert not PolicyElevator.objects.exclude(policy=earlier).exists()
    problems = sorted((p.row, p.column, p.reason) for p in result.problems)
    assert [(r, c) for r, c, _reason in problems] == [
        (4, "*保单号"),
        (5, "保费（元）"),
        (6, "保险公司"),
        (7, "保险起期"),
        (8, "设备代码"),
        (9, "设备代码"),
        (10, "保险起期"),
        (11, "设备代码"),
        (12, "资金来源"),
        (13, "投保模式"),
    ]
    reasons = {r: reason for r, _c, reason in problems}
    assert "第5行" in reasons[4]
    assert "0元" in reasons[5] and "93.00" in reasons[5]
    assert "某某保险公司" in reasons[6]
    assert "2026-02-30" in reasons[7]
    assert stranger.equipment_code in reasons[8] and HOLDER in reasons[8]
    assert "OLD-2025" in reasons[9]
    assert "第4行" in reasons[10] and "2026-01-01" in reasons[10]
    assert "科学计数法" in reasons[11]
    assert "自筹" in reasons[12]
    assert "保险+维保" in reasons[13]
    # the error report: the original header and the refused rows as they were, plus the reasons
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_report())).active
    table = list(sheet.values)
    assert table[0][: len(HEADERS)] == tuple(HEADERS) and table[0][-1] == "错误原因"
    assert len(table) == 1 + 10
    assert "保费（元）" in table[2][-1]


def test_dry_run_reports_what_would_happen_and_writes_nothing(cast):
    result = run(xlsx([row(cast, 0), row(cast, 1)]), dry_run=True)
    assert (result.created, result.elevators, result.refused) == (1, 2, 0)
    assert not result.committed
    assert not Policy.objects.exists()


def test_the_same_file_again_is_unchanged_and_a_changed_one_refused(cast):
    content = xlsx([row(cast, 0), row(cast, 1)])
    assert run(content).created == 1
    again = run(content)
    assert (again.created, again.unchanged, again.refused) == (0, 1, 0)
    changed = run(xlsx([row(cast, 0), row(cast, 1), row(cast, 2)]))
    assert changed.refused == 3
    assert "承保电梯" in changed.problems[0].reason
    assert Policy.objects.get().covered.count() == 2


def test_the_same_elevator_twice_in_a_policy_last_row_wins(cast):
    result = run(xlsx([row(cast, 0, premium=90), row(cast, 1), row(cast, 0)]))
    assert result.problems == []
    assert result.duplicates == [(4, 6, cast["elevators"][0].equipment_code)]
    assert Policy.objects.get().covered.count() == 2


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_csv_in_either_encoding(cast, encoding):
    result = run(csv([row(cast, 0), row(cast, 1)], encoding=encoding), filename="保单清单.csv")
    assert result.problems == [], result.problems
    assert Policy.objects.get().total_premium == Decimal("186.00")


def test_a_file_without_the_needed_columns_is_refused_whole(cast):
    with pytest.raises(TableError) as exc:
        run(xlsx([["XY-1", INSURER]], headers=["保单号", "保险机构"]))
    assert "设备代码" in str(exc.value.message)


# --- who imports what ---------------------------------------------------------------------------


def test_insurer_users_import_their_own_policies_only(cast):
    world = make_world()
    own_user = world.users["insurer_a"]
    own_user.organisation = cast["insurer"]
    own_user.save()
    assert run(xlsx([row(cast, 0)]), user=own_user).created == 1
    result = run(xlsx([row(cast, 1, number="X-2")]), user=world.users["insurer_b"])
    assert [(p.column, p.reason) for p in result.problems] == [
        ("保险公司", f"只能导入本机构（{world.orgs['insurer_b'].name}）承保的保单。")
    ]


def test_property_managers_import_policies_they_hold_only(cast):
    world = make_world()
    holder_user = world.users["pm_fancheng"]
    holder_user.organisation = cast["holder"]
    holder_user.save()
    assert run(xlsx([row(cast, 0)]), user=holder_user).created == 1
    result = run(xlsx([row(cast, 1, number="X-2")]), user=world.users["pm_xiangcheng"])
    assert [p.column for p in result.problems] == ["投保人\n名称"]  # the header as the file wrote it


@pytest.mark.parametrize("who", ["city", "nfra", "maint", "finance"])
def test_others_may_not_import_policy_lists(cast, who):
    with pytest.raises(PermissionDenied):
        run(xlsx([row(cast, 0)]), user=make_world().users[who])


# --- the command and the browser ----------------------------------------------------------------


def test_command_dry_run_then_import(cast, tmp_path):
    path = tmp_path / "保单清单.xlsx"
    path.write_bytes(xlsx([row(cast, 0), row(cast, 1)]))
    out = io.StringIO()
    call_command("import_policies", str(path), "--dry-run", stdout=out)
    assert "新增保单 1 份" in out.getvalue() and "预检通过" in out.getvalue()
    assert not Policy.objects.exists()
    call_command("import_policies", str(path), stdout=out)
    assert Policy.objects.get().insurer == cast["insurer"]  # from the 保险机构 column, acting as SYSTEM


def test_command_with_errors_writes_the_report_and_fails(cast, tmp_path):
    path = tmp_path / "保单清单.xlsx"
    path.write_bytes(xlsx([row(cast, 0, premium=0)]))  # the product charges
    report = tmp_path / "errors.xlsx"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_policies", str(path), "--report", str(report), stdout=out)
    assert "第4行【保费（元）】" in out.getvalue()
    assert openpyxl.load_workbook(report).active.cell(1, len(HEADERS) + 1).value == "错误原因"
    assert not Policy.objects.exists()


def test_browser_upload_dry_run_and_confirm(cast, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    world = make_world()
    user = world.users["insurer_a"]
    user.organisation = cast["insurer"]
    user.save()
    client = Client()
    client.force_login(user)
    page = client.get("/imports/")
    assert "/imports/new/policies/" in page.content.decode()
    upload = SimpleUploadedFile("保单清单.xlsx", xlsx([row(cast, 0), row(cast, 1)]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/new/policies/", {"file": upload, "dry_run": "on"})
    checked = ImportRun.objects.get()
    assert response["Location"] == f"/imports/{checked.pk}/"
    assert (checked.kind, checked.status, checked.summary["created"]) == ("policies", "checked", 1)
    assert not Policy.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{checked.pk}/confirm/")
    assert ImportRun.objects.exclude(pk=checked.pk).get().status == "done"
    assert Policy.objects.get().created_by == user
    # a maintenance company has no such import
    other = Client()
    other.force_login(world.users["maint"])
    assert other.get("/imports/new/policies/").status_code == 403


def test_property_managers_use_only_products_on_sale(cast):
    from insurance.models import Product

    world = make_world()
    holder_user = world.users["pm_fancheng"]
    holder_user.organisation = cast["holder"]
    holder_user.save()
    withdrawn = product_version(cast["insurer"], code="PICC-OLD").product
    Product.objects.filter(pk=withdrawn.pk).update(is_on_sale=False, name="停售的产品")
    result = run(xlsx([row(cast, 0, product="PICC-OLD")]), user=holder_user)
    ((column, reason),) = [(p.column, p.reason) for p in result.problems]
    assert column == "保险产品"
    offered = reason.split("可选：")[1]
    assert "PICC-DT-01" in offered and "PICC-OLD" not in offered and "停售的产品" not in offered
    assert not Policy.objects.exists()


def test_an_overlap_with_another_insurers_policy_is_reported_without_its_number(cast):
    world = make_world()
    other = policy(product_version(world.orgs["insurer_b"]), [cast["elevators"][0]], start=date(2026, 1, 1))
    own_user = world.users["insurer_a"]
    own_user.organisation = cast["insurer"]
    own_user.save()
    result = run(xlsx([row(cast, 0)]), user=own_user)
    ((column, reason),) = [(p.column, p.reason) for p in result.problems]
    assert column == "设备代码" and reason == "保险期间与其他保险机构的保单重叠。"
    assert other.number not in reason
