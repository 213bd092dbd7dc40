"""The work list of uninsured elevators in scope: who should insure each, and whether it lapsed."""

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from django.db.models import DateField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _lazy

from elevators.models import (
    in_scope_condition,
    insured_condition,
)
from insurance.models import PolicyElevator

# --- the work list of uninsured elevators ---------------------------------------------------------


def coverage_worklist(*, elevators: QuerySet, on: date) -> QuerySet:
    """The elevators of `elevators` (already visible to the caller and filtered) that are in scope
    but not insured on `on`: the work list behind every uninsured figure.

    Each row is annotated with `lapsed_on`, the first day without cover after the last cover that
    ended before `on` (脱保: it had a policy and none followed), or None when it was never insured;
    and `contact_phone`, the user unit's phone, else the owner's (who should insure it).
    """
    last_cover_end = (
        PolicyElevator.objects.filter(elevator=OuterRef("pk"), is_cancelled=False, end_date__lt=on)
        .order_by("-end_date")
        .values("end_date")[:1]
    )
    return (
        elevators.filter(in_scope_condition(on=on))
        .exclude(insured_condition(on=on))
        .annotate(
            last_cover_end=Subquery(last_cover_end, output_field=DateField()),
            contact_phone=Coalesce(
                NullIf("user_unit__phone", Value("")), NullIf("owner__phone", Value("")), Value("")
            ),
        )
    )


def lapsed_on(last_cover_end: date | None) -> date | None:
    """The first uninsured day after a cover that ended on `last_cover_end` (None: never insured)."""
    return last_cover_end + timedelta(days=1) if last_cover_end else None


# The work list's columns, on the screen and in the export alike (header, cell of a row).
WORKLIST_COLUMNS: list[tuple[str, Callable]] = [
    (_lazy("设备代码"), lambda e: e.equipment_code),
    (_lazy("使用登记证编号"), lambda e: e.registration_number),
    (_lazy("所在区县"), lambda e: str(e.district)),
    (_lazy("场所类别"), lambda e: e.place_category.name),
    (_lazy("楼盘/场所名称"), lambda e: e.site_name),
    (_lazy("使用地点"), lambda e: e.address),
    (_lazy("使用单位"), lambda e: e.user_unit.name if e.user_unit else ""),
    (_lazy("产权单位"), lambda e: e.owner.name if e.owner else ""),
    (_lazy("联系电话"), lambda e: e.contact_phone),
    (_lazy("投保情况"), lambda e: str(_lazy("脱保") if e.last_cover_end else _lazy("从未投保"))),
    (_lazy("脱保日期"), lambda e: lapsed_on(e.last_cover_end)),
    (_lazy("下次检验日期"), lambda e: e.next_inspection_due),
]


def worklist_headers() -> list[str]:
    return [str(header) for header, _cell in WORKLIST_COLUMNS]


def worklist_cells(elevator) -> list:
    """One work-list row (an elevator of `coverage_worklist`) in the order of WORKLIST_COLUMNS."""
    return [cell(elevator) for _header, cell in WORKLIST_COLUMNS]


def worklist_export_table(*, queryset) -> tuple[list[str], Iterator[list]]:
    """Headers and rows of the work list's export: the columns on the screen, in their order."""
    rows = queryset.select_related("district", "place_category", "user_unit", "owner")
    return worklist_headers(), (worklist_cells(e) for e in rows.iterator(chunk_size=2_000))
