"""Importing lists in the browser and from the command line: policy lists (policies.py, all or
nothing) and claim lists (claims.py, valid rows stored). Importing this package registers both
import kinds."""

from .claims import CLAIM_COLUMNS, ClaimImportResult, claim_list_import, may_import_claims
from .policies import POLICY_COLUMNS, PolicyImportResult, may_import_policies, policy_list_import

__all__ = [
    "CLAIM_COLUMNS",
    "POLICY_COLUMNS",
    "ClaimImportResult",
    "PolicyImportResult",
    "claim_list_import",
    "may_import_claims",
    "may_import_policies",
    "policy_list_import",
]
