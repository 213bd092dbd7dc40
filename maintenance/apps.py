from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = _("维保服务")

    def ready(self):
        # Each part registers what it adds to the other apps (timeline events, public-card facts,
        # safety states, elevator filters, the rating's maintenance-quality scores).
        from .selectors import hazards, records, rescues, service_records  # noqa: F401
