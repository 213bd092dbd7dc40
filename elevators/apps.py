from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElevatorsConfig(AppConfig):
    name = "elevators"
    verbose_name = _("电梯登记")

    def ready(self):
        from . import importing  # noqa: F401  (registers the registry import kind)
