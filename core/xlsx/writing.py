"""Writing spreadsheets: exports and error reports, streamed with openpyxl's write-only mode."""

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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
