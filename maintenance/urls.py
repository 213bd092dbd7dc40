"""The maintenance app's pages: maintenance records and their review queue, services, hazards,
rescues, feedback. Each section belongs to its part of the app."""

from django.urls import path

from .views import attachments, hazards, records

urlpatterns = [
    # --- maintenance records, review queue, company ranking ---------------------------------
    path("maintenance/records/", records.RecordListView.as_view(), name="maintenance-record-list"),
    path(
        "maintenance/records/export.xlsx",
        records.RecordListView.as_view(export=True),
        name="maintenance-record-export",
    ),
    path("maintenance/records/new/", records.record_create, name="maintenance-record-create"),
    path(
        "maintenance/records/review/",
        records.ReviewQueueView.as_view(),
        name="maintenance-record-review-queue",
    ),
    path(
        "maintenance/records/<int:pk>/", records.RecordDetailView.as_view(), name="maintenance-record-detail"
    ),
    path("maintenance/companies/ranking/", records.company_ranking, name="maintenance-company-ranking"),
    # --- services ---------------------------------------------------------------------------
    path(
        "maintenance/attachments/<int:pk>/",
        attachments.attachment_download,
        name="maintenance-attachment-download",
    ),
    # --- hazards ----------------------------------------------------------------------------
    path("hazards/", hazards.HazardListView.as_view(), name="hazard-list"),
    path("hazards/export/", hazards.HazardListView.as_view(export=True), name="hazard-export"),
    path("hazards/new/", hazards.hazard_report_view, name="hazard-report"),
    path("hazards/board/", hazards.hazard_board_view, name="hazard-board"),
    path("hazards/<int:pk>/", hazards.HazardDetailView.as_view(), name="hazard-detail"),
    path("hazards/<int:pk>/rectify/", hazards.hazard_rectify_view, name="hazard-rectify"),
    path("hazards/<int:pk>/close/", hazards.hazard_close_view, name="hazard-close"),
    # --- rescues and feedback ---------------------------------------------------------------
]
