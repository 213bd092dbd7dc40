"""Reads for organisations."""

from django.core.exceptions import ValidationError

from .models import Organisation
from .validators import normalise_credit_code


def organisation_find(*, ref: str, queryset=None) -> Organisation | None:
    """The organisation named by `ref`: its credit code (any spelling) or its full name."""
    queryset = Organisation.objects.all() if queryset is None else queryset
    try:
        return queryset.get(credit_code=normalise_credit_code(ref))
    except (ValidationError, Organisation.DoesNotExist):
        return queryset.filter(name=ref.strip()).first()
