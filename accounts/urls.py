from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/mark-read/", views.notice_mark_read, name="notice-mark-read"),
    path("account/password/", views.PortalPasswordChangeView.as_view(), name="password-change"),
    path("account/users/", views.OrganisationUserListView.as_view(), name="org-user-list"),
    path("account/users/new/", views.OrganisationUserCreateView.as_view(), name="org-user-create"),
    path(
        "account/users/<int:pk>/deactivate/",
        views.OrganisationUserDeactivateView.as_view(),
        name="org-user-deactivate",
    ),
    path("account/api-keys/", views.ApiKeyListView.as_view(), name="api-key-list"),
    path("account/api-keys/<str:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
]
