from django.urls import path

from core.views import history_path

from . import views
from .models import Elevator

urlpatterns = [
    path("elevators/", views.ElevatorListView.as_view(), name="elevator-list"),
    path("elevators/export.xlsx", views.ElevatorListView.as_view(export=True), name="elevator-export"),
    path("elevators/<int:pk>/", views.ElevatorDetailView.as_view(), name="elevator-detail"),
    history_path("elevators/", model=Elevator, name="elevator", history_related=("inspections", "events")),
    # Public, no login: the card behind the QR code in every car, and the sign to print.
    path("e/<str:code>/", views.PublicCardView.as_view(), name="elevator-card"),
    path("e/<str:code>/sign/", views.PublicSignView.as_view(), name="elevator-sign"),
]
