"""The monthly Excel report of each department: `report_data` reads what it holds (data.py), pure
builder functions write the workbook from it (builders.py)."""

from .builders import build_report, build_reports
from .data import ReportData, report_data, reports_data

__all__ = ["ReportData", "build_report", "build_reports", "report_data", "reports_data"]
