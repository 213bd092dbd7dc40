"""The elevator's 6-digit rescue code (电梯识别码): the number a trapped passenger reads from the sign
to the rescue line, so that the call centre finds the elevator (docs/decisions/0005-rescue-code.md).

Codes are drawn at random from 100000..999999: a digit misheard on the phone then most likely names
no elevator at all, instead of the neighbour a sequential code would name. Drawing is pure here so
that the data migration uses it too; elevators.services.rescue_codes_assign locks and writes.
"""

import random
from collections.abc import Iterable

from django.core.validators import RegexValidator
from django.db import connection
from django.utils.translation import gettext_lazy as _

from core.pgcopy import any_of

RESCUE_CODE_LENGTH = 6
# No leading zero: spreadsheets drop it and callers skip it when reading the code aloud.
RESCUE_CODES = range(10 ** (RESCUE_CODE_LENGTH - 1), 10**RESCUE_CODE_LENGTH)
LOOKUP_BATCH = 2000  # codes per "which of these are taken" query (SQLite allows 32,766 parameters)

rescue_code_validator = RegexValidator(r"^[1-9][0-9]{5}\Z", _("电梯识别码为6位数字，首位不为0。"))

_random = random.SystemRandom()


class RescueCodesExhausted(Exception):
    """More elevators than free rescue codes."""


def is_rescue_code(code: str) -> bool:
    """Whether `code` (already normalised) has the form of a rescue code, not of an equipment code."""
    return len(code) == RESCUE_CODE_LENGTH and code.isascii() and code.isdigit() and code[0] != "0"


def rescue_codes_draw(*, count: int, queryset) -> list[str]:
    """`count` distinct random codes that no elevator of `queryset` (all elevators) holds yet.

    Candidates are drawn in batches and checked against the table with one query per batch, so a
    single registration reads a handful of rows, not every code in the city. Raises
    RescueCodesExhausted when fewer than `count` codes are free.

    The codes in use are counted only once a batch comes back mostly taken: at a real city's
    density (a few hundred thousand of 900,000) that never happens, and the registry import, which
    draws once per chunk, would otherwise count the whole table each time (0.1 s a chunk at
    1,000,000 elevators). Near exhaustion the count refuses early instead of drawing every code.
    """
    if count <= 0:
        return []
    chosen: list[str] = []
    drawn: set[int] = set()
    counted = False
    while len(chosen) < count:
        unseen = len(RESCUE_CODES) - len(drawn)
        if not unseen:  # taken meanwhile by a writer that did not hold the lock
            raise RescueCodesExhausted(f"{count} rescue codes wanted, {len(chosen)} found free")
        # Ask for more than needed: at the density of a real city most candidates are free.
        candidates = _draw_unseen(min(unseen, (count - len(chosen)) * 2 + 16), drawn)
        taken = _taken(candidates, queryset)
        if not counted and len(taken) * 2 > len(candidates):
            counted = True
            used = queryset.exclude(rescue_code=None).count()
            if count > len(RESCUE_CODES) - used:
                raise RescueCodesExhausted(f"{count} rescue codes wanted, {len(RESCUE_CODES) - used} free")
        chosen.extend(code for code in candidates if code not in taken)
    return chosen[:count]


def _draw_unseen(size: int, drawn: set[int]) -> list[str]:
    """`size` codes not drawn before in this call (recorded in `drawn`). A sample of `size` more
    numbers than were drawn holds at least `size` new ones, so one sample is enough."""
    picked: list[int] = []
    for number in _random.sample(RESCUE_CODES, min(len(RESCUE_CODES), size + len(drawn))):
        if number not in drawn:
            drawn.add(number)
            picked.append(number)
            if len(picked) == size:
                break
    return [str(number) for number in picked]


def _taken(candidates: Iterable[str], queryset) -> set[str]:
    """Which of `candidates` elevators of `queryset` hold. On PostgreSQL one query whatever their
    number, the candidates passed as one array (core.pgcopy.any_of): an IN list of thousands of
    values cost more to build (each value prepared by the ORM) than the query takes to run."""
    candidates = list(candidates)
    batch = (len(candidates) or 1) if connection.vendor == "postgresql" else LOOKUP_BATCH
    taken: set[str] = set()
    for start in range(0, len(candidates), batch):
        part = candidates[start : start + batch]
        taken.update(queryset.filter(any_of("rescue_code", part)).values_list("rescue_code", flat=True))
    return taken
