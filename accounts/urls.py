from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/mark-read/", views.notice_mark_read, name="notice-mark-read"),
    path("account/api-keys/", views.ApiKeyListView.as_view(), name="api-key-list"),
    path("account/api-keys/<str:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
]
