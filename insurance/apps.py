from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "insurance"
    verbose_name = _("保险")

    def ready(self):
        from . import (
            claims_import,  # noqa: F401  (registers the claim-list import kind)
            importing,  # noqa: F401  (registers the policy-list import kind)
            selectors,  # noqa: F401  (policies and claims on the elevator timeline and public card)
        )
