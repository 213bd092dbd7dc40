"""The insurance step of `manage.py seed_demo`: products of both models, policies (about 60-70% of
the elevators in scope, uneven across districts and place categories), renewals and claims.

Everything is written through insurance's services: products by `product_create`, policies by
`policies_register_in_bulk` (policy_register's rules for a whole batch: the policyholder is each
elevator's user unit, no two policies of one model overlap on an elevator, every premium is
`rating.quote`'s; last year's are written expired, as `policies_expire` leaves them), claims by
`claims_bulk_upsert` (the claims API's rules). So the demo can never hold what the rules forbid.
At benchmark scale the policies are registered without audit entries and with their foreign keys
checked once at the end (`at_benchmark_scale`), as the registry's bulk load is written.

Policies started on a day of the past year, so all are in force today; one group in
EXPIRING_EVERY ends within the expiry notices' horizon (the next 30 days, relative to the day
the demo is seeded) and has no follow-on policy, so the daily notices have something to say.
"""

import random
from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.db import connection
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from core.principal import SYSTEM
from elevators.models import Elevator, PlaceCategory
from insurance.models import (
    Claim,
    FundingSource,
    InsuranceModel,
    Policy,
    PolicyElevator,
    Product,
    ProductVersion,
)
from insurance.services import (
    PolicyDraft,
    policies_register_in_bulk,
    product_create,
    product_version_create,
)
from insurance.services.claims import claims_bulk_upsert
from insurance.services.claims.values import CLAIMS_BATCH_MAX, CREATED

from .accounts import INSURERS
from .bulkload import (
    analyze_tables,
    foreign_keys_checked_once,
    is_benchmark_scale,
    secondary_indexes_built_after,
)

