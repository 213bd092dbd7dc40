"""Writing spreadsheets: exports and error reports, streamed with openpyxl's write-only mode; large
tables streamed into XlsxWriter workbooks a row at a time (table_rows_write, the monthly reports)."""

import functools
import io
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from math import isfinite

import openpyxl
import xlsxwriter.workbook
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from xlsxwriter.format import Format
from xlsxwriter.utility import _datetime_to_excel_datetime, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

ERROR_COLUMN_HEADER = _("错误原因")
ERROR_REASON_SEPARATOR = "；"
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX_LENGTH = 31
EXCEL_NATIVE_TYPES = (bool, int, float, Decimal, date, time, timedelta)


def _sheet_title(title: str) -> str:
    return SHEET_TITLE_FORBIDDEN.sub("", str(title))[:SHEET_TITLE_MAX_LENGTH] or "Sheet1"


def _display_width(text: str) -> int:
    """Columns a text needs in Excel: CJK and other wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# What makes Excel (or a spreadsheet importing the cells) read a text as a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell_value(sheet: object, value: object) -> object:
    """A value openpyxl can write and Excel will show as data, never as a formula."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if value is None or isinstance(value, EXCEL_NATIVE_TYPES):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_PREFIXES):
        # Text from users must not become a live formula in someone else's Excel: stored as text,
        # and quote-prefixed so that editing the cell in Excel keeps it text.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return text


