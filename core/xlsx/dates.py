"""Dates as spreadsheets hold them: date cells, Excel serial numbers and the text forms people type."""

import re
import unicodedata
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import from_excel

from core.validators import implausible_date_error, validate_plausible_date

DATE_TEXT_FORMATS = (
    # 2021-03-05, 2021/3/5, 2021.03.05 (one separator throughout)
    re.compile(r"^(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})$"),
    re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$"),  # 20210305
    re.compile(r"^(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日?$"),  # 2021年3月5日
)
# "2021-03-05 00:00:00" or "2021/3/5 0:00", as CSV exports write date cells.
TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
# An Excel serial number written out as text (a CSV of raw cell values): 44260 or 44260.0.
SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$")
# Serial numbers with five digits only (1927-05-18 .. 2173-10-14 in the 1900 date system): smaller
# numbers are far likelier a year typed alone (2015) than a date in 1905.
EXCEL_SERIAL_RANGE = (10_000, 99_999)
DATE_FORMATS_HELP = "2021-03-05、2021/3/5、2021.03.05、20210305、2021年3月5日"


def _date_error(value: object) -> ValidationError:
    return ValidationError(
        _("无法识别的日期：“%(value)s”（可用格式：%(formats)s）。"),
        code="date",
        params={"value": value, "formats": DATE_FORMATS_HELP},
    )


def _date_from_parts(year: str, month: str, day: str, *, original: object) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            _("日期不存在：“%(value)s”。"), code="date", params={"value": original}
        ) from None


def _date_from_serial(serial: float, *, original: object) -> date:
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial < high + 1:
        raise _date_error(original)
    return from_excel(serial).date()


def parse_date(value: object) -> date | None:
    """A date from a spreadsheet cell; None when the cell is empty.

    Accepts date and datetime cells, Excel serial numbers (1900 date system, five digits:
    44260 is 2021-03-05, while a bare year such as 2015 is refused), 8-digit numbers such as
    20210305, and text in the forms 2021-03-05, 2021/3/5, 2021.03.05, 20210305 and 2021年3月5日,
    full-width digits included, with or without a trailing time of day. Anything
    else raises ValidationError quoting the value, and so does a date outside 1900..2100
    (core.validators): a policy list starting "0003-01-01" is a typing error in that row.
    """
    day = _parse_date(value)
    if day is not None:
        try:
            validate_plausible_date(day)
        except ValidationError:
            raise implausible_date_error(value) from None
    return day


def _parse_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _date_error(value)
    if isinstance(value, int | float):
        if float(value).is_integer() and 10_000_000 <= value <= 99_999_999:
            return _parse_date(str(int(value)))
        return _date_from_serial(value, original=value)
    if not isinstance(value, str):
        raise _date_error(value)
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    text = "".join(TIME_SUFFIX.sub("", text).split())
    for pattern in DATE_TEXT_FORMATS:
        match = pattern.match(text)
        if match:
            return _date_from_parts(match["year"], match["month"], match["day"], original=value)
    if SERIAL_TEXT.match(text):
        return _date_from_serial(float(text), original=value)
    raise _date_error(value)
