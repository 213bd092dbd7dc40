"""The maintenance app's pages: maintenance records and their review queue, services, hazards,
rescues, feedback. Each section belongs to its part of the app."""

from django.urls import path

from core.views import history_path

from .models import Hazard, MaintenanceRecord, RescueIncident, ServiceRecord
from .views import attachments, feedback, hazards, records, rescues, service_records

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
    history_path("maintenance/records/", model=MaintenanceRecord, name="maintenance-record"),
    path("maintenance/companies/ranking/", records.company_ranking, name="maintenance-company-ranking"),
    # --- services ---------------------------------------------------------------------------
    path(
        "maintenance/attachments/<int:pk>/",
        attachments.attachment_download,
        name="maintenance-attachment-download",
    ),
    path("services/", service_records.ServiceRecordListView.as_view(), name="service-list"),
    path(
        "services/export/", service_records.ServiceRecordListView.as_view(export=True), name="service-export"
    ),
    path("services/new/", service_records.service_record_create, name="service-new"),
    path("services/<int:pk>/", service_records.ServiceRecordDetailView.as_view(), name="service-detail"),
    history_path("services/", model=ServiceRecord, name="service"),
    # --- hazards ----------------------------------------------------------------------------
    path("hazards/", hazards.HazardListView.as_view(), name="hazard-list"),
    path("hazards/export/", hazards.HazardListView.as_view(export=True), name="hazard-export"),
    path("hazards/new/", hazards.hazard_report_view, name="hazard-report"),
    path("hazards/board/", hazards.hazard_board_view, name="hazard-board"),
    path("hazards/<int:pk>/", hazards.HazardDetailView.as_view(), name="hazard-detail"),
    history_path("hazards/", model=Hazard, name="hazard", history_related=("steps",)),
    path("hazards/<int:pk>/rectify/", hazards.hazard_rectify_view, name="hazard-rectify"),
    path("hazards/<int:pk>/close/", hazards.hazard_close_view, name="hazard-close"),
    # --- rescues and feedback ---------------------------------------------------------------
    path("rescues/", rescues.RescueListView.as_view(), name="rescue-list"),
    path("rescues/export.xlsx", rescues.RescueListView.as_view(export=True), name="rescue-export"),
    path("rescues/new/", rescues.rescue_record_view, name="rescue-record"),
    path("rescues/board/", rescues.RescueBoardView.as_view(), name="rescue-board"),
    path("rescues/<int:pk>/", rescues.RescueDetailView.as_view(), name="rescue-detail"),
    history_path("rescues/", model=RescueIncident, name="rescue"),
    path("claim-proposals/", rescues.ClaimProposalListView.as_view(), name="claim-proposal-list"),
    path(
        "claim-proposals/export.xlsx",
        rescues.ClaimProposalListView.as_view(export=True),
        name="claim-proposal-export",
    ),
    path(
        "claim-proposals/<int:pk>/confirm/",
        rescues.claim_proposal_confirm_view,
        name="claim-proposal-confirm",
    ),
    path(
        "claim-proposals/<int:pk>/decline/",
        rescues.claim_proposal_decline_view,
        name="claim-proposal-decline",
    ),
    path("feedback/", feedback.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/export.xlsx", feedback.FeedbackListView.as_view(export=True), name="feedback-export"),
    path("e/<str:code>/feedback/", feedback.feedback_submit_view, name="feedback-submit"),
]
