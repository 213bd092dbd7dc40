"""Browser pages of accounts: sign-in with its second factor and the enrolment page
(`two_factor`); home per role, notices, the user's own password, the organisation's users and API
keys, and the organisations the user may see (`pages`). Thin views: rules live in the services."""

from .pages import (
    ApiKeyHistoryView,
    ApiKeyListView,
    ApiKeyRevokeView,
    NoticeListView,
    OrganisationListView,
    OrganisationUserCreateView,
    OrganisationUserDeactivateView,
    OrganisationUserHistoryView,
    OrganisationUserListView,
    PortalPasswordChangeView,
    home,
    notice_mark_read,
)
from .two_factor import (
    BackupCodesRegenerateView,
    LoginVerifyView,
    PortalLoginView,
    TwoFactorRemoveView,
    TwoFactorView,
)

__all__ = [
    "ApiKeyHistoryView",
    "ApiKeyListView",
    "ApiKeyRevokeView",
    "BackupCodesRegenerateView",
    "LoginVerifyView",
    "NoticeListView",
    "OrganisationListView",
    "OrganisationUserCreateView",
    "OrganisationUserDeactivateView",
    "OrganisationUserHistoryView",
    "OrganisationUserListView",
    "PortalLoginView",
    "PortalPasswordChangeView",
    "TwoFactorRemoveView",
    "TwoFactorView",
    "home",
    "notice_mark_read",
]
