"""Policy and claim lists report every defect of a row, not the first: one refused row, one line of
the error report with each reason, one problem per defect."""

import io
from datetime import date

import openpyxl
import pytest

from core.principal import SYSTEM
from insurance.importing import claim_list_import, policy_list_import
from tests.insurance import test_import_policies as policies
from tests.insurance.test_import_policies import row, xlsx

pytestmark = pytest.mark.django_db

cast = policies.cast  # the policy list tests' fixture


def report_reasons(result) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_report())).active
    return [values[-1] for values in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_policy_row_names_each_of_its_defects(cast):
    rows = [row(cast, 0), row(cast, 1, code="123", start="明年", premium="九十三", funding="众筹")]
    result = policy_list_import(
        source=io.BytesIO(xlsx(rows)), filename="保单.xlsx", user=SYSTEM, dry_run=True
    )
    assert (result.rows, result.refused) == (2, 1)
    assert [(p.row, p.column) for p in result.problems] == [
        (5, "设备代码"),
        (5, "保险起期"),
        (5, "保费（元）"),
        (5, "资金来源"),
    ]
    (reasons,) = report_reasons(result)
    assert reasons.count("；") == 3 and "明年" in reasons


def test_a_policy_row_differing_from_its_policy_names_each_column(cast):
    rows = [row(cast, 0), row(cast, 1, end=date(2026, 11, 30), funding="财政")]
    result = policy_list_import(
        source=io.BytesIO(xlsx(rows)), filename="保单.xlsx", user=SYSTEM, dry_run=True
    )
    assert result.refused == 1
    assert [p.column for p in result.problems if p.row == 5] == ["保险止期", "资金来源"]


def test_a_claim_row_names_each_of_its_defects(world):
    headers = ["理赔编号", "保单号", "设备代码", "出险时间", "事故类型", "保障项目", "受伤人数", "索赔金额"]
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    workbook.active.append(["C-1", "P-1", "311042001201500123", "上周", "飞天", None, -2, "很多"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = claim_list_import(
        source=io.BytesIO(buffer.getvalue()),
        filename="理赔.xlsx",
        user=world.users["insurer_a"],
        dry_run=True,
    )
    assert result.refused == 1
    assert [p.column for p in result.problems] == ["出险时间", "事故类型", "保障项目", "受伤人数", "索赔金额"]
    (reasons,) = report_reasons(result)
    assert "飞天" in reasons and "很多" in reasons
