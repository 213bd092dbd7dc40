"""The back office lists frozen months, re-freezes, targets and reports, and changes none of them."""

import pytest
from django.urls import reverse

from core.principal import SYSTEM
from reporting.services import month_freeze, reports_request, target_set

from .conftest import LAST_MONTH, ON

pytestmark = pytest.mark.django_db


def test_the_admin_lists_reporting_rows_read_only(admin_client, world, registry):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    month_freeze(user=SYSTEM, month=LAST_MONTH, reason="更正")
    target_set(user=SYSTEM, due_on=ON, rate="0.6")
    reports_request(user=SYSTEM, frozen_month=frozen, enqueue=False)
    for model in ("frozenmonth", "refreeze", "target", "reportrun"):
        assert admin_client.get(reverse(f"admin:reporting_{model}_changelist")).status_code == 200, model
    assert admin_client.get(reverse("admin:reporting_frozenmonth_add")).status_code == 403
