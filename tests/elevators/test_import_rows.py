"""The registry import reads rows as real files write them: districts by any of their names, every
defect of a row reported, and the 三无 elevators (no user unit) accepted."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command

from core.principal import SYSTEM
from elevators.importing import registry_import
from elevators.models import Elevator
from tests.elevators import files

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def city(db):
    call_command("loaddata", "xiangyang", verbosity=0)


def run(content: bytes, *, dry_run=False):
    return registry_import(
        source=io.BytesIO(content), filename="台账.xlsx", user=SYSTEM, dry_run=dry_run, today=TODAY
    )


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("襄阳经济技术开发区", "420672"),
        ("襄阳经济技术开发区(东津新区)", "420672"),
        ("东津新区", "420672"),
        ("襄阳高新区", "420671"),
        ("襄阳市樊城区", "420606"),
        ("420607", "420607"),
    ],
)
def test_a_district_written_any_way_the_city_knows_imports(written, code):
    result = run(files.xlsx([files.row(district=written)]))
    assert result.refused == 0, result.problems
    assert Elevator.objects.get().district_id == code


def test_every_defect_of_a_row_is_reported_and_the_row_counted_once():
    rows = [files.row(), files.row(code="31104200120150012X9", district="武昌区", installed="明年")]
    result = run(files.xlsx(rows))
    assert (result.rows, result.refused) == (2, 1)
    assert [(p.row, p.column) for p in result.problems] == [
        (5, "*设备代码"),
        (5, "所在区县"),
        (5, "安装日期"),
    ]
    assert "明年" in result.problems[2].reason
    summary = result.summary()
    assert summary["refused"] == 1 and len(summary["problems"]) == 3
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_report())).active
    report = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(report) == 1
    reasons = report[0][-1]
    assert "设备代码：" in reasons and "所在区县：" in reasons and "安装日期：" in reasons
    assert not Elevator.objects.exists()


def test_a_rule_on_a_refused_cell_is_not_reported_twice():
    result = run(files.xlsx([files.row(category="9999", registration="乱写", inspected="昨天")]))
    assert [p.column for p in result.problems] == ["设备品种", "最近检验日期"]


def test_an_elevator_without_user_unit_imports_and_stays_three_no():
    result = run(files.xlsx([files.row(user_unit=None, user_unit_code=None)]))
    assert (result.refused, result.created) == (0, 1), result.problems
    elevator = Elevator.objects.get()
    assert elevator.user_unit is None and elevator.owner is None
    assert elevator.is_three_no()
    assert Elevator.objects.three_no().filter(pk=elevator.pk).exists()
    again = run(files.xlsx([files.row(user_unit=None, user_unit_code=None)]), dry_run=True)
    assert (again.refused, again.updated, again.unchanged) == (0, 0, 1)
