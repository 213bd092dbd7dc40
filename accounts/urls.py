from django.contrib.auth import views as auth_views
from django.urls import path

from core.views import ObjectHistoryView

from . import views
from .models import Organisation

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("login/verify/", views.LoginVerifyView.as_view(), name="login-verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<int:pk>/history/",
        ObjectHistoryView.as_view(model=Organisation, list_url_name="organisation-list"),
        name="organisation-history",
    ),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/mark-read/", views.notice_mark_read, name="notice-mark-read"),
    path("account/password/", views.PortalPasswordChangeView.as_view(), name="password-change"),
    path("account/two-factor/", views.TwoFactorView.as_view(), name="two-factor"),
    path(
        "account/two-factor/backup-codes/",
        views.BackupCodesRegenerateView.as_view(),
        name="two-factor-backup-codes",
    ),
    path("account/two-factor/remove/", views.TwoFactorRemoveView.as_view(), name="two-factor-remove"),
    path("account/users/", views.OrganisationUserListView.as_view(), name="org-user-list"),
    path(
        "account/users/<int:pk>/history/",
        views.OrganisationUserHistoryView.as_view(),
        name="org-user-history",
    ),
    path("account/users/new/", views.OrganisationUserCreateView.as_view(), name="org-user-create"),
    path(
        "account/users/<int:pk>/deactivate/",
        views.OrganisationUserDeactivateView.as_view(),
        name="org-user-deactivate",
    ),
    path("account/api-keys/", views.ApiKeyListView.as_view(), name="api-key-list"),
    path("account/api-keys/<str:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
    path("account/api-keys/<str:pk>/history/", views.ApiKeyHistoryView.as_view(), name="api-key-history"),
]
