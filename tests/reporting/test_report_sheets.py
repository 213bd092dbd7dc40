"""A report's tables go into the sheet's XML a row at a time (core.xlsx.writing.table_rows_write,
tests/core/test_xlsx_tables.py): formats per column kind, widths that fit, workbooks side by side."""

import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl

from reporting.reports.workbook import Book, Column, tables

TEXTS = [
    "襄阳市襄城区人民路 12 号",
    "a&b<c>d",
    "_x0041_ looks like an escape",
    "\x01control",
    " leading space",
    "<r>rich-looking</r>",
    "=cmd|' /C calc'!A0",
    "",
]
COLUMNS = (
    Column("名称"),
    Column("台数", "int"),
    Column("保费（元）", "money"),
    Column("投保率", "percent"),
    Column("止期", "date"),
)


def sheet_xml(path, name="sheet1") -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/{name}.xml").decode()


def table_rows():
    for n, text in enumerate(TEXTS):
        yield (text, n, Decimal("1234.50"), Decimal("0.6667"), date(2021, 6, 30))


def test_a_report_table_is_formatted_per_column_kind(tmp_path):
    path = tmp_path / "report.xlsx"
    book = Book(str(path))
    sheet = book.sheet("s")
    sheet.note("说明")
    assert sheet.table(COLUMNS, table_rows()) == len(TEXTS)
    book.close()
    xml = sheet_xml(path)
    assert "<t>a&amp;b&lt;c&gt;d</t>" in xml
    assert "_x005F_x0041_ looks like an escape" in xml  # Excel's escape of an escape
    assert '<t xml:space="preserve"> leading space</t>' in xml
    assert "<t>&lt;r&gt;rich-looking&lt;/r&gt;</t>" in xml  # never written as markup
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:E{len(TEXTS) + 2}"
    assert [c.value for c in ws[2]] == [str(c.header) for c in COLUMNS]
    first = ws[3]
    assert [c.value for c in first] == [TEXTS[0], 0, 1234.5, 0.6667, datetime(2021, 6, 30)]
    assert [c.number_format for c in first[1:]] == ["#,##0", "#,##0.00", "0.00%", "yyyy-mm-dd"]
    assert ws["A6"].value == "control"  # the control character dropped
    formula = ws["A9"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=cmd|' /C calc'!A0", "s", True)
    assert ws["A10"].value is None
    widths = [int(ws.column_dimensions[letter].width) for letter in "ABCDE"]  # XlsxWriter adds padding
    # the widest text; at least 8; the header (保费（元）: five wide characters); a percent; a date
    assert widths == [
        len("_x0041_ looks like an escape") + 2,
        8,
        12,
        len("100.00%") + 2,
        len("2021-06-30") + 2,
    ]


def test_workbooks_side_by_side_get_the_same_table(tmp_path):
    books = [Book(str(tmp_path / f"{n}.xlsx")) for n in range(2)]
    sheets = [book.sheet("s") for book in books]
    assert tables(sheets, COLUMNS, table_rows()) == len(TEXTS)
    for book in books:
        book.close()
    assert sheet_xml(tmp_path / "0.xlsx") == sheet_xml(tmp_path / "1.xlsx")


def test_workbooks_at_different_rows_each_get_the_table(tmp_path):
    books = [Book(str(tmp_path / f"{n}.xlsx")) for n in range(2)]
    sheets = [book.sheet("s") for book in books]
    sheets[1].note("只有第二个工作簿有说明")
    assert tables(sheets, COLUMNS, table_rows()) == len(TEXTS)
    for book in books:
        book.close()
    first, second = (openpyxl.load_workbook(tmp_path / f"{n}.xlsx").worksheets[0] for n in range(2))
    assert [c.value for c in first["A"]][1:] == [c.value for c in second["A"]][2:]


def written(path) -> list[tuple[str, list]]:
    book = openpyxl.load_workbook(path)
    return [(ws.title, [row[0] for row in ws.iter_rows(values_only=True)]) for ws in book.worksheets]


def test_a_table_longer_than_a_sheet_holds_goes_on_in_continuation_sheets(tmp_path, monkeypatch):
    # Excel's sheet holds 1,048,576 rows (a city's work list at ten million elevators has more);
    # the limit is lowered here so that a few rows overflow it.
    monkeypatch.setattr("reporting.reports.workbook.SHEET_ROWS", 4)
    books = [Book(str(tmp_path / f"{n}.xlsx")) for n in range(2)]
    sheets = [book.sheet("未投保清单") for book in books]
    sheets[1].note("说明")  # the second book's table starts a row lower, so both break where it must
    rows = [(f"电梯{n}", n, Decimal("1.00"), Decimal("0.5"), date(2021, 6, 30)) for n in range(7)]
    assert tables(sheets, COLUMNS, iter(rows)) == 7
    for book in books:
        book.sheet("下月到期保单")  # the next sheet comes after the continuations
        book.close()
    pieces = [["电梯0", "电梯1"], ["电梯2", "电梯3", "电梯4"], ["电梯5", "电梯6"]]
    assert written(tmp_path / "0.xlsx") == [
        ("未投保清单", ["名称", *pieces[0]]),
        ("未投保清单（续2）", ["名称", *pieces[1]]),
        ("未投保清单（续3）", ["名称", *pieces[2]]),
        ("下月到期保单", []),
    ]
    assert written(tmp_path / "1.xlsx")[0] == ("未投保清单", ["说明", "名称", *pieces[0]])
    assert written(tmp_path / "1.xlsx")[1:] == written(tmp_path / "0.xlsx")[1:]


def test_a_table_that_fills_its_last_sheet_exactly_opens_no_empty_one(tmp_path, monkeypatch):
    monkeypatch.setattr("reporting.reports.workbook.SHEET_ROWS", 4)
    book = Book(str(tmp_path / "r.xlsx"))
    rows = [(f"电梯{n}", n, None, None, None) for n in range(6)]  # 3 below the header, then 3 more
    assert book.sheet("未投保清单").table(COLUMNS, rows) == 6
    book.close()
    assert [title for title, _names in written(tmp_path / "r.xlsx")] == ["未投保清单", "未投保清单（续2）"]
