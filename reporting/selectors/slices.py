"""Every frozen slice's figures from one pass over the registry: what `coverage_all` answers for
each slice, from four statements in all instead of three per slice (a month is frozen from this,
reporting.services.months).

1. The in-scope elevators per cell (district x place category x category), the insured ones among
   them (a parallel hash semi-join with the day's covers), and apart the publicly funded ones (some
   publicly funded policy covers or has covered them; a few percent of the registry).
2. The day's covers of in-scope elevators: distinct covered elevators per district x place
   category x model / insurer / funding source (GROUPING SETS over one join), of all the covers
   and of the publicly funded ones.

A slice is a set of those cells (`CellSlice`): the city, one district, a sector of place
categories, the finance bureau's sector with every publicly funded elevator (counting only the
publicly funded covers, the only policies it sees). Every elevator is in one cell, one district and
one place category, so a slice's figures are sums of cells, its distinct counts too.
tests/reporting/test_months.py compares every slice with coverage_by as its reader.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connections
from django.db.models import Count, Q
from django.utils import timezone

from core.principal import SYSTEM
from elevators.models import Elevator, elevator_condition, in_scope_condition, insured_condition
from insurance.models import FundingSource, PolicyElevator

from ..sql import large_reads
from .coverage import Coverage, _every_grouping


@dataclass(frozen=True)
class CellSlice:
    """The cells a slice holds: those of `place_categories` (None: all) or, with
    `publicly_funded`, of an elevator some publicly funded policy covers or has covered; only
    `district`'s (None: every district). `public_covers_only`: its model, insurer and funding
    source rows count only publicly funded covers (the finance bureau sees only those policies)."""

    place_categories: frozenset[str] | None = None
    publicly_funded: bool = False
    public_covers_only: bool = False
    district: str | None = None

    def holds_cell(self, district: str, place: str) -> bool:
        """Whether every elevator of the cell (district, place category) is in the slice."""
        if self.district is not None and district != self.district:
            return False
        return self.place_categories is None or place in self.place_categories

    def holds_public_of(self, district: str, place: str) -> bool:
        """Whether the slice holds, of a cell it does not hold whole, its publicly funded elevators."""
        return (
            self.publicly_funded
            and self.district in (None, district)
            and not self.holds_cell(district, place)
        )


def coverage_slices(*, on: date, slices: Sequence[CellSlice]) -> list[dict[str, Coverage]]:
    """For each of `slices`, what `coverage_all` answers for it (every grouping of GROUPINGS), in
    order, from one pass (the module docstring)."""
    # the day's covers sorted for the distinct counts and hashed for the semi-join in memory (36 MB
    # at 1,000,000 elevators)
    with large_reads(work_mem="128MB"):
        counted, public, covers = _counts(on, slices)
    computed_at = timezone.now()
    answers = []
    for part in slices:
        places = part.place_categories

        def holds(district, place, public, part=part, places=places) -> bool:
            if part.district is not None and district != part.district:
                return False
            return places is None or place in places or (part.publicly_funded and public)

        summed = {key: counts for key, counts in counted.items() if holds(key[0], key[1], False)}
        if part.publicly_funded:  # of a cell outside its sector, the publicly funded elevators
            summed.update({k: c for k, c in public.items() if k not in summed and holds(k[0], k[1], True)})
        mine = [(*key, n, insured) for key, (n, insured) in summed.items()]
        column = 1 if part.public_covers_only else 0
        insured_by: dict[tuple, int] = {}
        for (district, place, by, value), counts in covers.items():
            # a slice's covers are of its own elevators (for the finance bureau's publicly funded
            # ones, every elevator they cover is in its slice)
            if counts[column] and (part.public_covers_only or holds(district, place, False)):
                if part.district is None or district == part.district:
                    key = (district, by, value)
                    insured_by[key] = insured_by.get(key, 0) + counts[column]
        answers.append(_every_grouping(mine, insured_by, None, user=SYSTEM, on=on, computed_at=computed_at))
    return answers


def _counts(on: date, slices: Sequence[CellSlice]):
    """The cells (n, insured) of the in-scope elevators, of the publicly funded ones, and the
    covers' counts (_cover_counts), of no more of the registry than `slices` hold: a slice of
    sectors alone (a freeze_slice task of a department) reads the elevators of those sectors, the
    publicly funded ones and publicly funded covers only if it needs them."""
    in_scope = Elevator.objects.filter(in_scope_condition(on=on))
    cell = ("district_id", "place_category_id", "category")
    places = set()
    for part in slices:
        if part.place_categories is None:
            places = None
            break
        places |= part.place_categories
    mine = in_scope if places is None else in_scope.filter(place_category_id__in=places)
    # the in-scope cells, and the insured ones by a parallel hash semi-join with the day's covers
    # (the fastest form at 1,000,000 elevators, selectors.coverage._counted): (n, insured)
    counted = {(d, p, c): [n, 0] for d, p, c, n in mine.values_list(*cell).annotate(Count("pk")).order_by()}
    for d, p, c, n in (
        mine.filter(insured_condition(on=on)).values_list(*cell).annotate(Count("pk")).order_by()
    ):
        counted[(d, p, c)][1] = n
    # the publicly funded ones apart (a few percent): the finance bureau's slice holds them all
    public = {}
    if any(part.publicly_funded for part in slices):
        public = {
            (d, p, c): [n, insured]
            for d, p, c, n, insured in in_scope.filter(elevator_condition("publicly_funded"))
            .values_list(*cell)
            .annotate(n=Count("pk"), insured=Count("pk", filter=insured_condition(on=on)))
            .order_by()
        }
    covers = PolicyElevator.objects.in_force_on(on).filter(_related(in_scope_condition(on=on), "elevator"))
    if places is not None:
        wanted = Q(elevator__place_category_id__in=places) if places else Q(pk__in=[])
        if any(part.public_covers_only for part in slices):
            wanted |= Q(policy__funding_source=FundingSource.PUBLIC_FINANCE)
        covers = covers.filter(wanted)
    return counted, public, _cover_counts(covers)


def _related(condition: Q, relation: str) -> Q:
    """`condition` (a Q of lookups on a model) on the model `relation` leads to: the covers' own
    join to their elevator carries the in-scope condition, instead of a second scan of the
    registry for a semi-join."""
    related = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            related.children.append(_related(child, relation))
        else:
            lookup, value = child
            related.children.append((f"{relation}__{lookup}", value))
    return related


def _cover_counts(covers) -> dict[tuple, tuple[int, int]]:
    """(all, publicly funded only) distinct covered elevators per (district, place category,
    grouping, value) of the covers `covers`, by GROUPING SETS over one scan."""
    rows = covers.values_list(
        "elevator_id",
        "elevator__district_id",
        "elevator__place_category_id",
        "model",
        "policy__insurer_id",
        "policy__funding_source",
    )
    sql, params = rows.query.sql_with_params()
    counts: dict[tuple, tuple[int, int]] = {}
    with connections[covers.db].cursor() as cursor:
        cursor.execute(
            "SELECT d, p, m, i, f, GROUPING(m), GROUPING(i), count(DISTINCT e), "
            "count(DISTINCT e) FILTER (WHERE f = %s) "
            f"FROM ({sql}) AS covers (e, d, p, m, i, f) "
            "GROUP BY GROUPING SETS ((d, p, m), (d, p, i), (d, p, f))",
            (FundingSource.PUBLIC_FINANCE.value, *params),
        )
        for district, place, model, insurer, funding, no_model, no_insurer, n, public in cursor.fetchall():
            by, value = (
                ("model", model)
                if not no_model
                else ("insurer", insurer)
                if not no_insurer
                else ("funding_source", funding)
            )
            counts[(district, place, by, value)] = (n, public)
    return counts
