"""Bulk writes of the insurance core are audited row by row, like single saves (core.audit)."""

from datetime import date

import pytest
from auditlog.models import LogEntry

from core.audit import acting_as
from core.principal import SYSTEM
from insurance.services import policies_expire, policy_cancel
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)


def updates_of(obj):
    return LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE)


def test_expiry_logs_each_policy_it_expires_with_the_task_as_actor():
    version = product_version()
    ended = policy(version, [ElevatorFactory()], start=date(2025, 1, 1))
    running = policy(version, [ElevatorFactory()], start=START)
    with acting_as("task:insurance-housekeeping"):
        assert policies_expire(today=date(2026, 1, 1)) == 1
    (entry,) = updates_of(ended)
    assert entry.changes == {"status": ["active", "expired"]}
    assert entry.actor_email == "task:insurance-housekeeping"
    assert not updates_of(running).exists()


def test_cancellation_logs_the_policy_and_every_cover_it_shortens_or_voids():
    version = product_version()
    early = ElevatorFactory()
    late = ElevatorFactory(user_unit=early.user_unit)
    cancelled = policy(version, [early, late], start=START)
    late_cover = cancelled.covered.get(elevator=late)
    late_cover.start_date = date(2026, 6, 1)
    late_cover.save()
    with acting_as("command:cancel"):
        policy_cancel(user=SYSTEM, policy=cancelled, on=date(2026, 3, 1))
    early_cover = cancelled.covered.get(elevator=early)
    assert [e.changes for e in updates_of(early_cover).filter(actor_email="command:cancel")] == [
        {"end_date": ["2026-12-31", "2026-02-28"]}
    ]
    assert [e.changes for e in updates_of(late_cover).filter(actor_email="command:cancel")] == [
        {"is_cancelled": ["False", "True"]}
    ]
    assert updates_of(cancelled).filter(actor_email="command:cancel").count() == 1


def test_a_policy_logs_each_cover_and_a_product_version_each_of_its_terms():
    from django.contrib.contenttypes.models import ContentType

    from insurance.models import BasePremium, Coefficient, CoverageLimit, PolicyElevator

    version = product_version()
    terms = {
        model: set(model.objects.filter(version=version).values_list("pk", flat=True))
        for model in (CoverageLimit, BasePremium, Coefficient)
    }
    first = ElevatorFactory()
    registered = policy(version, [first, ElevatorFactory(user_unit=first.user_unit)], start=START)
    covers = set(registered.covered.values_list("pk", flat=True))

    def created(model):
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), action=LogEntry.Action.CREATE
        )
        return {int(pk) for pk in entries.values_list("object_pk", flat=True)}

    assert len(covers) == 2 and created(PolicyElevator) == covers
    assert all(pks and created(model) == pks for model, pks in terms.items())
