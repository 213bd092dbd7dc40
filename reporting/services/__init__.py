"""Writes of reporting: freezing, approving and publishing months, the figures kept per day, targets
(months.py), and the monthly reports (reports.py); who may make them (permissions.py)."""

from .months import (
    daily_figures_refresh,
    month_approve,
    month_freeze,
    month_freeze_in_slices,
    month_publish,
    slice_figures,
    target_set,
)
from .reports import report_batches, report_email_deliver, report_generate, reports_generate, reports_request

__all__ = [
    "daily_figures_refresh",
    "month_approve",
    "month_freeze",
    "month_freeze_in_slices",
    "month_publish",
    "report_batches",
    "report_email_deliver",
    "report_generate",
    "reports_generate",
    "reports_request",
    "slice_figures",
    "target_set",
]
