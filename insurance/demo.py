"""Demo insurance for Xiangyang: products of both models, policies (about 60-70% of elevators in
scope, uneven across districts and place categories), renewals and claims.

Policies are bulk-written (one per policyholder and site), priced by `rating.quote` like every
other policy. They are consistent by construction: the policyholder is each elevator's user unit
and no elevator gets two overlapping policies of one model (on PostgreSQL the exclusion constraint
would refuse the load otherwise). The rules themselves are tested on `policy_register`.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from core.principal import SYSTEM
from elevators.models import Elevator

from .models import (
    Claim,
    ClaimStatusChange,
    FundingSource,
    InsuranceModel,
    Policy,
    PolicyElevator,
    Product,
    ProductVersion,
)
from .rating import quote
from .services import product_version_create

D = Decimal
CHUNK = 2000

LIABILITY_LIMITS = {
    "death_disability": D("800000"),
    "medical": D("80000"),
    "property": D("20000"),
    "per_accident": D("2000000"),
    "aggregate": D("5000000"),
    "rescue": D("5000"),
    "appraisal": D("20000"),
    "litigation": D("50000"),
}
SERVICE_LIMITS = {**LIABILITY_LIMITS, "major_parts": D("30000"), "overhaul": D("100000")}
COEFFICIENTS = [
    {"factor": "age", "lower": D("0"), "upper": D("5"), "value": D("0.950")},
    {"factor": "age", "lower": D("5"), "upper": D("10"), "value": D("1.000")},
    {"factor": "age", "lower": D("10"), "upper": D("15"), "value": D("1.100")},
    {"factor": "age", "lower": D("15"), "upper": None, "value": D("1.300")},
    {"factor": "place", "key": "HOSPITAL", "value": D("1.200")},
    {"factor": "place", "key": "MALL", "value": D("1.150")},
    {"factor": "place", "key": "BUS_STATION", "value": D("1.200")},
    {"factor": "place", "key": "SCENIC", "value": D("1.150")},
    {"factor": "place", "key": "SCHOOL", "value": D("1.100")},
    {"factor": "claims", "lower": D("1"), "upper": D("3"), "value": D("1.150")},
    {"factor": "claims", "lower": D("3"), "upper": None, "value": D("1.400")},
    {"factor": "maintenance", "lower": D("90"), "upper": None, "value": D("0.900")},
    {"factor": "maintenance", "lower": D("0"), "upper": D("60"), "value": D("1.200")},
]
# (insurer credit-code order index, product code, name, model, base premiums by group)
PRODUCTS = [
    (0, "DTZR-2021", "电梯安全责任保险", InsuranceModel.LIABILITY, ("93", "95", "95")),
    (
        0,
        "DTWB-2021",
        "电梯“保险+维保”综合保险",
        InsuranceModel.INSURANCE_MAINTENANCE,
        ("4800", "6200", "6200"),
    ),
    (1, "PA-DT-01", "平安电梯安全责任险", InsuranceModel.LIABILITY, ("98", "100", "100")),
    (1, "PA-DT-WB", "平安电梯保险+维保服务", InsuranceModel.INSURANCE_MAINTENANCE, ("5200", "6600", "6600")),
    (2, "CPIC-LIFT", "太平洋电梯安全责任保险", InsuranceModel.LIABILITY, ("95", "98", "98")),
    (3, "GPIC-DT", "国寿财电梯安全责任保险", InsuranceModel.LIABILITY, ("90", "95", "95")),
    (
        3,
        "GPIC-DTWB",
        "国寿财电梯维保综合保险",
        InsuranceModel.INSURANCE_MAINTENANCE,
        ("4500", "5900", "5900"),
    ),
    (4, "CIC-DT", "中华联合电梯安全责任保险", InsuranceModel.LIABILITY, ("92", "95", "95")),
]
# Share of in-scope elevators insured, by district: the city centre leads, the mountains lag.
DISTRICT_COVERAGE = {
    "420602": 0.69, "420606": 0.72, "420607": 0.58, "420624": 0.4, "420625": 0.46, "420626": 0.31,
    "420682": 0.51, "420683": 0.48, "420684": 0.44, "420671": 0.66, "420672": 0.62, "420673": 0.53,
}  # fmt: skip
# The plan's pilots (二(四)): public housing, government offices and residential estates take the
# insurance+maintenance model more often; public gathering places are pushed to liability cover.
SERVICE_MODEL_SHARE = {"PUBLIC_HOUSING": 0.6, "GOV_OFFICE": 0.4, "RESIDENTIAL": 0.2}
PUBLIC_GATHERING_BONUS = 0.08


def _products(*, rng: random.Random) -> dict[tuple[int, str], ProductVersion]:
    insurers = list(Organisation.objects.filter(kind=OrganisationKind.INSURER).order_by("credit_code"))
    versions = {}
    for index, code, name, model, bases in PRODUCTS:
        if index >= len(insurers):
            continue
        product, created = Product.objects.get_or_create(
            insurer=insurers[index], code=code, defaults={"name": name, "model": model}
        )
        if created or not product.versions.exists():
            product_version_create(
                user=SYSTEM,
                product=product,
                deductible=D("0.00") if model == InsuranceModel.INSURANCE_MAINTENANCE else D("500.00"),
                limits=SERVICE_LIMITS if model == InsuranceModel.INSURANCE_MAINTENANCE else LIABILITY_LIMITS,
                base_premiums=dict(
                    zip(("vertical", "escalator", "moving_walkway"), map(D, bases), strict=True)
                ),
                coefficients=COEFFICIENTS,
                note="首版",
            )
        versions[(index, model)] = product.current_version.pk
    # Each policy is priced by rating.quote; with the terms prefetched it reads them only once.
    loaded = ProductVersion.objects.select_related("product__insurer").prefetch_related(
        "base_premiums", "coefficients"
    )
    by_pk = loaded.in_bulk(versions.values())
    return {key: by_pk[pk] for key, pk in versions.items()}


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _insurer_for(holder_id: int, rng_seed: str, count: int) -> int:
    return random.Random(f"{rng_seed}:{holder_id}").randrange(count)


def build(*, rng: random.Random, options: dict, stdout) -> None:
    """Products, then policies for the registry's elevators, renewals and claims (once)."""
    versions = _products(rng=rng)
    stdout.write(f"  保险产品 {Product.objects.count()} 个")
    if Policy.objects.exists():
        stdout.write("  保单已存在，跳过。")
        return
    today = timezone.localdate()
    insurer_count = len({index for index, _model in versions})
    seed = f"{options['seed']}:insurance"
    groups: dict[tuple[int, str, str], list[Elevator]] = defaultdict(list)
    elevators = (
        Elevator.objects.in_scope(on=today)
        .filter(user_unit__isnull=False)
        .select_related("place_category")
        .order_by("pk")
    )
    for elevator in elevators.iterator(chunk_size=CHUNK):
        share = DISTRICT_COVERAGE.get(elevator.district_id, 0.6)
        if elevator.place_category.is_public_gathering:
            share += PUBLIC_GATHERING_BONUS
        if rng.random() >= share:
            continue
        service = rng.random() < SERVICE_MODEL_SHARE.get(elevator.place_category_id, 0.0)
        model = InsuranceModel.INSURANCE_MAINTENANCE if service else InsuranceModel.LIABILITY
        groups[(elevator.user_unit_id, elevator.site_name, model)].append(elevator)
    policies = claims = renewals = 0
    _flush.sequence = 0
    pending: list[tuple[Policy, list]] = []
    for (holder_id, _site, model), members in groups.items():
        index = _insurer_for(holder_id, seed, insurer_count)
        version = versions.get((index, model)) or versions.get((index, InsuranceModel.LIABILITY))
        model = version.product.model
        # policies started over the past year, so all are in force today; a third are renewals
        start = today - timedelta(days=rng.randrange(0, 330))
        renewal = rng.random() < 0.35
        previous = None
        if renewal:
            previous = _policy(version, members, holder_id, _plus_years(start, -1), model, rng)
            previous.status = Policy.Status.EXPIRED
            pending.append((previous, members))
            renewals += 1
        current = _policy(version, members, holder_id, start, model, rng, renewed_from=previous)
        pending.append((current, members))
        policies += 1
        if len(pending) >= 200:
            claims += _flush(pending, rng=rng, today=today)
            pending = []
    claims += _flush(pending, rng=rng, today=today)
    stdout.write(f"  保单 {policies} 份（其中续保 {renewals} 份），理赔 {claims} 件")


