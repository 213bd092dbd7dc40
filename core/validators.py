"""Validators with no domain rule, shared by the API serializers, the forms and the imports."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Every date Tibao keeps (manufacture, installation, inspection, cover, claims) lies in these years.
# A date outside them is a typing error, and one near year 1 or 9999 overflowed a timezone or a
# policy year (a 500); it is refused as what it is instead.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def implausible_date_error(value: object) -> ValidationError:
    """The refusal of a date outside EARLIEST_DATE..LATEST_DATE, quoting `value`."""
    return ValidationError(
        _("日期须在%(earliest)s年至%(latest)s年之间：%(value)s。"),
        code="date_range",
        params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year, "value": value},
    )


def validate_plausible_date(value: date | datetime) -> None:
    """Refuse a date (or a datetime's date) outside 1900-01-01..2100-12-31."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise implausible_date_error(day.isoformat())


def validate_positive(value) -> None:
    """Refuse zero and negative amounts (a limit, a coefficient)."""
    if value is not None and value <= 0:
        raise ValidationError(_("须大于0。"), code="not_positive")


def validate_not_negative(value) -> None:
    """Refuse negative amounts (a base premium, a deductible)."""
    if value is not None and value < 0:
        raise ValidationError(_("不能为负数。"), code="negative")
