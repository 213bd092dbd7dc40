"""Errors a user can cause. One handler turns them into a 400 for the API (core.api.exceptions) and
a message in the browser (core.middleware.ApplicationErrorMiddleware, core.views.refusals_on)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction


class ApplicationError(Exception):
    """A business rule refused the request; `message` is translatable and shown to the user."""

    def __init__(self, message, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


def refusal_from(error: ValidationError, *, field: str | None = None, prefix: str = "") -> ApplicationError:
    """The ApplicationError a user sees for a Django ValidationError: the first field at fault (or
    `field` when the error names none) with all of its messages."""
    if hasattr(error, "error_dict"):
        name, messages = next(iter(error.message_dict.items()))
        field = None if name == NON_FIELD_ERRORS else name
    else:
        messages = error.messages
    return ApplicationError(prefix + " ".join(str(m) for m in messages), field=field)


def full_clean_or_refuse(instance, *, exclude=None, validate_constraints: bool = True) -> None:
    """Run the model's validation (fields, clean(), constraints); a failure is an ApplicationError.

    `validate_constraints=False` is for rows a service builds from values that satisfy the check
    constraints by construction: Django checks each by a query (and a savepoint) per row."""
    try:
        instance.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    except ValidationError as exc:
        raise refusal_from(exc) from exc


def save_or_refuse(instance) -> None:
    """Save a new `instance` checked with full_clean_or_refuse; a unique key another transaction took
    since that check is refused as the check refuses it, not as an IntegrityError (a 500).

    The constraint makes the key unique under concurrency; once it has refused the insert, the other
    transaction has committed, so the check run again sees its row and names the field at fault.
    Any other integrity error propagates.
    """
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        full_clean_or_refuse(instance)
        raise
