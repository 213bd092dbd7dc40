"""Reads for organisations."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from .models import Organisation
from .validators import normalise_credit_code


def organisation_by_code_or_name(
    *,
    credit_code: str = "",
    name: str = "",
    queryset=None,
    known: Mapping[tuple[str, str], Organisation] | None = None,
) -> Organisation | None:
    """The organisation a person names: by its Unified Social Credit Code when that is given and
    known, else by its exact full name; None when neither matches.

    The code may be written any way people type it (spaces, lower case, full width); text that is
    not a credit code at all is passed over, so one free-text reference (a command's --org) is
    looked up as `credit_code=ref, name=ref`. `queryset` narrows where to look (active ones only,
    say). `known` holds organisations the caller matched before, by ("code", credit code) and
    ("name", name); each is consulted before the database at its step (an import's cache).
    """
    queryset = Organisation.objects.all() if queryset is None else queryset
    known = known or {}
    try:
        code = normalise_credit_code(credit_code) if credit_code else ""
    except ValidationError:
        code = ""
    if code:
        found = known.get(("code", code)) or queryset.filter(credit_code=code).first()
        if found is not None:
            return found
    name = name.strip()
    if not name:
        return None
    return known.get(("name", name)) or queryset.filter(name=name).first()
