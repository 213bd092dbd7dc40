from django.urls import path

from . import views
from .models import FrozenMonth, Target
from .views import months, reports

urlpatterns = [
    path("coverage/", views.CoverageOverviewView.as_view(), name="coverage-overview"),
    path("coverage/uninsured/", views.UninsuredListView.as_view(), name="coverage-uninsured"),
    path(
        "coverage/uninsured/export.xlsx",
        views.UninsuredListView.as_view(export=True),
        name="coverage-uninsured-export",
    ),
    path("coverage/insurers/", views.InsurerFiguresView.as_view(), name="coverage-insurers"),
    # Public, no login: the published monthly figures of the city and its districts.
    path("open-data/coverage/", views.PublicCoverageView.as_view(), name="coverage-public"),
    path("reports/", reports.ReportRunListView.as_view(), name="reports"),
    path("reports/run-now/", reports.report_run_now_view, name="reports-run-now"),
    path("reports/<int:pk>/download/", reports.report_download_view, name="report-download"),
    path("reports/<int:pk>/preview/", reports.report_preview_view, name="report-preview"),
    path("reports/months/", months.FrozenMonthListView.as_view(), name="frozen-months"),
    path(
        "reports/months/<int:pk>/history/",
        months.MonthsPageHistoryView.as_view(model=FrozenMonth, history_related=("refreezes",)),
        name="frozen-month-history",
    ),
    path("reports/months/freeze/", months.month_freeze_view, name="frozen-month-freeze"),
    path("reports/months/<int:pk>/approve/", months.month_approve_view, name="frozen-month-approve"),
    path("reports/months/<int:pk>/publish/", months.month_publish_view, name="frozen-month-publish"),
    path("reports/targets/", months.target_set_view, name="coverage-target-set"),
    path(
        "reports/targets/<int:pk>/history/",
        months.MonthsPageHistoryView.as_view(model=Target),
        name="target-history",
    ),
]
