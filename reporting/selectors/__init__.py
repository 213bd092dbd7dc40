"""Reads of reporting: the coverage engine (coverage.py, the one source of every coverage figure),
the renewal cliff counted by it (forecast.py), the work list of uninsured elevators (worklist.py),
and the insurance figures beside coverage (insurers.py)."""

from .coverage import (
    GROUPINGS,
    Coverage,
    CoverageFigure,
    coverage_all,
    coverage_by,
    coverage_change,
    coverage_elevators,
    coverage_rate,
)
from .forecast import ForecastPoint, coverage_forecast
from .insurers import earned_premium_by_insurer, insurance_summary, insurer_performance, loss_window
from .worklist import coverage_worklist, lapsed_on, worklist_cells, worklist_export_table, worklist_headers

__all__ = [
    "GROUPINGS",
    "Coverage",
    "CoverageFigure",
    "ForecastPoint",
    "coverage_all",
    "coverage_by",
    "coverage_change",
    "coverage_elevators",
    "coverage_forecast",
    "coverage_rate",
    "coverage_worklist",
    "earned_premium_by_insurer",
    "insurance_summary",
    "insurer_performance",
    "lapsed_on",
    "loss_window",
    "worklist_cells",
    "worklist_export_table",
    "worklist_headers",
]
