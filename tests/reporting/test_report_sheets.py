"""The reports' worksheet writes the bytes XlsxWriter writes, cell for cell, on its shorter path
for plain text and on XlsxWriter's own path for everything else."""

import zipfile
from datetime import date

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reporting.reports.builders import Book, Column
from reporting.reports.worksheet import StreamingWorksheet

TEXTS = [
    "襄阳市襄城区人民路 12 号",
    "a&b<c>d",
    'say "hi"',
    "_x0041_ looks like an escape",
    "\x01control",
    " leading space",
    "trailing space ",
    "line\nbreak",
    "trailing newline\n",
    "<r>rich-looking</r>",
    "non-character \ufffe",
    "",
]


def sheet_xml(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def write(path, worksheet_class) -> bytes:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("s", worksheet_class=worksheet_class)
    bold = workbook.add_format({"bold": True})
    for row, text in enumerate(TEXTS):
        sheet.write_string(row, 0, text)
        sheet.write_string(row, 1, text, bold)
        sheet.write_number(row, 2, row)
        sheet.write_datetime(row, 3, date(2021, 6, 30))
    sheet.set_row(len(TEXTS), None, bold)  # a row's format applies to its cells
    sheet.write_string(len(TEXTS), 0, "row format")
    sheet.set_column(0, 0, 20)
    workbook.close()
    return sheet_xml(path)


def test_the_shorter_path_writes_what_xlsxwriter_writes(tmp_path):
    assert write(tmp_path / "plain.xlsx", Worksheet) == write(tmp_path / "short.xlsx", StreamingWorksheet)


def test_a_report_table_is_written_on_the_shorter_path(tmp_path):
    book = Book(str(tmp_path / "report.xlsx"))
    assert isinstance(book.sheet("s").worksheet, StreamingWorksheet)
    sheet = book.sheets[0]
    sheet.table((Column("名称"), Column("台数", "int")), [(text, n) for n, text in enumerate(TEXTS)])
    book.close()
    xml = sheet_xml(tmp_path / "report.xlsx").decode()
    assert "<t>a&amp;b&lt;c&gt;d</t>" in xml
    assert "_x005F_x0041_ looks like an escape" in xml  # XlsxWriter's escape of an escape
    assert '<t xml:space="preserve"> leading space</t>' in xml
