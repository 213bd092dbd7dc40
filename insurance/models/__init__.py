"""Insurers' products and their rating tables, policies and the elevators they cover, claims.

choices.py: the choice lists; products.py: products and their versions of terms; policies.py:
policies and their covers; claims.py: claims, payments and status changes.
"""

from .choices import (
    COEFFICIENT,
    MONEY,
    ClaimStatus,
    CoverageItem,
    FundingSource,
    InsuranceModel,
    RatingFactor,
)
from .claims import CLAIM_TRANSITIONS, Claim, ClaimPayment, ClaimQuerySet, ClaimStatusChange
from .policies import DateRange, Policy, PolicyElevator, PolicyElevatorQuerySet, PolicyQuerySet
from .products import (
    BasePremium,
    Coefficient,
    CoverageLimit,
    Product,
    ProductQuerySet,
    ProductVersion,
    ProductVersionQuerySet,
)

__all__ = [
    "CLAIM_TRANSITIONS",
    "COEFFICIENT",
    "MONEY",
    "BasePremium",
    "Claim",
    "ClaimPayment",
    "ClaimQuerySet",
    "ClaimStatus",
    "ClaimStatusChange",
    "Coefficient",
    "CoverageItem",
    "CoverageLimit",
    "DateRange",
    "FundingSource",
    "InsuranceModel",
    "Policy",
    "PolicyElevator",
    "PolicyElevatorQuerySet",
    "PolicyQuerySet",
    "Product",
    "ProductQuerySet",
    "ProductVersion",
    "ProductVersionQuerySet",
    "RatingFactor",
]
