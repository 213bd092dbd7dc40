"""A serializer's shape check for many items at once: a quick path for the plain valid item, DRF's
own for everything else.

A bulk request of a thousand items spent about as long in DRF's per-field machinery
(`run_validation`, `validate_empty_values`, `get_value`, the error bookkeeping) as in storing them.
`QuickShape(serializer).run_validation(item)` answers what `serializer.run_validation(item)` answers:
for each field of a kind it knows (text, choice, whole number, yes/no, decimal, date, date-time)
it takes a value of the plain JSON type that needs no coercion, with the field's own conversion
and validators; any other value — a wrong type, blank or padded text, a field it does not know
(a nested list), a validator refusing — sends the whole item through the serializer, so every
refusal is DRF's, word for word. The schema is the serializer's: nothing here is described.

A serializer with `validate()`, `validate_<field>` methods, serializer-level validators or field
defaults is not sped up (its items all go through DRF).
"""

import datetime
import re
from decimal import Decimal

from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from rest_framework import ISO_8601, serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator

_FALLBACK = object()


class _Refer(Exception):
    """This value is not for the quick path: let the serializer decide the item."""


def _text(field):
    def convert(value):
        if type(value) is not str or not value or value.strip() != value:
            raise _Refer  # blank and padded text: DRF's own handling of both
        return value

    return convert


def _choice(field):
    choices = field.choice_strings_to_values

    def convert(value):
        if type(value) is not str or value not in choices:
            raise _Refer
        return choices[value]

    return convert


def _whole(field):
    def convert(value):
        if type(value) is not int:  # not bool, not "12", not 12.0
            raise _Refer
        return value

    return convert


def _yes_no(field):
    def convert(value):
        if type(value) is not bool:
            raise _Refer
        return value

    return convert


def _decimal(field):
    """Plain decimal text or a whole number within the field's digits, quantized as DRF does; the
    rest (exponents, signs, spaces, too many digits, floats) is DRF's to convert or refuse."""
    if field.max_digits is None or field.decimal_places is None or field.localize:
        return _drf(str, int)(field)
    whole = field.max_digits - field.decimal_places
    plain = re.compile(
        rf"\d{{1,{whole}}}(?:\.\d{{1,{field.decimal_places}}})?"
        if field.decimal_places
        else rf"\d{{1,{whole}}}"
    )

    def convert(value):
        if type(value) is int and 0 <= value < 10**whole:
            return field.quantize(Decimal(value))
        if type(value) is not str or not plain.fullmatch(value):
            raise _Refer
        return field.quantize(Decimal(value))

    return convert


def _drf(*types):
    """The field's own to_internal_value, for values of `types`."""

    def build(field):
        def convert(value):
            if type(value) not in types:
                raise _Refer
            return field.to_internal_value(value)

        return convert

    return build


def _iso_first(field, formats) -> bool:
    """Whether the field tries ISO 8601 first: then DRF's answer for a text Python's fromisoformat
    reads is fromisoformat's (Django's parse_date and parse_datetime try it first)."""
    formats = getattr(field, "input_formats", formats)
    return bool(formats) and formats[0].lower() == ISO_8601


def _iso(parse, formats: str, *, in_timezone: bool = False, check=None):
    """A date or date-time as `parse` (date/datetime.fromisoformat) reads it, a date-time put in the
    field's timezone as DRF puts it (`enforce_timezone`), then `check`; any other text is DRF's to
    read or refuse, in its words. `formats`: the DRF setting of the field's default input formats."""

    def build(field):
        if not _iso_first(field, getattr(api_settings, formats)):
            return _drf(str)(field)
        finish = field.enforce_timezone if in_timezone else None

        def convert(value):
            if type(value) is not str:
                raise _Refer
            parsed = parse(value)
            if finish is not None:
                parsed = finish(parsed)
            if check is not None:
                check(parsed)
            return parsed

        return convert

    return build


