"""The monthly report's workbook machinery: a Book (XlsxWriter in constant-memory mode, its
formats), its Sheets (a title, a row cursor, cells of a kind, widths that fit) and `tables`, which
streams the same rows into sheets of several books side by side, a row's XML at a time
(core.xlsx.writing.table_rows_write). reporting.reports.builders writes the report's sheets on it.

Every text cell is written as a string (never a formula, a number or a link); text a spreadsheet
would read as a formula (= + - @, a tab or a carriage return first) also carries Excel's quote
prefix, so editing the cell or saving the sheet as CSV keeps it text.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from core.xlsx.writing import FORMULA_PREFIXES, TableColumn, table_rows_write, xlsxwriter_close

ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_WIDTH = 60
SHEET_ROWS = 1_048_576  # the rows a worksheet holds (Excel's limit): a longer table continues
SHEET_TITLE = 31  # the characters a worksheet's name may have
_END = object()


@dataclass(frozen=True)
class Column:
    header: object  # text, or a lazy translation resolved when the sheet is written
    kind: str = "text"  # text | int | money | percent | date | datetime


def _width(value: object) -> int:
    text = value if isinstance(value, str) else str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Sheet:
    """One worksheet written top to bottom: tables with a bold, frozen header row, an auto-filter,
    number formats per column and widths that fit what was written.

    A table's rows (the work lists run to hundreds of thousands) go straight into the sheet's XML,
    a row in one step (`tables`, core.xlsx.writing.table_rows_write): XlsxWriter's call per cell
    was nearly all of a large report's time. Single cells (titles, headers, the summary's figures)
    go to XlsxWriter's undecorated writers (_write_string, _write_number, _write_datetime).
    """

    def __init__(self, book: "Book", title: str):
        self.book = book
        self.worksheet = book.workbook.add_worksheet(title[:31])
        self.row = 0
        self.widths: dict[int, int] = {}

    def _fit(self, col: int, value: object) -> None:
        self.widths[col] = max(self.widths.get(col, 8), min(_width(value) + 2, MAX_WIDTH))

    def _fit_text(self, col: int, text: str) -> None:
        # Measure a text only when it could widen its column. Its width is its length plus one per
        # wide character, every one of which takes at least three bytes in UTF-8: so at most its
        # length plus half the bytes beyond one a character.
        width = self.widths.setdefault(col, 8)
        if width < MAX_WIDTH:
            length = len(text)
            if length + (len(text.encode()) - length) // 2 + 2 > width:
                self.widths[col] = max(width, min(_width(text) + 2, MAX_WIDTH))

    def text(self, col: int, value: object, fmt=None) -> None:
        text = "" if value is None else value if type(value) is str else str(value)
        if ILLEGAL_XML.search(text):
            text = ILLEGAL_XML.sub("", text)
        if text.startswith(FORMULA_PREFIXES):
            fmt = self.book.formats["quoted"]
        self.worksheet._write_string(self.row, col, text, fmt)
        self._fit_text(col, text)

    def _writer(self, kind: str):
        """The cell writer (col, value) of a column of `kind`; an empty value leaves the cell blank
        and a text value is written as text whatever the kind."""
        formats, worksheet, text = self.book.formats, self.worksheet, self.text
        if kind == "text":

            def write(col, value):
                if value is not None and value != "":
                    text(col, value)

        elif kind == "percent":
            percent = formats["percent"]

            def write(col, value):
                if value is None or value == "" or isinstance(value, str):
                    return write_other(col, value)
                worksheet._write_number(self.row, col, float(value), percent)
                self._fit(col, "100.00%")

        elif kind in ("date", "datetime"):

            def write(col, value):
                if isinstance(value, datetime):
                    if timezone.is_aware(value):
                        value = timezone.localtime(value).replace(tzinfo=None)
                    worksheet._write_datetime(self.row, col, value, formats["datetime"])
                    self._fit(col, "2021-06-30 00:00")
                elif isinstance(value, date):
                    worksheet._write_datetime(self.row, col, value, formats["date"])
                    self._fit(col, "2021-06-30")
                else:
                    write_other(col, value)

        else:
            number = formats["money"] if kind == "money" else formats["int"]

            def write(col, value):
                if value is None or value == "" or isinstance(value, str):
                    return write_other(col, value)
                worksheet._write_number(
                    self.row, col, float(value) if isinstance(value, Decimal) else value, number
                )
                self._fit(col, f"{value:,}")

        def write_other(col, value):
            # blank or text in a column of numbers or dates; numbers in a date column
            if value is None or value == "":
                return
            if isinstance(value, str):
                return text(col, value)
            self._writer("money" if kind == "money" else "int")(col, value)

        return write

    def value(self, col: int, value: object, kind: str) -> None:
        self._writer(kind)(col, value)

    def note(self, text: str) -> None:
        self.text(0, text, self.book.formats["note"])
        self.row += 1

    def table(
        self, columns: Sequence[Column], rows: Iterable[Sequence[object]], *, freeze: bool = True
    ) -> int:
        """A header row (frozen, filtered) and the rows beneath it; returns how many were written."""
        return tables([self], columns, rows, freeze=freeze)

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.worksheet.set_column(col, col, width)


def _table_column(book: "Book", kind: str) -> TableColumn:
    """How a column of `kind` writes its values (core.xlsx.writing.table_rows_write): text as
    text whatever the kind; numbers in a date column as integers."""
    formats = book.formats
    if kind == "text":
        return TableColumn()
    if kind == "percent":
        return TableColumn(number=formats["percent"], number_width=len("100.00%"))
    if kind in ("date", "datetime"):
        return TableColumn(number=formats["int"], date=formats["date"], datetime=formats["datetime"])
    return TableColumn(number=formats["money"] if kind == "money" else formats["int"])


def continued(sheet: Sheet, title: str, part: int) -> Sheet:
    """A new sheet of `sheet`'s book for the `part`-th piece of a table too long for one:
    "<title>（续2）" and so on, after the sheets written so far."""
    suffix = _("（续%(part)d）") % {"part": part}
    return sheet.book.sheet(title[: SHEET_TITLE - len(suffix)] + suffix)


def tables(
    sheets: Sequence[Sheet],
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    freeze: bool = True,
) -> int:
    """The same table on each of `sheets` (one per workbook), its rows read once: a header row
    (frozen, filtered) and the rows beneath it, each row's XML rendered once for all the sheets
    (table_rows_write). Returns how many rows were written.

    A worksheet holds SHEET_ROWS rows: a table longer than that (a work list of millions of
    elevators) goes on in sheets of its own, each with the header again (`continued`), so that
    every sheet opens in Excel."""
    rows, count, part = iter(rows), 0, 1
    titles = [sheet.worksheet.name for sheet in sheets]
    while True:
        room = SHEET_ROWS - 1 - max(sheet.row for sheet in sheets)  # the rows below the header
        written = _table_part(sheets, columns, islice(rows, room), freeze=freeze)
        count += written
        following = next(rows, _END) if written == room else _END
        if following is _END:
            return count
        rows, part = chain([following], rows), part + 1
        sheets = [continued(sheet, title, part) for sheet, title in zip(sheets, titles, strict=True)]


def _table_part(
    sheets: Sequence[Sheet], columns: Sequence[Column], rows: Iterable[Sequence[object]], *, freeze: bool
) -> int:
    """A header row and `rows` beneath it on each of `sheets` (see `tables`)."""
    header_rows = []
    for sheet in sheets:
        header_rows.append(sheet.row)
        for col, column in enumerate(columns):
            sheet.text(col, column.header, sheet.book.formats["header"])
        if freeze:
            sheet.worksheet.freeze_panes(sheet.row + 1, 0)
        sheet.row += 1
    # Sheets whose next row and styles agree share one rendering (workbooks built alike do).
    groups: dict[tuple, list[Sheet]] = {}
    for sheet in sheets:
        specs = [_table_column(sheet.book, column.kind) for column in columns]
        styles = [
            fmt._get_xf_index() if fmt is not None else None
            for spec in specs
            for fmt in (spec.number, spec.date, spec.datetime)
        ]
        groups.setdefault((sheet.row, sheet.book.formats["quoted"]._get_xf_index(), *styles), []).append(
            sheet
        )
    if len(groups) > 1:
        rows = list(rows)  # read once, written per group
    count = 0
    for group in groups.values():
        first = group[0]
        count, widths = table_rows_write(
            [sheet.worksheet for sheet in group],
            first.row,
            [_table_column(first.book, column.kind) for column in columns],
            rows,
            quoted=first.book.formats["quoted"],
            widths=[first.widths.get(col, 8) - 2 for col in range(len(columns))],
            width_cap=MAX_WIDTH - 2,
        )
        for sheet in group:
            sheet.row += count
            for col, width in enumerate(widths):
                sheet.widths[col] = max(sheet.widths.get(col, 8), min(width + 2, MAX_WIDTH))
    for sheet, header_row in zip(sheets, header_rows, strict=True):
        sheet.worksheet.autofilter(header_row, 0, max(sheet.row - 1, header_row), len(columns) - 1)
    return count


class Book:
    def __init__(self, path: str):
        self.workbook = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        add = self.workbook.add_format
        self.formats = {
            "header": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": False}),
            "quoted": add({"quote_prefix": True}),
            "note": add({"italic": True, "font_color": "#555555"}),
            "title": add({"bold": True, "font_size": 14}),
            "int": add({"num_format": "#,##0"}),
            "money": add({"num_format": "#,##0.00"}),
            "percent": add({"num_format": "0.00%"}),
            "date": add({"num_format": "yyyy-mm-dd"}),
            "datetime": add({"num_format": "yyyy-mm-dd hh:mm"}),
        }
        self.sheets: list[Sheet] = []

    def sheet(self, title: str) -> Sheet:
        sheet = Sheet(self, title)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.finish()
        xlsxwriter_close(self.workbook)
