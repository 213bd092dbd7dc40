from django.urls import path

from core.views import history_path

from . import views
from .models import Claim, Policy, Product

urlpatterns = [
    path("policies/", views.PolicyListView.as_view(), name="policy-list"),
    path("policies/export.xlsx", views.PolicyListView.as_view(export=True), name="policy-export"),
    path("policies/register/", views.policy_register_view, name="policy-register"),
    path("policies/<int:pk>/", views.PolicyDetailView.as_view(), name="policy-detail"),
    history_path("policies/", model=Policy, name="policy"),
    path("policies/<int:pk>/renew/", views.policy_renew_view, name="policy-renew"),
    path("policies/<int:pk>/cancel/", views.policy_cancel_view, name="policy-cancel"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/new/", views.product_create_view, name="product-create"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    history_path("products/", model=Product, name="product", history_related=("versions",)),
    path("products/<int:pk>/new-version/", views.product_version_create_view, name="product-version-create"),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    history_path("claims/", model=Claim, name="claim", history_related=("payments",)),
    path("claims/<int:pk>/update/", views.claim_update_view, name="claim-update"),
]
