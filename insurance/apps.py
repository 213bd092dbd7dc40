from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "insurance"
    verbose_name = _("保险")

    def ready(self):
        from . import (
            conditions,  # noqa: F401  (what insured, covered by an insurer and publicly funded mean)
            importing,  # noqa: F401  (registers the policy-list and claim-list import kinds)
            selectors,  # noqa: F401  (policies and claims on the elevator timeline and public card)
        )
