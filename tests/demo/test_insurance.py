"""The demo's insurance: products of both models, 60-70% coverage, uneven, with renewals and claims."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notice, User
from demo.accounts import INSURERS
from demo.insurance import PRODUCTS
from elevators.models import Elevator
from insurance.models import Claim, InsuranceModel, Policy, PolicyElevator, Product
from insurance.services import policy_expiry_notices

pytestmark = pytest.mark.django_db

ELEVATORS = 1500


def seed(seed: int = 11) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo", "--elevators", str(ELEVATORS), "--seed", str(seed), "--skip", "maintenance", stdout=out
    )
    return out.getvalue()


@pytest.fixture
def output():
    return seed()


def coverage(queryset, today):
    insured = queryset.filter(policy_covers__in=PolicyElevator.objects.in_force_on(today)).distinct().count()
    return insured / queryset.count()


def test_a_skipped_step_writes_nothing_and_the_later_ones_run(output):
    from maintenance.models import MaintenanceRecord

    assert "· 维保记录、保险服务、隐患与救援：跳过" in output
    assert not MaintenanceRecord.objects.exists()
    assert "· 月度冻结数据与报表" in output


def test_demo_insurance_is_realistic_and_consistent(output):
    today = timezone.localdate()

    assert Product.objects.count() == len(PRODUCTS)
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
    # every policy of this year is in force today; last year's have expired
    assert (
        not Policy.objects.filter(status="active")
        .exclude(start_date__lte=today, end_date__gte=today)
        .exists()
    )
    assert not Policy.objects.filter(status="expired", end_date__gte=today).exists()

    claims = Claim.objects.select_related("policy")
    assert claims.exists()
    for claim in claims:
        day = timezone.localtime(claim.incident_at).date()
        # the cover rule the claims service applies (PolicyElevator.in_force_on, cancellation included)
        assert claim.policy.covered.in_force_on(day).filter(elevator=claim.elevator).exists()
        assert claim.status_changes.exists()

    policies = Policy.objects.count()
    again = seed()  # idempotent
    assert "保单已存在" in again
    assert Policy.objects.count() == policies


def test_each_product_belongs_to_the_insurer_its_name_says(output):
    insurers = {key: name for key, name, _short in INSURERS}
    for key, code, name, _model, _bases in PRODUCTS:
        product = Product.objects.select_related("insurer").get(code=code)
        assert product.insurer.name == insurers[key]
        assert product.name == name
        # the brand the name starts with (平安, 人保, 太平洋, 国寿, 中华联合) is the insurer's
        assert name[:2] in product.insurer.name + product.insurer.short_name, (name, product.insurer.name)
    # and policies are issued under their product's insurer
    assert not Policy.objects.exclude(insurer=F("product_version__product__insurer")).exists()


def test_some_policies_end_within_the_notice_horizon_without_a_follow_on(output):
    today = timezone.localdate()
    horizon = today + timedelta(days=30)
    ending = Policy.objects.filter(status="active", end_date__gte=today, end_date__lte=horizon)
    assert ending.exists()
    # nothing follows them: no renewal, and no cover of their elevators begins after today
    assert not Policy.objects.filter(renewed_from__in=ending).exists()
    elevators = PolicyElevator.objects.filter(policy__in=ending).values("elevator")
    assert not PolicyElevator.objects.filter(elevator__in=elevators, start_date__gt=today).exists()
    holders = set(ending.values_list("policyholder", flat=True))

    sent = policy_expiry_notices(today=today)

    assert sent == len(holders)
    assert Notice.objects.count() == len(holders)  # one notice per policyholder
    assert set(Policy.objects.filter(expiry_notified_at__isnull=False)) == set(ending)


def test_the_summary_counts_what_the_policy_and_claim_lists_show(output):
    client = Client()
    client.force_login(User.objects.get(username="samr"))  # the city regulator sees every row
    listed_policies = client.get(reverse("policy-list")).context["page_obj"].paginator.count
    listed_claims = client.get(reverse("claim-list")).context["page_obj"].paginator.count
    summary = next(line for line in output.splitlines() if "保单" in line and "份" in line)
    figures = {
        word: int(n.replace(",", ""))
        for word, n in re.findall(r"(保单|有效|已到期|续保|理赔) ([\d,]+)", summary)
    }
    assert figures["保单"] == listed_policies == Policy.objects.count()
    assert figures["有效"] + figures["已到期"] == listed_policies
    assert figures["续保"] == Policy.objects.filter(renewed_from__isnull=False).count() > 0
    assert figures["理赔"] == listed_claims == Claim.objects.count()


FOREIGN_KEYS = "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"
INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"


@pytest.mark.postgres
def test_at_benchmark_scale_the_policies_are_written_unaudited_with_keys_and_indexes_back(monkeypatch):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    tables = [Policy._meta.db_table, PolicyElevator._meta.db_table]

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(FOREIGN_KEYS, [tables])
            keys = sorted(row[0] for row in cursor.fetchall())
            cursor.execute(INDEXES, [tables])
            return keys, sorted(cursor.fetchall())

    before = schema()
    monkeypatch.setattr("demo.bulkload.BULK_THRESHOLD", ELEVATORS)  # this seed counts as benchmark scale
    seed()
    assert schema() == before
    assert Policy.objects.count() > 100
    written = ContentType.objects.get_for_models(Policy, PolicyElevator).values()
    assert not LogEntry.objects.filter(content_type__in=written).exists()
    # the rules still hold: every cover under its policy's dates and model, premiums as rated
    assert not PolicyElevator.objects.exclude(start_date=F("policy__start_date")).exists()
    assert not PolicyElevator.objects.exclude(model=F("policy__model")).exists()
    assert not PolicyElevator.objects.exclude(premium=F("rated_premium")).exists()
