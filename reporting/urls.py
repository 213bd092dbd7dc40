from django.urls import path

from . import views

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
]
