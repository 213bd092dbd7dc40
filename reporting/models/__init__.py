"""Frozen monthly figures, their approval, re-freezes, coverage targets and the monthly report runs.

A frozen month holds, for every *scope* whose readers see different elevators (the city, each
district, each department whose sector is not the whole city), the coverage figures of every
grouping at the month's last day, as `coverage_by` computed them (docs/decisions/0007). Readers
get the scope their visibility maps to (`reporting.months.scope_of`).

The models live in modules by subject: `frozen` (months, their figures, re-freezes, targets),
`reports` (the monthly report runs) and `daily` (the figures kept per day).
"""

from .daily import (
    DailyFigure,
    DailyFigureQuerySet,
    DailySnapshot,
    DailySnapshotQuerySet,
    DailySummary,
)
from .frozen import (
    MONTH_TRANSITIONS,
    FrozenFigure,
    FrozenFigureQuerySet,
    FrozenMonth,
    FrozenMonthQuerySet,
    MonthStatus,
    Refreeze,
    RefreezeQuerySet,
    ScopedFigure,
    ScopeKind,
    Target,
    TargetQuerySet,
)
from .reports import (
    REPORT_READER_KINDS,
    ReportRun,
    ReportRunQuerySet,
    ReportStatus,
    report_upload_to,
)

__all__ = [
    "DailyFigure",
    "DailyFigureQuerySet",
    "DailySnapshot",
    "DailySnapshotQuerySet",
    "DailySummary",
    "FrozenFigure",
    "FrozenFigureQuerySet",
    "FrozenMonth",
    "FrozenMonthQuerySet",
    "MONTH_TRANSITIONS",
    "MonthStatus",
    "REPORT_READER_KINDS",
    "Refreeze",
    "RefreezeQuerySet",
    "ReportRun",
    "ReportRunQuerySet",
    "ReportStatus",
    "ScopeKind",
    "ScopedFigure",
    "Target",
    "TargetQuerySet",
    "report_upload_to",
]