# Exact classes (a subclass may change the conversion) or those known to only add a check there.
def _converters():
    from core.validators import validate_plausible_date

    from .fields import PlausibleDateField, PlausibleDateTimeField

    date_args = (datetime.date.fromisoformat, "DATE_INPUT_FORMATS")
    moment_args = (datetime.datetime.fromisoformat, "DATETIME_INPUT_FORMATS")
    date, moment = _iso(*date_args), _iso(*moment_args, in_timezone=True)
    return {
        serializers.CharField: _text,
        serializers.ChoiceField: _choice,
        serializers.IntegerField: _whole,
        serializers.BooleanField: _yes_no,
        serializers.DecimalField: _decimal,
        serializers.DateField: date,
        PlausibleDateField: _iso(*date_args, check=validate_plausible_date),
        serializers.DateTimeField: moment,
        PlausibleDateTimeField: _iso(*moment_args, in_timezone=True, check=validate_plausible_date),
    }


def _speeds_up(serializer: serializers.Serializer) -> bool:
    kind = type(serializer)
    return (
        kind.validate is serializers.Serializer.validate
        and kind.to_internal_value is serializers.Serializer.to_internal_value
        and kind.run_validation is serializers.Serializer.run_validation
        and not serializer.validators
        and not any(hasattr(serializer, f"validate_{name}") for name in serializer.fields)
    )


def _checked(convert, validators):
    """`convert`, then the field's validators: the common ones written out (each refusing exactly
    what the validator refuses: any refusal sends the item to DRF, which says why), the others
    called; None when one needs the serializer's context (DRF's to run)."""
    if any(getattr(validator, "requires_context", False) for validator in validators):
        return None
    longest = shortest = least = most = None
    no_nul = no_surrogate = False
    others = []
    for validator in validators:
        kind, limit = type(validator), getattr(validator, "limit_value", None)
        if kind is MaxLengthValidator and type(limit) is int:
            longest = limit if longest is None else min(longest, limit)
        elif kind is MinLengthValidator and type(limit) is int:
            shortest = limit if shortest is None else max(shortest, limit)
        elif kind is MinValueValidator and type(limit) in (int, Decimal) and least is None:
            least = limit
        elif kind is MaxValueValidator and type(limit) in (int, Decimal) and most is None:
            most = limit
        elif kind is ProhibitNullCharactersValidator:
            no_nul = True
        elif kind is ProhibitSurrogateCharactersValidator:
            no_surrogate = True
        else:
            others.append(validator)

    def checked(raw):
        value = convert(raw)
        if longest is not None and len(value) > longest:
            raise _Refer
        if shortest is not None and len(value) < shortest:
            raise _Refer
        if least is not None and value < least:
            raise _Refer
        if most is not None and value > most:
            raise _Refer
        if no_nul and "\x00" in str(value):
            raise _Refer
        if no_surrogate:
            str(value).encode()  # UnicodeEncodeError exactly when it holds a surrogate (U+D800..U+DFFF)
        for validator in others:
            validator(value)
        return value

    return checked


class QuickShape:
    """`serializer.run_validation` for one item, quick for plain valid items (module docstring)."""

    def __init__(self, serializer: serializers.Serializer):
        self.serializer = serializer
        self.plan = None
        if not _speeds_up(serializer):
            return
        converters = _converters()
        plan = []
        for field in serializer._writable_fields:
            if field.default is not empty or field.source == "*" or "." in field.source:
                return
            build = converters.get(type(field))
            # (name, source, convert-and-check or None for "refer when present", required, allow_null)
            plan.append(
                (
                    field.field_name,
                    field.source,
                    _checked(build(field), field.validators) if build else None,
                    field.required,
                    field.allow_null,
                )
            )
        self.plan = plan

    def run_validation(self, data):
        if self.plan is not None and type(data) is dict:
            value = self._quick(data)
            if value is not _FALLBACK:
                return value
        return self.serializer.run_validation(data)

    def _quick(self, data: dict):
        validated = {}
        try:
            for name, source, convert, required, allow_null in self.plan:
                if name not in data:
                    if required:
                        return _FALLBACK
                    continue
                raw = data[name]
                if raw is None:
                    if not allow_null:
                        return _FALLBACK
                    validated[source] = None
                    continue
                if convert is None:
                    return _FALLBACK
                validated[source] = convert(raw)
        except Exception:  # whatever it is, the serializer says it in its own words
            return _FALLBACK
        return validated