def _policy(version, members, holder_id, start, model, rng, renewed_from=None) -> Policy:
    end = _plus_years(start, 1) - timedelta(days=1)
    public_housing = members[0].place_category_id == "PUBLIC_HOUSING"
    funding = FundingSource.PUBLIC_FINANCE if public_housing else FundingSource.SELF
    if model == InsuranceModel.INSURANCE_MAINTENANCE and not public_housing and rng.random() < 0.4:
        funding = FundingSource.MAINTENANCE_FUND
    policy = Policy(
        number="",
        insurer=version.product.insurer,
        product_version=version,
        model=model,
        policyholder_id=holder_id,
        start_date=start,
        end_date=end,
        total_premium=D("0"),
        funding_source=funding,
        renewed_from=renewed_from,
    )
    return policy


def _flush(pending: list[tuple[Policy, list]], *, rng: random.Random, today: date) -> int:
    """Number, price and write a batch of policies with their cover; add claims to some."""
    if not pending:
        return 0
    for policy, members in pending:
        lines = quote(version=policy.product_version, elevators=members, start=policy.start_date).lines
        policy._lines = lines
        policy.total_premium = sum((line.premium for line in lines), D("0.00"))
        _flush.sequence += 1
        policy.number = f"{policy.insurer.credit_code[-4:]}{policy.start_date:%Y}{_flush.sequence:07d}"
    # renewals point at a previous policy of the same batch: write previous ones first
    previous = [p for p, _m in pending if p.status == Policy.Status.EXPIRED]
    Policy.objects.bulk_create(previous)
    current = [p for p, _m in pending if p.status != Policy.Status.EXPIRED]
    for policy in current:
        policy.renewed_from_id = policy.renewed_from.pk if policy.renewed_from else None
    Policy.objects.bulk_create(current)
    covers = [
        PolicyElevator(
            policy=policy,
            elevator=line.elevator,
            premium=line.premium,
            rating=line.as_dict(),
            model=policy.model,
            start_date=policy.start_date,
            end_date=policy.end_date,
        )
        for policy, _members in pending
        for line in policy._lines
    ]
    PolicyElevator.objects.bulk_create(covers, batch_size=CHUNK)
    return _claims(
        [c for c in covers if c.policy.status == Policy.Status.ACTIVE or rng.random() < 0.5], rng, today
    )


