"""Serializer fields with core's checks: dates within the years Tibao keeps (core.validators)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers

from core.validators import implausible_date_error, validate_plausible_date


def _as_serializer_error(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.messages, code="date_range")


class PlausibleDateField(serializers.DateField):
    """A DateField refusing dates outside 1900..2100 (core.validators.validate_plausible_date)."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        try:
            validate_plausible_date(day)
        except DjangoValidationError as exc:
            raise _as_serializer_error(exc) from None
        return day


class PlausibleDateTimeField(serializers.DateTimeField):
    """A DateTimeField refusing datetimes whose date is outside 1900..2100.

    Year 1 or 9999 may have no instant in another timezone: DRF refuses that as "out of range" at
    best, and a naive year 1 passed its check only to overflow when stored (a 500). Both get the
    one message of core.validators.
    """

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
            validate_plausible_date(moment)
        except serializers.ValidationError as exc:
            if "overflow" in exc.get_codes():
                raise _as_serializer_error(implausible_date_error(value)) from None
            raise
        except OverflowError:
            raise _as_serializer_error(implausible_date_error(value)) from None
        except DjangoValidationError as exc:
            raise _as_serializer_error(exc) from None
        return moment


class PlausibleDatesMixin:
    """For a ModelSerializer: the model's date and datetime fields become the plausible fields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: PlausibleDateField,
        models.DateTimeField: PlausibleDateTimeField,
    }
