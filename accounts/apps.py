from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("机构与用户")

    def ready(self):
        from .api import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)
