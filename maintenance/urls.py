"""The maintenance app's pages: maintenance records and their review queue, services, hazards,
rescues, feedback. Each section belongs to its part of the app."""

from django.urls import path

from .views import attachments, hazards

urlpatterns = [
    # --- maintenance records, review queue, company ranking ---------------------------------
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
