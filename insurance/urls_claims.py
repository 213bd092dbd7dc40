from django.urls import path

from . import views_claims

urlpatterns = [
    path("claims/", views_claims.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views_claims.ClaimDetailView.as_view(), name="claim-detail"),
]
