from celery import shared_task
from django.utils import timezone

from core.audit import acting_as

from .services import policies_expire, policy_expiry_notices


@shared_task
def daily_policy_housekeeping() -> dict:
    """Expire ended policies and warn policyholders of policies ending within 30 days."""
    today = timezone.localdate()
    with acting_as("task:daily_policy_housekeeping"):
        return {"expired": policies_expire(today=today), "notices": policy_expiry_notices(today=today)}
