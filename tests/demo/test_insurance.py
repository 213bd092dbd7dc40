"""The demo's insurance: products of both models, 60-70% coverage, uneven, with renewals and claims."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from elevators.models import Elevator
from insurance.models import Claim, InsuranceModel, Policy, PolicyElevator, Product

pytestmark = pytest.mark.django_db


def coverage(queryset, today):
    insured = queryset.filter(policy_covers__in=PolicyElevator.objects.in_force_on(today)).distinct().count()
    return insured / queryset.count()


def test_demo_insurance_is_realistic_and_consistent():
    call_command("seed_demo", "--elevators", "1500", "--seed", "11", stdout=io.StringIO())
    today = timezone.localdate()

    assert Product.objects.count() == 8
    assert {p.model for p in Product.objects.all()} == set(InsuranceModel.values)
    assert all(p.current_version is not None for p in Product.objects.all())

    in_scope = Elevator.objects.in_scope(on=today)
    assert 0.55 <= coverage(in_scope, today) <= 0.75
    by_district = [coverage(in_scope.filter(district=code), today) for code in ("420606", "420626", "420624")]
    assert max(by_district) - min(by_district) > 0.15
    by_category = [
        coverage(in_scope.filter(place_category=code), today) for code in ("RESIDENTIAL", "MALL", "HOSPITAL")
    ]
    assert max(by_category) - min(by_category) > 0.05  # uneven across place categories too

    for policy in Policy.objects.filter(status="active")[:50]:
        covers = policy.covered.all()
        assert policy.total_premium == covers.aggregate(s=Sum("premium"))["s"]
        assert all(policy.policyholder_id == c.elevator.user_unit_id for c in covers)
    assert Policy.objects.filter(renewed_from__isnull=False).exists()
    assert Policy.objects.filter(funding_source="public_finance").exists()

    claims = Claim.objects.select_related("policy")
    assert claims.exists()
    for claim in claims:
        day = timezone.localtime(claim.incident_at).date()
        assert claim.policy.covered.filter(
            elevator=claim.elevator, start_date__lte=day, end_date__gte=day
        ).exists()
        assert claim.status_changes.exists()

    policies = Policy.objects.count()
    out = io.StringIO()
    call_command("seed_demo", "--elevators", "1500", "--seed", "11", stdout=out)  # idempotent
    assert "保单已存在" in out.getvalue()
    assert Policy.objects.count() == policies
