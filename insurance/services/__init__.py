"""Writes of insurance: products, policies and claims.

products: products and their versions of terms; policies: registering and renewing policies;
premiums: a policy's declared and rated premiums and its band; lifecycle: cancelling and expiring
them, and the expiry notices; bulk: registering many policies at once under the same rules;
claims: a package of its own (rules, values, writes) for the idempotent claim upserts, imported as
insurance.services.claims.
"""

from .bulk import PolicyDraft, policies_register_in_bulk
from .lifecycle import policies_expire, policy_cancel, policy_expiry_notices
from .policies import (
    policy_default_end,
    policy_differences,
    policy_register,
    policy_register_once,
    policy_renew,
)
from .premiums import MAX_PREMIUM_PER_ELEVATOR, PolicyPremium, policy_premium
from .products import product_create, product_version_create

__all__ = [
    "MAX_PREMIUM_PER_ELEVATOR",
    "PolicyPremium",
    "PolicyDraft",
    "policies_expire",
    "policies_register_in_bulk",
    "policy_cancel",
    "policy_default_end",
    "policy_differences",
    "policy_expiry_notices",
    "policy_premium",
    "policy_register",
    "policy_register_once",
    "policy_renew",
    "product_create",
    "product_version_create",
]
