from django.urls import path

from . import views
from .views import reports

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
]
