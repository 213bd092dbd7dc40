"""Browser pages of insurance: policies (list, detail, renew, cancel), registering a policy,
products, and claims. Thin views: visibility comes from the base views, rules from the services."""

from .claims import ClaimDetailView, ClaimListView, claim_update_view
from .policies import PolicyDetailView, PolicyListView, policy_cancel_view, policy_renew_view
from .products import ProductDetailView, ProductListView, product_create_view, product_version_create_view
from .register import policy_register_view

__all__ = [
    "ClaimDetailView",
    "ClaimListView",
    "PolicyDetailView",
    "PolicyListView",
    "ProductDetailView",
    "ProductListView",
    "claim_update_view",
    "policy_cancel_view",
    "product_create_view",
    "product_version_create_view",
    "policy_register_view",
    "policy_renew_view",
]
