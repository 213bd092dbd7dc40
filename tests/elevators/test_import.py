"""Importing the provincial registry: messy files, exact reports, all-or-nothing, permissions."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from accounts.models import Organisation
from core.principal import SYSTEM
from core.xlsx import TableError
from elevators.importing import registry_import
from elevators.models import Elevator, Inspection, LifecycleEvent
from tests.elevators import files
from tests.factories import credit_code_for
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def reference_data(db):
    from django.core.management import call_command

    call_command("loaddata", "xiangyang", verbosity=0)


def run(content: bytes, *, filename="台账.xlsx", user=SYSTEM, dry_run=False, **kwargs):
    return registry_import(
        source=io.BytesIO(content), filename=filename, user=user, dry_run=dry_run, today=TODAY, **kwargs
    )


def test_clean_file_creates_elevators_organisations_inspections_and_events():
    result = run(
        files.xlsx([files.row(), files.row(code="31104206062014080025", registration="梯11鄂F00002(14)")])
    )
    assert (result.rows, result.created, result.updated, result.refused) == (2, 2, 0, 0)
    assert result.committed
    elevator = Elevator.objects.get(equipment_code="311042001201500123")
    assert elevator.code_form == "device"
    assert elevator.district_id == "420606"
    assert elevator.place_category_id == "RESIDENTIAL"
    assert elevator.user_unit.name == "襄阳某物业服务有限公司"
    assert elevator.owner == elevator.user_unit  # owner defaults to the user unit
    assert elevator.maintenance_company.kind == "maintenance_company"
    assert elevator.next_inspection_due == date(2027, 3, 1)
    assert Elevator.objects.get(equipment_code="31104206062014080025").code_form == "registration"
    assert Inspection.objects.filter(elevator=elevator, inspected_on=date(2026, 3, 1), result="pass").exists()
    assert LifecycleEvent.objects.filter(elevator=elevator, kind="registration").exists()
    assert Organisation.objects.filter(name="襄阳某物业服务有限公司").count() == 1


def test_dry_run_reports_but_writes_nothing():
    result = run(files.xlsx([files.row()]), dry_run=True)
    assert (result.created, result.refused, result.organisations_created) == (1, 0, 2)
    assert not result.committed
    assert not Elevator.objects.exists()
    assert not Organisation.objects.exists()


def test_second_import_updates_and_records_status_change():
    run(files.xlsx([files.row()]))
    again = run(files.xlsx([files.row(status="停用")]))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
    elevator = Elevator.objects.get()
    assert elevator.status == "suspended"
    event = LifecycleEvent.objects.get(elevator=elevator, kind="status_change")
    assert "停用" in event.description
    assert run(files.xlsx([files.row(status="停用")])).unchanged == 1


def test_one_bad_row_refuses_the_whole_file_with_an_exact_report():
    rows = [files.row(), files.row(code="1.1E+19"), files.row(code="311042001201500124", place="游乐园")]
    result = run(files.xlsx(rows))
    assert not result.committed
    assert not Elevator.objects.exists()
    assert not Organisation.objects.exists()
    assert [(p.row, p.column) for p in result.problems] == [(5, "*设备代码"), (6, "场所类别")]
    assert "科学计数法" in result.problems[0].reason
    assert "游乐园" in result.problems[1].reason and "住宅小区" in result.problems[1].reason
    # the downloadable report: original header + error column, the refused rows as they were
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_report())).active
    table = list(sheet.values)
    assert table[0][-1] == "错误原因"
    assert [r[0] for r in table[1:]] == ["1.1E+19", "311042001201500124"]
    assert "场所类别" in table[2][-1]


def test_messy_values_are_understood():
    rows = [
        files.row(
            code=" ３１１０４２００１２０１５００１２３ ",  # full width and spaces
            registration="梯11鄂f00001（21）",  # lower-case letter, full-width brackets
            category="曳引驱动乘客电梯",
            district="420606",
            inspected="2026年3月1日",
            due="2027.03.01",
            installed=42156,  # Excel serial number: 2015-06-01
            user_unit_code=credit_code_for(42).lower(),
        )
    ]
    result = run(files.xlsx(rows))
    assert result.refused == 0, result.problems
    elevator = Elevator.objects.get()
    assert elevator.equipment_code == "311042001201500123"
    assert elevator.registration_number == "梯11鄂F00001(21)"
    assert elevator.installed_on == date(2015, 6, 1)
    assert elevator.last_inspected_on == date(2026, 3, 1)
    assert elevator.user_unit.credit_code == credit_code_for(42)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_every_encoding(encoding):
    result = run(
        files.csv([files.row(inspected="2026/3/1", due="20270301")], encoding=encoding), filename="台账.csv"
    )
    assert result.refused == 0, result.problems
    assert Elevator.objects.get().user_unit.name == "襄阳某物业服务有限公司"


def test_duplicate_rows_last_wins_and_are_reported():
    rows = [files.row(address="旧地址"), files.row(code="311042001201500124"), files.row(address="新地址")]
    result = run(files.xlsx(rows))
    assert result.duplicates == [(4, 6, "311042001201500123")]
    assert result.created == 2
    assert Elevator.objects.get(equipment_code="311042001201500123").address == "新地址"


def test_organisations_are_matched_by_credit_code_then_by_name():
    code = credit_code_for(77)
    existing = Organisation.objects.create(kind="property_manager", name="正式名称物业公司", credit_code=code)
    named = Organisation.objects.create(kind="property_manager", name="只有名称的物业")
    rows = [
        files.row(user_unit="简称物业", user_unit_code=code),
        files.row(code="311042001201500124", user_unit="只有名称的物业"),
    ]
    run(files.xlsx(rows))
    assert Elevator.objects.get(equipment_code="311042001201500123").user_unit == existing
    assert Elevator.objects.get(equipment_code="311042001201500124").user_unit == named
    assert Organisation.objects.filter(kind="property_manager").count() == 2


@pytest.mark.parametrize(
    ("values", "column", "needle"),
    [
        ({"registration": "梯31鄂F00001(21)"}, "使用登记证编号", "不一致"),
        ({"category": "3500"}, "设备品种", "旧版"),
        ({"district": "武昌区"}, "所在区县", "樊城区"),
        ({"inspected": "2026-13-01"}, "最近检验日期", "2026-13-01"),
        ({"due": date(2025, 1, 1)}, "下次检验日期", "晚于"),
        ({"status": "维修中"}, "设备状态", "在用"),
        ({"user_unit_code": "91420600MA4948Y01Z"}, "使用单位统一社会信用代码", "统一社会信用代码"),
        ({"address": ""}, "使用地点", "必填"),
    ],
)
def test_each_kind_of_bad_value_names_its_column(values, column, needle):
    result = run(files.xlsx([files.row(**values)]))
    assert [p.column for p in result.problems] == [column]
    assert needle in result.problems[0].reason


def test_legacy_category_scheme_must_be_asked_for():
    rows = [files.row(category="3500", registration="梯31鄂F00001(21)")]
    assert run(files.xlsx(rows)).refused == 1
    result = run(files.xlsx(rows), category_scheme="legacy")
    assert result.refused == 0
    assert Elevator.objects.get().category == "3310"


def test_header_not_found_refuses_the_file():
    with pytest.raises(TableError):
        run(files.xlsx([["a", "b"]], headers=["名称", "地址"]))


def test_file_over_the_size_limit_is_refused_before_parsing(settings):
    settings.TIBAO = {**settings.TIBAO, "IMPORT_MAX_BYTES": 100}
    with pytest.raises(TableError) as exc:
        run(b"x" * 101, filename="big.xlsx")  # not even a valid xlsx: never opened
    assert exc.value.code == "too_big"


def test_row_limit(settings):
    settings.TIBAO = {**settings.TIBAO, "IMPORT_MAX_ROWS": 2}
    rows = [files.row(code=f"3110420012015{n:05d}") for n in range(3)]
    with pytest.raises(TableError):
        run(files.xlsx(rows))
    assert not Elevator.objects.exists()


def test_only_regulators_may_import_and_districts_only_their_own():
    world = make_world()
    for viewer in ("insurer_a", "pm_fancheng", "housing", "nfra", "maint", "finance"):
        with pytest.raises(PermissionDenied):
            run(files.xlsx([files.row()]), user=world.users[viewer])
    rows = [files.row(), files.row(code="311042001201500124", district="襄城区")]
    result = run(files.xlsx(rows), user=world.users["district"])  # 樊城区's regulator
    assert [(p.row, p.column) for p in result.problems] == [(5, "所在区县")]
    assert not Elevator.objects.exists()
    assert run(files.xlsx(rows), user=world.users["city"]).created == 2


def test_district_regulator_cannot_update_an_elevator_of_another_district():
    world = make_world()
    run(files.xlsx([files.row(district="襄城区")]))
    result = run(files.xlsx([files.row(district="樊城区")]), user=world.users["district"])
    assert result.refused == 1 and "襄城区" in result.problems[0].reason
    assert Elevator.objects.get().district_id == "420602"


def test_command_dry_run_and_real_run(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(files.xlsx([files.row()]))
    out = io.StringIO()
    call_command("import_registry", str(path), "--dry-run", stdout=out)
    assert "新增 1 台" in out.getvalue() and not Elevator.objects.exists()
    call_command("import_registry", str(path), stdout=io.StringIO())
    assert Elevator.objects.count() == 1


def test_command_writes_the_error_report_and_fails(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(files.xlsx([files.row(place="游乐园")]))
    report = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError):
        call_command("import_registry", str(path), "--report", str(report), stdout=io.StringIO())
    assert report.exists()


def test_a_file_without_optional_columns_or_with_empty_cells_keeps_what_is_known():
    run(files.xlsx([files.row(status="停用")]))
    short_headers = [
        h for h in files.HEADERS if h not in ("最近检验日期", "检验结论", "下次检验日期", "设备状态")
    ]
    keep = [i for i, h in enumerate(files.HEADERS) if h in short_headers]
    again = run(files.xlsx([[files.row()[i] for i in keep]], headers=short_headers))
    assert again.refused == 0 and again.unchanged == 1
    elevator = Elevator.objects.get()
    assert (elevator.status, elevator.next_inspection_due) == ("suspended", date(2027, 3, 1))
    run(files.xlsx([files.row(status=None, maintenance=None)]))  # empty cells: unknown, not "cleared"
    elevator.refresh_from_db()
    assert elevator.status == "suspended" and elevator.maintenance_company is not None


def test_an_older_inspection_in_the_file_does_not_roll_the_facts_back():
    run(files.xlsx([files.row(inspected=date(2026, 3, 1), due=date(2027, 3, 1))]))
    run(files.xlsx([files.row(inspected=date(2025, 3, 1), result="不合格", due=date(2026, 3, 1))]))
    elevator = Elevator.objects.get()
    assert (elevator.last_inspected_on, elevator.inspection_result) == (date(2026, 3, 1), "pass")
    assert elevator.inspections.count() == 2  # the older one joins the history


def test_a_credit_code_that_contradicts_the_known_one_is_refused():
    Organisation.objects.create(kind="property_manager", name="某物业", credit_code=credit_code_for(5))
    result = run(files.xlsx([files.row(user_unit="某物业", user_unit_code=credit_code_for(6))]))
    assert [p.column for p in result.problems] == ["使用单位统一社会信用代码"]
    assert credit_code_for(5) in result.problems[0].reason


def test_the_report_says_which_duplicate_row_won(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(files.xlsx([files.row(address="旧地址"), files.row(address="新地址")]))
    out = io.StringIO()
    call_command("import_registry", str(path), stdout=out)
    assert "第4行与第5行设备代码相同（311042001201500123），以第5行为准" in out.getvalue()
