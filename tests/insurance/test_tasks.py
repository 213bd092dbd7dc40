"""The daily housekeeping task and its place in the beat schedule."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Contact, Notice
from config.celery_app import app
from insurance.models import Policy
from insurance.tasks import daily_policy_housekeeping
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory
from tests.insurance.factories import policy, product_version

pytestmark = pytest.mark.django_db


def test_beat_runs_the_housekeeping_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["daily-policy-housekeeping"]
    assert entry["task"] in app.tasks  # the name points at a registered task
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}


def test_housekeeping_expires_ended_policies_and_warns_of_ending_ones(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    holder = OrganisationFactory()
    Contact.objects.create(organisation=holder, name="物业经理", email="pm@holder.example.cn")
    version = product_version()
    ended = policy(version, [ElevatorFactory(user_unit=holder)], start=today - timedelta(days=400))
    ending = policy(version, [ElevatorFactory(user_unit=holder)], start=today - timedelta(days=350))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = daily_policy_housekeeping.delay().get()
    assert outcome == {"expired": 1, "notices": 1}
    assert Policy.objects.get(pk=ended.pk).status == "expired"
    assert ending.number in Notice.objects.get(recipient_organisation=holder).body
    assert mail.outbox[0].to == ["pm@holder.example.cn"]
