"""Reads for organisations and districts."""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .models import District, Organisation
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


# Brackets NFKC leaves alone, folded to the ASCII ones it makes of （）and ［］.
BRACKETS = str.maketrans(
    {"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "〖": "(", "〗": ")"}
)
BRACKETED_PART = re.compile(r"\([^()]*\)")


def _district_key(text: str, *, city_prefixes: tuple[str, ...]) -> str:
    """`text` as district names are compared: full width folded (NFKC), white space dropped,
    brackets of every width made one, and the city in front ("襄阳市", "襄阳") taken away."""
    key = unicodedata.normalize("NFKC", text)
    key = "".join(key.split()).translate(BRACKETS)
    for prefix in city_prefixes:
        if key.startswith(prefix) and len(key) > len(prefix) + 1:  # "襄阳市" alone stays a name
            return key[len(prefix) :]
    return key


@dataclass(frozen=True)
class DistrictNames:
    """Every district by each way of writing it, built once (an import keeps one for its rows)."""

    by_key: dict[str, District | None]
    city_prefixes: tuple[str, ...]

    def find(self, text: object) -> District | None:
        if isinstance(text, float) and text.is_integer():  # a code Excel stored as a number
            text = int(text)
        key = _district_key(str(text or ""), city_prefixes=self.city_prefixes)
        if not key:
            return None
        found = self.by_key.get(key)
        if found is None and BRACKETED_PART.search(key):
            found = self.by_key.get(BRACKETED_PART.sub("", key))
        return found


def district_names(*, queryset=None) -> DistrictNames:
    """Every district by its code, full name (with or without its bracketed part), short name and
    aliases, each with or without the city in front; a key two districts share names neither."""
    districts = list(District.objects.all() if queryset is None else queryset)
    cities = {d.city_name for d in districts if d.city_name}
    prefixes = {*cities, *(city.removesuffix("市") for city in cities)}
    city_prefixes = tuple(sorted(prefixes - {""}, key=len, reverse=True))
    by_key: dict[str, District | None] = {}
    for district in districts:
        for written in (district.code, district.name, district.short_name, *district.aliases):
            key = _district_key(str(written or ""), city_prefixes=city_prefixes)
            for variant in {key, BRACKETED_PART.sub("", key)} - {""}:
                if by_key.setdefault(variant, district) != district:
                    by_key[variant] = None  # ambiguous: the file must say which
    return DistrictNames(by_key=by_key, city_prefixes=city_prefixes)


def district_by_name(*, text: object, names: DistrictNames | None = None) -> District | None:
    """The district a file or a person names, however it is written: the code (420672), the full
    name with or without its bracketed part (襄阳经济技术开发区), the short name (经开区), an alias
    (东津新区), with or without the city in front (襄阳高新区, 襄阳市樊城区), in full-width or
    half-width characters and with stray spaces. None when nothing (or more than one) matches.
    `names` is a district_names() the caller keeps for many look-ups."""
    return (names or district_names()).find(text)