def write_xlsx(
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str = "Sheet1",
    bold_header: bool = True,
) -> bytes:
    """One-sheet .xlsx with a header row and `rows`, streamed through openpyxl's write-only mode.

    Values may be text, numbers, Decimal, dates, aware datetimes (written in local time) or
    anything with a str(); text starting with = + - @, tab or CR is written as quote-prefixed
    text, never as a formula, and
    characters Excel cannot store are dropped.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    header_texts = ["" if h is None else str(h) for h in headers]
    for index, text in enumerate(header_texts, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(_display_width(text) + 2, 10), 50)
    sheet.freeze_panes = "A2"
    header_cells = []
    for text in header_texts:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
        if bold_header:
            cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell_value(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_error_report(
    headers: Sequence[object],
    rows_with_errors: Iterable[tuple[Sequence[object], Sequence[object] | str]],
    *,
    sheet_title: str = "错误报告",
) -> bytes:
    """The refused rows of an import, to fix and upload again.

    The sheet repeats the file's original header row (`Table.headers`) with an extra column
    "错误原因"; each row holds a refused row's original values (`TableRow.original`) and its
    reasons joined by "；". Re-importing the corrected file works because unknown columns such
    as "错误原因" are ignored.
    """
    width = len(headers)

    def report_rows() -> Iterator[list[object]]:
        for values, reasons in rows_with_errors:
            padded = list(values[:width]) + [None] * (width - len(values))
            text = reasons if isinstance(reasons, str) else ERROR_REASON_SEPARATOR.join(map(str, reasons))
            yield [*padded, text]

    return write_xlsx([*headers, str(ERROR_COLUMN_HEADER)], report_rows(), sheet_title=sheet_title)


# --- tables streamed into XlsxWriter, a row's XML in one step -------------------------------------

# What XML 1.0 cannot hold at all (tab, LF and CR it can): dropped, as openpyxl's writer drops them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# A text needing more than the plain path: anything to escape or drop, a CR (Excel's _x000D_),
# text that looks like Excel's _xHHHH_ escapes, Excel's non-characters, whitespace at either end.
_TEXT_SPECIAL = re.compile(r"[\x00-\x1f&<>\ud800-\udfff\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_EXCEL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_WHITESPACE_AT_EITHER_END = re.compile(r"^\s|\s$")
EXCEL_TEXT_MAX = 32767  # UTF-16 units in a cell
DATE_WIDTH, DATETIME_WIDTH = 10, 16  # yyyy-mm-dd, yyyy-mm-dd hh:mm
_EXCEL_DAY_ZERO = date(1899, 12, 30).toordinal()  # serial 0, for dates from 1900-03-01 on


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _excel_text(text: str) -> tuple[str, str]:
    """A cleaned cell text as (what goes between <t> and </t>, the <t> attributes): what XML
    cannot hold dropped, cut to Excel's 32,767 units, CR and the non-characters in Excel's _xHHHH_
    escape (a literal "_x0041_" escaped in turn, as Excel does), & < > escaped, whitespace at
    either end kept. The same bytes XlsxWriter writes for an inline string, except that a text
    shaped like a rich string ("<r>…</r>") is escaped like any other, never written as XML."""
    if len(text) > EXCEL_TEXT_MAX // 2 and _utf16_length(text) > EXCEL_TEXT_MAX:
        text = text.encode("utf-16-le", "surrogatepass")[: EXCEL_TEXT_MAX * 2].decode("utf-16-le", "ignore")
    text = _EXCEL_ESCAPE.sub(r"_x005F\1", text).replace("\r", "_x000D_")
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if _WHITESPACE_AT_EITHER_END.search(text) else ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


def _text_width(text: str) -> int:
    if text.isascii():
        return len(text)
    return _display_width(text)


@dataclass(frozen=True)
class TableColumn:
    """How `table_rows_write` writes a column's values. Text is always text. A number (int, float,
    Decimal) is a number in the `number` style, a date or datetime a date in its style; a kind of
    value whose style is not given (all of them for a text column) is written as its text.
    `number_width`: the width numbers take when shown (a percent's, say); by default their digits
    with thousands separators."""

    number: Format | None = None
    date: Format | None = None
    datetime: Format | None = None
    number_width: int | None = None


def table_rows_write(
    worksheets: Sequence[Worksheet],
    first_row: int,
    columns: Sequence[TableColumn],
    rows: Iterable[Sequence[object]],
    *,
    quoted: Format,
    widths: Sequence[int] = (),
    width_cap: int = 255,
) -> tuple[int, list[int]]:
    """Write `rows` from `first_row` down on each of `worksheets` (XlsxWriter, constant_memory
    mode, all at that row with nothing written at or below it), each row's XML rendered once, in
    one step, from pieces computed per column, instead of XlsxWriter's call per cell (most of a
    large report's time). Returns (how many rows, each column's width: the widest of `widths` and
    of its cells as shown, in characters, a wide one counting two; texts measured up to
    `width_cap`).

    Values as TableColumn says; None and "" leave the cell blank; aware datetimes are written in
    local time (Excel has no time zones). Text is written safely: characters XML forbids dropped,
    and text a spreadsheet would read as a formula (FORMULA_PREFIXES) stored as text with the
    `quoted` style (Excel's quote prefix), so that editing the cell keeps it text. Cells take no
    row or column format (the sheets have none where these rows go)."""
    for worksheet in worksheets:
        if not worksheet.constant_memory or worksheet.previous_row > first_row:
            raise ValueError("table_rows_write: a constant_memory worksheet with nothing below first_row")
        if first_row > worksheet.previous_row:
            worksheet._write_single_row(first_row)  # the row above (a header) goes out first
        elif worksheet.table:
            raise ValueError("table_rows_write: first_row already holds cells")
    sheet = worksheets[0]
    height = sheet.default_row_height
    row_tag = '">'
    if height != sheet.original_row_height:
        row_tag = f'" ht="{height * 0.75:.16g}" customHeight="1">'
    if sheet.excel_version == 2010:
        row_tag = row_tag[:-1] + ' x14ac:dyDescent="0.25">'

    def style(fmt: Format | None) -> str | None:  # what follows a cell's reference, up to its ">"
        return None if fmt is None else f'" s="{fmt._get_xf_index()}"'

    cells = [
        (
            col,
            f'<c r="{xl_col_to_name(col)}',
            style(column.number),
            style(column.date),
            style(column.datetime or column.date),
            column.number_width,
        )
        for col, column in enumerate(columns)
    ]
    quoted_style = f' s="{quoted._get_xf_index()}"'
    widths = [*(widths or ()), *[0] * len(columns)][: len(columns)]
    date_1904, local = sheet.date_1904, timezone.localtime
    handles = [worksheet.fh for worksheet in worksheets]
    row, count, lines = first_row, 0, []
    for values in rows:
        number = str(row + 1)
        out = ['<row r="', number, row_tag]
        # a row shorter than the columns leaves the rest blank
        for (col, ref, number_style, date_style, datetime_style, number_width), value in zip(
            cells, values, strict=False
        ):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                text = value
            elif value is None:
                continue
            elif (kind is int or kind is float or kind is Decimal) and number_style is not None:
                if not isfinite(value):
                    text = str(value)
                else:
                    shown = float(value) if kind is Decimal else value
                    out.append(f"{ref}{number}{number_style}><v>{shown:.16G}</v></c>")
                    width = number_width or len(f"{value:,}")
                    if width > widths[col]:
                        widths[col] = width
                    continue
            elif (kind is date and date_style is not None) or (
                kind is datetime and datetime_style is not None
            ):
                if kind is date:
                    serial, cell_style, width = value.toordinal() - _EXCEL_DAY_ZERO, date_style, DATE_WIDTH
                    if serial < 61 or date_1904:  # Excel's 1900 leap day, or the Mac epoch
                        serial = _datetime_to_excel_datetime(value, date_1904, True)
                else:
                    if timezone.is_aware(value):
                        value = local(value).replace(tzinfo=None)
                    serial = _datetime_to_excel_datetime(value, date_1904, True)
                    cell_style, width = datetime_style, DATETIME_WIDTH
                out.append(f"{ref}{number}{cell_style}><v>{serial:.16G}</v></c>")
                if widths[col] < width:
                    widths[col] = width
                continue
            elif kind is bool and number_style is not None:
                out.append(f'{ref}{number}" t="b"><v>{int(value)}</v></c>')
                continue
            else:
                text = str(value)
                if not text:
                    continue
            if len(text) > EXCEL_TEXT_MAX // 2 or _TEXT_SPECIAL.search(text):
                if XML_ILLEGAL.search(text):
                    text = XML_ILLEGAL.sub("", text)
                    if not text:
                        continue
                shown, preserve = _excel_text(text)
            else:
                shown, preserve = text, ""
            cell_style = quoted_style if text.startswith(FORMULA_PREFIXES) else ""
            out.append(f'{ref}{number}"{cell_style} t="inlineStr"><is><t{preserve}>{shown}</t></is></c>')
            # Measure a text only when it could widen its column: its width is at most its length
            # plus half the bytes beyond one a character (a wide character takes three in UTF-8).
            width = widths[col]
            if width < width_cap:
                length = len(text)
                if length + (len(text.encode()) - length) // 2 > width:
                    widths[col] = max(width, min(_text_width(text), width_cap))
        out.append("</row>")
        lines.append("".join(out))
        row += 1
        count += 1
        if len(lines) == 500:  # a write per 500 rows: the file's own write was a tenth of the time
            block = "".join(lines)
            for handle in handles:
                handle.write(block)
            lines.clear()
    block = "".join(lines)
    for handle in handles:
        handle.write(block)
    if count:
        for worksheet in worksheets:
            worksheet._check_dimensions(first_row, 0)
            worksheet._check_dimensions(row - 1, len(columns) - 1)
            worksheet.previous_row = row
    return count, widths


_DEFLATE = threading.Lock()


def xlsxwriter_close(workbook: xlsxwriter.Workbook, *, compresslevel: int = 1) -> None:
    """Close (write out) an XlsxWriter workbook, its parts deflated at zlib's `compresslevel`.

    XlsxWriter zips at zlib's default level (6) and has no option for it; a large report's sheet
    XML deflates about three times faster at level 1 for a sixth more bytes (70 MB of work list:
    2.1 s and 4.7 MB at 6, 0.7 s and 5.4 MB at 1). The ZipFile XlsxWriter opens is given the level
    for this close only (under a lock: one workbook of the process at a time is written out so)."""
    with _DEFLATE:
        zip_file = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = functools.partial(zip_file, compresslevel=compresslevel)
        try:
            workbook.close()
        finally:
            xlsxwriter.workbook.ZipFile = zip_file
