from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("机构与用户")

    def ready(self):
        from django.apps import apps

        from .api import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)
        from .two_factor import required_kinds_check  # noqa: F401  (registers the system check)

        # The admin's headings of the libraries accounts builds on, in the portal's languages (the
        # libraries name their apps in English only).
        for label, verbose_name in THIRD_PARTY_APP_NAMES.items():
            try:
                apps.get_app_config(label).verbose_name = verbose_name
            except LookupError:  # not installed in this configuration
                continue


THIRD_PARTY_APP_NAMES = {
    "axes": _("登录失败记录与锁定"),
    "rest_framework_api_key": _("API 密钥权限"),
    "auditlog": _("变更日志"),
    "otp_totp": _("双因素认证：验证器"),
    "otp_static": _("双因素认证：备用码"),
}
