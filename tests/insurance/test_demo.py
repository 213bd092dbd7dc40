"""The demo's insurance: products of both models, 60-70% coverage, uneven, with renewals and claims."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from elevators.models import Elevator
from insurance.models import Claim, InsuranceModel, Policy, PolicyElevator, Product

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", "--elevators", "1500", "--seed", "11", stdout=io.StringIO())
        yield
        call_command("flush", "--noinput", verbosity=0)


def coverage(queryset, today):
    insured = queryset.filter(policy_covers__in=PolicyElevator.objects.in_force_on(today)).distinct().count()
    return insured / queryset.count()


def test_products_of_both_models_with_versions(demo):
    assert Product.objects.count() == 8
    assert {p.model for p in Product.objects.all()} == set(InsuranceModel.values)
    assert all(p.current_version is not None for p in Product.objects.all())


def test_coverage_is_between_sixty_and_seventy_percent_and_uneven(demo):
    today = timezone.localdate()
    in_scope = Elevator.objects.in_scope(on=today)
    assert 0.55 <= coverage(in_scope, today) <= 0.75
    by_district = [coverage(in_scope.filter(district=code), today) for code in ("420606", "420626", "420624")]
    assert max(by_district) - min(by_district) > 0.15


def test_policies_are_consistent(demo):
    for policy in Policy.objects.filter(status="active")[:50]:
        covers = policy.covered.all()
        assert policy.total_premium == covers.aggregate(s=Sum("premium"))["s"]
        assert all(policy.policyholder_id == c.elevator.user_unit_id for c in covers)
    assert Policy.objects.filter(renewed_from__isnull=False).exists()
    assert Policy.objects.filter(funding_source="public_finance").exists()


def test_claims_fall_within_their_cover(demo):
    claims = Claim.objects.select_related("policy")
    assert claims.exists()
    for claim in claims:
        day = timezone.localtime(claim.incident_at).date()
        assert claim.policy.covered.filter(elevator=claim.elevator, start_date__lte=day, end_date__gte=day).exists()
        assert claim.status_changes.exists()
