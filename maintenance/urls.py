"""The maintenance app's pages: maintenance records and their review queue, services, hazards,
rescues, feedback. Each section belongs to its part of the app."""

from django.urls import path

from .views import attachments

urlpatterns = [
    # --- maintenance records, review queue, company ranking ---------------------------------
    # --- services ---------------------------------------------------------------------------
    path(
        "maintenance/attachments/<int:pk>/",
        attachments.attachment_download,
        name="maintenance-attachment-download",
    ),
    # --- hazards ----------------------------------------------------------------------------
    # --- rescues and feedback ---------------------------------------------------------------
]
