"""Tables streamed into XlsxWriter a row at a time (core.xlsx.writing.table_rows_write): the bytes
XlsxWriter writes for the same cells, and text that stays text, whatever a user typed."""

import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter.workbook

from core.xlsx.writing import (
    EXCEL_TEXT_MAX,
    FORMULA_PREFIXES,
    TableColumn,
    table_rows_write,
    xlsxwriter_close,
)

TEXTS = [
    "襄阳市襄城区人民路 12 号",
    "a&b<c>d",
    'say "hi"',
    "_x0041_ looks like an escape",
    " leading space",
    "trailing space ",
    "\u3000全角空格开头",
    "line\nbreak",
    "trailing newline\n",
    "\rcarriage return first",
    "tab\tinside",
    "non-character \ufffe and \uffff",
    "=1+2",
    "@SUM(A1)",
    "-3",
    "",
    None,
]
NUMBERS = [0, 7, -12, 3.25, Decimal("300.50"), Decimal("0.6667"), 12345678901234567, 1e-7]
DATES = [date(2021, 6, 30), date(1900, 3, 1), datetime(2021, 6, 30, 12, 30), None]


def sheet_xml(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def rows():
    for n, text in enumerate(TEXTS):
        yield (text, text, NUMBERS[n % len(NUMBERS)], DATES[n % len(DATES)])


def by_xlsxwriter(path) -> bytes:
    """The same table written cell by cell through XlsxWriter's own API."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("s")
    bold, quoted, money = book.add_format({"bold": True}), book.add_format({"quote_prefix": True}), None
    money = book.add_format({"num_format": "#,##0.00"})
    day, moment = (
        book.add_format({"num_format": "yyyy-mm-dd"}),
        book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    )
    sheet.write_string(0, 0, "header", bold)
    for row, values in enumerate(rows(), start=1):
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(row, col, value, quoted if value.startswith(FORMULA_PREFIXES) else None)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, col, value, moment)
            elif isinstance(value, date):
                sheet.write_datetime(row, col, value, day)
            else:
                sheet.write_number(row, col, float(value), money)
    sheet.write_string(len(TEXTS) + 1, 0, "after", bold)
    book.close()
    return sheet_xml(path)


def by_rows(path, *, books: int = 1) -> list[bytes]:
    """The same table through table_rows_write, on `books` workbooks at once."""
    paths = [f"{path}.{n}.xlsx" for n in range(books)]
    workbooks = [xlsxwriter.Workbook(p, {"constant_memory": True}) for p in paths]
    sheets, styles = [], []
    for book in workbooks:
        sheet = book.add_worksheet("s")
        bold, quoted = book.add_format({"bold": True}), book.add_format({"quote_prefix": True})
        money = book.add_format({"num_format": "#,##0.00"})
        day, moment = (
            book.add_format({"num_format": "yyyy-mm-dd"}),
            book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        )
        sheet.write_string(0, 0, "header", bold)
        sheets.append(sheet)
        styles.append((bold, quoted, money, day, moment))
    _bold, quoted, money, day, moment = styles[0]
    columns = [
        TableColumn(),
        TableColumn(),
        TableColumn(number=money),
        TableColumn(date=day, datetime=moment),
    ]
    count, _widths = table_rows_write(sheets, 1, columns, rows(), quoted=quoted)
    assert count == len(TEXTS)
    for sheet, (bold, *_rest) in zip(sheets, styles, strict=True):
        sheet.write_string(len(TEXTS) + 1, 0, "after", bold)
    for book in workbooks:
        book.close()
    return [sheet_xml(p) for p in paths]


def test_rows_are_the_bytes_xlsxwriter_writes_cell_by_cell(tmp_path):
    [xml] = by_rows(tmp_path / "rows")
    assert xml == by_xlsxwriter(tmp_path / "cells.xlsx")


def test_workbooks_written_side_by_side_get_the_same_rows(tmp_path):
    first, second = by_rows(tmp_path / "rows", books=2)
    assert first == second == by_xlsxwriter(tmp_path / "cells.xlsx")


def write(tmp_path, columns, values_rows, header=("h",)):
    path = str(tmp_path / "t.xlsx")
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("s")
    for col, text in enumerate(header):
        sheet.write_string(0, col, text)
    quoted = book.add_format({"quote_prefix": True})
    formats = {
        "int": book.add_format({"num_format": "#,##0"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    specs = [
        TableColumn()
        if kind == "text"
        else TableColumn(number=formats["int"], date=formats["date"], datetime=formats["datetime"])
        for kind in columns
    ]
    count, widths = table_rows_write([sheet], 1, specs, values_rows, quoted=quoted)
    book.close()
    ElementTree.fromstring(sheet_xml(path))  # well-formed XML (expat)
    return openpyxl.load_workbook(path).worksheets[0], widths


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1+2", "@SUM(A1)", "\t=1", '=HYPERLINK("http://x")'])
def test_a_formula_prefix_stays_text_with_the_quote_prefix(tmp_path, text):
    sheet, _widths = write(tmp_path, ["text", "text"], [(text, "普通文字")])
    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix) == (text, "s", True)
    assert (sheet["B2"].value, sheet["B2"].quotePrefix) == ("普通文字", False)


def test_a_carriage_return_first_is_quoted_and_kept_as_excel_escapes_it(tmp_path):
    sheet, _widths = write(tmp_path, ["text"], [("\r=1",)])
    assert "_x000D_=1" in sheet_xml(tmp_path / "t.xlsx").decode()
    assert sheet["A2"].quotePrefix and sheet["A2"].data_type == "s"


def test_characters_xml_forbids_are_dropped_and_the_file_stays_well_formed(tmp_path):
    text = "a\x00b\x07c\x0bd\x1fe\ud800f"
    sheet, _widths = write(tmp_path, ["text", "text"], [(text, "\x01\x02")])
    assert sheet["A2"].value == "abcdef"
    assert sheet["B2"].value is None  # nothing left: blank


def test_text_shaped_like_markup_is_escaped_never_written_as_xml(tmp_path):
    texts = ["<r><t>rich</t></r>", '</t></is></c><c r="Z9"><v>1</v></c>', "&amp; already", "]]>"]
    sheet, _widths = write(tmp_path, ["text"], [(t,) for t in texts])
    assert [sheet.cell(row, 1).value for row in range(2, 6)] == texts
    assert sheet["Z9"].value is None


def test_very_long_text_is_cut_to_what_a_cell_holds(tmp_path):
    long, emoji = "长" * 40000, "😀" * 20000  # an emoji is two UTF-16 units
    sheet, widths = write(tmp_path, ["text", "text"], [(long, emoji)])
    assert sheet["A2"].value == "长" * EXCEL_TEXT_MAX
    assert sheet["B2"].value == "😀" * (EXCEL_TEXT_MAX // 2)
    assert widths == [255, 255]  # measured up to the cap


def test_numbers_dates_blanks_and_other_values(tmp_path):
    aware = datetime(2021, 3, 5, 0, 30, tzinfo=UTC)
    values = [
        ("文字", 7, "311042001201500123"),
        (None, Decimal("300.50"), date(2021, 3, 5)),
        ("", None, aware),
        (12, "", "文本在数字列"),
        (date(2021, 3, 5), float("nan"), 3),
        (True, True),  # a short row: the rest blank
    ]
    sheet, widths = write(tmp_path, ["text", "value", "value"], values, header=("名称", "n", "日期"))
    got = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert got == [
        ["文字", 7, "311042001201500123"],
        [None, 300.5, datetime(2021, 3, 5)],
        [None, None, datetime(2021, 3, 5, 8, 30)],  # local time, Asia/Shanghai
        ["12", None, "文本在数字列"],
        ["2021-03-05", "nan", 3],
        ["True", True, None],
    ]
    assert sheet["B2"].number_format == "#,##0" and sheet["C3"].number_format == "yyyy-mm-dd"
    assert sheet["C4"].number_format == "yyyy-mm-dd hh:mm"
    assert widths == [len("2021-03-05"), len("300.50"), 18]  # 文本在数字列: six wide characters


def test_rows_go_only_where_nothing_is_written_yet(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet("s")
    quoted = book.add_format({"quote_prefix": True})
    sheet.write_string(3, 0, "below")
    with pytest.raises(ValueError):
        table_rows_write([sheet], 1, [TableColumn()], [("x",)], quoted=quoted)
    with pytest.raises(ValueError):
        table_rows_write([sheet], 3, [TableColumn()], [("x",)], quoted=quoted)
    book.close()
    plain = xlsxwriter.Workbook(str(tmp_path / "p.xlsx"))
    with pytest.raises(ValueError):
        table_rows_write([plain.add_worksheet("s")], 0, [TableColumn()], [("x",)], quoted=quoted)
    plain.close()


def test_a_workbook_closed_at_a_lower_deflate_level_opens_and_the_zip_class_is_restored(tmp_path):
    original = xlsxwriter.workbook.ZipFile
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet("s")
    quoted = book.add_format({"quote_prefix": True})
    table_rows_write([sheet], 0, [TableColumn()], [("襄阳市襄城区人民路 12 号",)] * 1000, quoted=quoted)
    xlsxwriter_close(book)
    assert xlsxwriter.workbook.ZipFile is original
    assert (
        openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]["A1000"].value == "襄阳市襄城区人民路 12 号"
    )
