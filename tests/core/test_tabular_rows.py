"""core.tabular: a row is refused once with every defect, and the report keeps the file's order."""

import pytest

from core.tabular import RowChecks, RowRefused, TableImportResult, cell_date, cell_text
from core.xlsx import TableRow


def test_checks_keep_reading_after_a_bad_cell_and_refuse_with_every_defect():
    checks = RowChecks()
    values = {"name": "", "day": "明年", "other": "好"}
    assert checks.read(cell_text, values, "name", required=True) is None
    assert checks.read(cell_date, values, "day") is None
    assert checks.read(cell_text, values, "other") == "好"
    checks.refuse("other", "不好")
    assert checks.refused("day") and not checks.refused("name2")
    with pytest.raises(RowRefused) as refused:
        checks.done()
    assert [name for name, _reason in refused.value.problems] == ["name", "day", "other"]
    assert (refused.value.field, refused.value.reason) == ("name", "必填项为空。")


def test_no_defect_no_refusal():
    RowChecks().done()


def test_a_row_refused_twice_is_one_refused_row_with_every_reason_in_the_file_order():
    result = TableImportResult(dry_run=True)
    later, earlier = TableRow(9, {}, ["b"]), TableRow(4, {}, ["a"])
    result.refuse_row(later, [("甲", "一"), ("乙", "二")])
    result.refuse(earlier, "丙", "三")
    result.refuse(later, "丁", "四")
    result.order_by_row()
    assert result.refused == 2
    assert [(p.row, p.column) for p in result.problems] == [(4, "丙"), (9, "甲"), (9, "乙"), (9, "丁")]
    assert result.refused_rows == [(["a"], ["丙：三"]), (["b"], ["甲：一", "乙：二", "丁：四"])]
    result.refuse(earlier, "戊", "五")  # the index follows the new order
    assert result.refused_rows[0] == (["a"], ["丙：三", "戊：五"])
    summary = result.summary()
    assert summary["refused"] == 2 and len(summary["problems"]) == 5