_flush.sequence = 0  # policy numbers: unique within one demo build


CLAIM_KINDS = [("trapping", "rescue", 70), ("property_damage", "property", 12), ("injury", "medical", 12),
               ("equipment_damage", "major_parts", 5), ("death", "death_disability", 1)]  # fmt: skip


def _claims(covers: list[PolicyElevator], rng: random.Random, today: date) -> int:
    claims, changes = [], []
    for cover in covers:
        if rng.random() >= 0.03:
            continue
        kind, item, _weight = rng.choices(CLAIM_KINDS, weights=[k[2] for k in CLAIM_KINDS])[0]
        if item in ("major_parts",) and cover.model != InsuranceModel.INSURANCE_MAINTENANCE:
            kind, item = "property_damage", "property"
        last_day = min(cover.end_date, today)
        span = (last_day - cover.start_date).days
        if span < 5:
            continue
        incident = cover.start_date + timedelta(days=rng.randrange(span - 3))
        reported = incident + timedelta(days=rng.randrange(0, 3))
        settle_days = rng.randrange(5, 60)
        amount = {"rescue": D("200"), "property": D(rng.randrange(500, 15000)), "medical": D(rng.randrange(800, 30000)),
                  "major_parts": D(rng.randrange(3000, 25000)), "death_disability": D("600000")}[item]  # fmt: skip
        settled = reported + timedelta(days=settle_days) <= today
        status = rng.choice(["paid", "closed"]) if settled else rng.choice(["reported", "accepted"])
        if settled and rng.random() < 0.06:
            status = "rejected"
        claim = Claim(
            insurer=cover.policy.insurer,
            claim_number=f"LP{cover.policy.number[-10:]}{cover.elevator_id % 10000:04d}",
            policy=cover.policy,
            elevator=cover.elevator,
            incident_at=timezone.make_aware(
                datetime.combine(incident, time(rng.randrange(6, 23), rng.randrange(60)))
            ),
            kind=kind,
            coverage_item=item,
            people_injured=1 if kind == "injury" else 0,
            people_dead=1 if kind == "death" else 0,
            amount_claimed=amount,
            amount_reserved=amount,
            amount_paid=amount if status in ("paid", "closed") else D("0"),
            advance_payment=kind in ("injury", "death") and rng.random() < 0.5,
            status=status,
            reported_on=reported,
            accepted_on=reported + timedelta(days=2) if status != "reported" else None,
            paid_on=reported + timedelta(days=settle_days) if status in ("paid", "closed") else None,
            rejected_on=reported + timedelta(days=settle_days) if status == "rejected" else None,
            closed_on=reported + timedelta(days=settle_days + 3) if status == "closed" else None,
        )
        claims.append(claim)
    Claim.objects.bulk_create(claims, batch_size=CHUNK, ignore_conflicts=True)
    saved = {
        c.claim_number: c for c in Claim.objects.filter(claim_number__in=[c.claim_number for c in claims])
    }
    for claim in saved.values():
        path = (
            ["reported"]
            + ([] if claim.status == "reported" else ["accepted"])
            + ([claim.status] if claim.status not in ("reported", "accepted") else [])
        )
        previous = ""
        for status in path:
            changes.append(
                ClaimStatusChange(claim=claim, from_status=previous, to_status=status, on=claim.reported_on)
            )
            previous = status
    ClaimStatusChange.objects.bulk_create(changes, batch_size=CHUNK)
    return len(saved)
