from django.urls import path

from core.views import ObjectHistoryView

from . import views
from .models import Claim, Policy, Product

urlpatterns = [
    path("policies/", views.PolicyListView.as_view(), name="policy-list"),
    path("policies/export.xlsx", views.PolicyListView.as_view(export=True), name="policy-export"),
    path("policies/register/", views.policy_register_view, name="policy-register"),
    path("policies/<int:pk>/", views.PolicyDetailView.as_view(), name="policy-detail"),
    path(
        "policies/<int:pk>/history/",
        ObjectHistoryView.as_view(model=Policy, list_url_name="policy-list", detail_url_name="policy-detail"),
        name="policy-history",
    ),
    path("policies/<int:pk>/renew/", views.policy_renew_view, name="policy-renew"),
    path("policies/<int:pk>/cancel/", views.policy_cancel_view, name="policy-cancel"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/new/", views.product_create_view, name="product-create"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    path(
        "products/<int:pk>/history/",
        ObjectHistoryView.as_view(
            model=Product,
            list_url_name="product-list",
            detail_url_name="product-detail",
            history_related=("versions",),
        ),
        name="product-history",
    ),
    path("products/<int:pk>/new-version/", views.product_version_create_view, name="product-version-create"),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    path(
        "claims/<int:pk>/history/",
        ObjectHistoryView.as_view(
            model=Claim,
            list_url_name="claim-list",
            detail_url_name="claim-detail",
            history_related=("payments",),
        ),
        name="claim-history",
    ),
    path("claims/<int:pk>/update/", views.claim_update_view, name="claim-update"),
]