D = Decimal
CHUNK = 5000

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
# (insurer key in demo.accounts.INSURERS, product code, name, model, base premiums by group):
# each product belongs to the insurer its name says.
PRODUCTS = [
    ("insurer-picc", "DTZR-2021", "人保财险电梯安全责任保险", InsuranceModel.LIABILITY, ("93", "95", "95")),
    (
        "insurer-picc",
        "DTWB-2021",
        "人保财险电梯“保险+维保”综合保险",
        InsuranceModel.INSURANCE_MAINTENANCE,
        ("4800", "6200", "6200"),
    ),
    ("insurer-pingan", "PA-DT-01", "平安电梯安全责任险", InsuranceModel.LIABILITY, ("98", "100", "100")),
    (
        "insurer-pingan",
        "PA-DT-WB",
        "平安电梯保险+维保服务",
        InsuranceModel.INSURANCE_MAINTENANCE,
        ("5200", "6600", "6600"),
    ),
    ("insurer-cpic", "CPIC-LIFT", "太平洋电梯安全责任保险", InsuranceModel.LIABILITY, ("95", "98", "98")),
    ("insurer-chinalife", "GPIC-DT", "国寿财电梯安全责任保险", InsuranceModel.LIABILITY, ("90", "95", "95")),
    (
        "insurer-chinalife",
        "GPIC-DTWB",
        "国寿财电梯维保综合保险",
        InsuranceModel.INSURANCE_MAINTENANCE,
        ("4500", "5900", "5900"),
    ),
    ("insurer-cic", "CIC-DT", "中华联合电梯安全责任保险", InsuranceModel.LIABILITY, ("92", "95", "95")),
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
RENEWAL_SHARE = 0.35  # of this year's policies, renewals of last year's
POLICY_YEAR_DAYS = 365
NOTICE_HORIZON_DAYS = 30  # insurance.services.policy_expiry_notices' default
EXPIRING_EVERY = 12  # one group in 12 ends within the horizon (about the share a year's spread gives)
CLAIM_SHARE = 0.03  # of covers (of last year's, half as many)
CLAIM_KINDS = [("trapping", "rescue", 70), ("property_damage", "property", 12), ("injury", "medical", 12),
               ("equipment_damage", "major_parts", 5), ("death", "death_disability", 1)]  # fmt: skip


# --- products -------------------------------------------------------------------------------


def products_ensure() -> dict[tuple[str, str], ProductVersion]:
    """Create each product of PRODUCTS (under its insurer) unless it exists; return their current
    versions by (insurer key, model), with the terms loaded for rating."""
    names = {key: name for key, name, _short in INSURERS}
    by_name = {
        o.name: o for o in Organisation.objects.filter(kind=OrganisationKind.INSURER, name__in=names.values())
    }
    versions = {}
    for key, code, name, model, bases in PRODUCTS:
        insurer = by_name.get(names[key])
        if insurer is None:
            continue
        service = model == InsuranceModel.INSURANCE_MAINTENANCE
        terms = {
            "deductible": D("0.00") if service else D("500.00"),
            "limits": SERVICE_LIMITS if service else LIABILITY_LIMITS,
            "base_premiums": dict(
                zip(("vertical", "escalator", "moving_walkway"), map(D, bases), strict=True)
            ),
            "coefficients": COEFFICIENTS,
            "note": "首版",
        }
        product = Product.objects.filter(insurer=insurer, code=code).first()
        if product is None:
            product = product_create(user=SYSTEM, insurer=insurer, code=code, name=name, model=model, **terms)
        elif product.current_version is None:
            product_version_create(user=SYSTEM, product=product, **terms)
        versions[(key, model)] = product.current_version.pk
    loaded = ProductVersion.objects.select_related("product__insurer").prefetch_related(
        "base_premiums", "coefficients"
    )
    by_pk = loaded.in_bulk(versions.values())
    return {key: by_pk[pk] for key, pk in versions.items()}


# --- policies -------------------------------------------------------------------------------


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _insured_groups(*, rng: random.Random, today: date) -> dict[tuple[int, str, str, str], list[int]]:
    """The in-scope elevators the demo insures, grouped into policies: (user unit, place, site,
    model) -> elevator ids, in the registry's order."""
    gathering = dict(PlaceCategory.objects.values_list("code", "is_public_gathering"))
    rows = (
        Elevator.objects.in_scope(on=today)
        .filter(user_unit__isnull=False)
        .order_by("pk")
        .values_list("pk", "district_id", "place_category_id", "user_unit_id", "site_name")
    )
    groups: dict[tuple[int, str, str, str], list[int]] = defaultdict(list)
    for pk, district, place, holder, site in rows.iterator(chunk_size=CHUNK):
        share = DISTRICT_COVERAGE.get(district, 0.6) + (PUBLIC_GATHERING_BONUS if gathering.get(place) else 0)
        if rng.random() >= share:
            continue
        service = rng.random() < SERVICE_MODEL_SHARE.get(place, 0.0)
        model = InsuranceModel.INSURANCE_MAINTENANCE if service else InsuranceModel.LIABILITY
        groups[(holder, place, site, model)].append(pk)
    return groups


def policy_drafts(
    *, rng: random.Random, today: date, versions: dict[tuple[str, str], ProductVersion], seed: str
) -> list[tuple[PolicyDraft | None, PolicyDraft]]:
    """(last year's policy or None, this year's) for each insured group; the first renews into
    the second."""
    insurers = list(dict.fromkeys(key for key, _model in versions))
    pairs = []
    sequence = 0

    def draft(version, holder, place, ids, start, funding=None) -> PolicyDraft:
        nonlocal sequence
        sequence += 1
        if funding is None:
            funding = FundingSource.SELF
            if version.product.model == InsuranceModel.INSURANCE_MAINTENANCE and rng.random() < 0.4:
                funding = FundingSource.MAINTENANCE_FUND
            if place == "PUBLIC_HOUSING":
                funding = FundingSource.PUBLIC_FINANCE
        return PolicyDraft(
            version=version,
            policyholder_id=holder,
            elevator_ids=tuple(ids),
            start_date=start,
            number=f"{version.product.insurer.credit_code[-4:]}{start:%Y}{sequence:07d}",
            funding_source=funding,
        )

    for index, ((holder, place, _site, model), ids) in enumerate(
        _insured_groups(rng=rng, today=today).items()
    ):
        key = insurers[random.Random(f"{seed}:{holder}").randrange(len(insurers))]
        version = versions.get((key, model)) or versions[(key, InsuranceModel.LIABILITY)]
        # This year's policy ends on policy_default_end(start): within the horizon for one group in
        # EXPIRING_EVERY, later in the year for the others.
        if index % EXPIRING_EVERY == 0:
            days_ago = POLICY_YEAR_DAYS - 1 - rng.randrange(NOTICE_HORIZON_DAYS)
        else:
            days_ago = rng.randrange(POLICY_YEAR_DAYS - 1 - NOTICE_HORIZON_DAYS)
        start = today - timedelta(days=days_ago)
        previous = None
        if rng.random() < RENEWAL_SHARE:
            # Last year's cover runs up to this year's start, whatever February held.
            previous = replace(
                draft(version, holder, place, ids, _plus_years(start, -1)), end_date=start - timedelta(days=1)
            )
        current = draft(version, holder, place, ids, start, funding=previous and previous.funding_source)
        pairs.append((previous, current))
    return pairs


def policies_write(*, rng: random.Random, today: date, seed: str) -> None:
    versions = products_ensure()
    if not versions:
        return
    pairs = policy_drafts(rng=rng, today=today, versions=versions, seed=seed)
    previous = [p for p, _c in pairs if p is not None]
    previous_ids = dict(
        zip(map(id, previous), policies_register_in_bulk(user=SYSTEM, drafts=previous), strict=True)
    )
    current = [
        PolicyDraft(**{**vars(c), "renewed_from_id": previous_ids[id(p)]}) if p is not None else c
        for p, c in pairs
    ]
    policies_register_in_bulk(user=SYSTEM, drafts=current)  # last year's are written expired


# --- claims ---------------------------------------------------------------------------------


def _claim_item(
    rng: random.Random,
    *,
    today: date,
    number: str,
    policy: str,
    code: str,
    model: str,
    start: date,
    end: date,
) -> dict | None:
    kind, item, _weight = rng.choices(CLAIM_KINDS, weights=[k[2] for k in CLAIM_KINDS])[0]
    if item == "major_parts" and model != InsuranceModel.INSURANCE_MAINTENANCE:
        kind, item = "property_damage", "property"
    span = (min(end, today) - start).days
    if span < 5:
        return None
    incident = start + timedelta(days=rng.randrange(span - 3))
    reported = incident + timedelta(days=rng.randrange(0, 3))
    settle_days = rng.randrange(5, 60)
    amount = {"rescue": D("200"), "property": D(rng.randrange(500, 15000)), "medical": D(rng.randrange(800, 30000)),
              "major_parts": D(rng.randrange(3000, 25000)), "death_disability": D("600000")}[item]  # fmt: skip
    settled = reported + timedelta(days=settle_days + 3) <= today
    status = rng.choice(["paid", "closed"]) if settled else rng.choice(["reported", "accepted"])
    if settled and rng.random() < 0.06:
        status = "rejected"
    if status == "accepted" and reported + timedelta(days=2) > today:
        status = "reported"
    settled_on = reported + timedelta(days=settle_days)
    paid = status in ("paid", "closed")
    return {
        "claim_number": number,
        "policy_number": policy,
        "equipment_code": code,
        "incident_at": timezone.make_aware(
            datetime.combine(incident, time(rng.randrange(6, 23), rng.randrange(60)))
        ),
        "kind": kind,
        "coverage_item": item,
        "people_injured": 1 if kind == "injury" else 0,
        "people_dead": 1 if kind == "death" else 0,
        "amount_claimed": amount,
        "amount_reserved": amount,
        "amount_paid": amount if paid else D("0"),
        "advance_payment": kind in ("injury", "death") and rng.random() < 0.5,
        "status": status,
        "reported_on": reported,
        "accepted_on": reported + timedelta(days=2) if status != "reported" else None,
        "paid_on": settled_on if paid else None,
        "rejected_on": settled_on if status == "rejected" else None,
        "closed_on": settled_on + timedelta(days=3) if status == "closed" else None,
    }


def claims_write(*, rng: random.Random, today: date) -> None:
    """Claims on some covers (CLAIM_SHARE), through the claims bulk API's service, per insurer."""
    covers = PolicyElevator.objects.order_by("pk").values_list(
        "policy__insurer_id", "policy__number", "policy__status", "elevator__equipment_code", "model",
        "start_date", "end_date",
    )  # fmt: skip
    items: dict[int, list[dict]] = defaultdict(list)
    for insurer, policy, status, code, model, start, end in covers.iterator(chunk_size=CHUNK):
        if status != Policy.Status.ACTIVE and rng.random() >= 0.5:
            continue
        if rng.random() >= CLAIM_SHARE:
            continue
        number = f"LP{start:%Y}{sum(map(len, items.values())) + 1:07d}"
        item = _claim_item(
            rng, today=today, number=number, policy=policy, code=code, model=model, start=start, end=end
        )
        if item is not None:
            items[insurer].append(item)
    insurers = Organisation.objects.in_bulk(items)
    for insurer_id, insurer_items in items.items():
        for at in range(0, len(insurer_items), CLAIMS_BATCH_MAX):
            results = claims_bulk_upsert(
                insurer=insurers[insurer_id], items=insurer_items[at : at + CLAIMS_BATCH_MAX], on_date=today
            )
            refused = [r for r in results if r["result"] != CREATED]
            if refused:
                raise RuntimeError(f"demo claims refused: {refused[:3]}")


# --- the step -------------------------------------------------------------------------------


def _analyze(*models) -> None:
    """Fresh planner statistics for the rows just written, on PostgreSQL (see analyze_tables)."""
    if is_benchmark_scale():
        with connection.cursor() as cursor:
            analyze_tables(cursor, models)


def insurance_summary() -> str:
    """What the policy and claim lists show the city (who sees every row), counted from the database."""
    statuses = Counter(Policy.objects.values_list("status", flat=True))
    parts = "、".join(
        f"{label} {statuses[value]:,} 份" for value, label in Policy.Status.choices if statuses[value]
    )
    renewals = Policy.objects.filter(renewed_from__isnull=False).count()
    return (
        f"  保险产品 {Product.objects.count()} 个；保单 {sum(statuses.values()):,} 份"
        f"（{parts or '无'}；其中续保 {renewals:,} 份），理赔 {Claim.objects.count():,} 件"
    )


def at_benchmark_scale(stack: ExitStack) -> None:
    """Enter, on `stack`, what the policies' bulk registration needs at benchmark scale (from
    BULK_THRESHOLD elevators on PostgreSQL) to run at COPY's speed: the policies' and covers' foreign
    keys checked once at the end, the policies' plain indexes built then (demo.bulkload; the
    covers' stay: the overlap check reads them by elevator and period as the chunks go), and no
    audit entries, as the registry's bulk load writes none: a generated city has no one's changes
    to trace, and a million entries would cost more than the policies. Below that scale nothing
    changes: the demo's policies are audited as any bulk registration is."""
    if not is_benchmark_scale():
        return
    cursor = stack.enter_context(connection.cursor())
    stack.enter_context(foreign_keys_checked_once(cursor, [Policy, PolicyElevator]))
    stack.enter_context(secondary_indexes_built_after(cursor, [Policy], rows_before=0, rows_added=1))
    stack.enter_context(disable_auditlog())


def build(*, rng: random.Random, options: dict, stdout) -> None:
    """Products, then (once) policies for the registry's elevators, renewals and claims."""
    today = timezone.localdate()
    if Policy.objects.exists():
        products_ensure()
        stdout.write("  保单已存在，跳过。")
    else:
        with ExitStack() as stack:
            at_benchmark_scale(stack)
            policies_write(rng=rng, today=today, seed=f"{options['seed']}:insurance")
        _analyze(Policy, PolicyElevator)
        claims_write(rng=rng, today=today)
        _analyze(Claim)
    stdout.write(insurance_summary())
