"""The maintenance app's pages: maintenance records and their review queue, services, hazards,
rescues, feedback. Each section belongs to its part of the app."""

urlpatterns = [
    # --- maintenance records, review queue, company ranking ---------------------------------
    # --- services ---------------------------------------------------------------------------
    # --- hazards ----------------------------------------------------------------------------
    # --- rescues and feedback ---------------------------------------------------------------
]
