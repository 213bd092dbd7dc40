from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.AuditSearchView.as_view(), name="audit-search"),
    path("imports/", views.ImportRunListView.as_view(), name="import-list"),
    path("imports/new/<slug:kind>/", views.import_new, name="import-new"),
    path("imports/<int:pk>/", views.ImportRunDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/confirm/", views.import_run_confirm, name="import-confirm"),
    path("imports/<int:pk>/progress.json", views.import_run_progress, name="import-progress"),
    path("imports/<int:pk>/errors.xlsx", views.import_run_errors, name="import-errors"),
]
