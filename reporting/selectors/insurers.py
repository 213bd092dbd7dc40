"""Insurance figures beside coverage: a slice's policies, premium, claims and paid; each insurer's
cover, loss ratio on earned premium and days to payment."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import Organisation
from insurance.models import Claim, ClaimStatus, PolicyElevator

from .coverage import RATE_PLACES, coverage_elevators

# --- insurance figures beside coverage -----------------------------------------------------------

LOSS_WINDOW_DAYS = 365
OPEN_CLAIM_DAYS = 30
MONEY_PLACES = Decimal("0.01")


def loss_window(on: date) -> tuple[date, date]:
    """The 365 days ending on `on` (both included): the window of claims, payments and earned
    premium on the dashboards."""
    return on - timedelta(days=LOSS_WINDOW_DAYS - 1), on


@dataclass(frozen=True)
class InsuranceSummary:
    """Policies and premium in force on `on`, and the claims reported in the window, for a slice."""

    policies: int
    elevators_covered: int
    premium: Decimal
    claims: int
    paid: Decimal
    window: tuple[date, date]

    @classmethod
    def of(cls, *, on: date, policies: int, elevators: int, premium, claims: int, paid) -> "InsuranceSummary":
        """The summary of `on` from its counts (a sum of nothing is 0.00 yuan)."""
        return cls(
            policies=policies,
            elevators_covered=elevators,
            premium=(premium or Decimal(0)).quantize(MONEY_PLACES),
            claims=claims,
            paid=(paid or Decimal(0)).quantize(MONEY_PLACES),
            window=loss_window(on),
        )


def insurance_sources(*, user, on: date, filters: dict | None = None) -> tuple[QuerySet, QuerySet]:
    """What a slice's insurance summary counts: the covers visible to `user` in force on `on` of
    the slice's elevators, and the claims on those elevators reported in the window ending on `on`.
    Claims are counted in aggregate through the elevators the caller sees, as for sector
    departments (insurance.selectors.claim_totals_for_sector)."""
    elevators = coverage_elevators(user=user, filters=filters)
    covers = PolicyElevator.objects.visible_to(user).in_force_on(on).filter(elevator__in=elevators)
    start, end = loss_window(on)
    claims = Claim.objects.filter(elevator__in=elevators, reported_on__gte=start, reported_on__lte=end)
    return covers, claims


COVER_TOTALS = {
    "policies": Count("policy", distinct=True),
    "elevators": Count("elevator", distinct=True),
    "premium": Sum("premium"),
}
CLAIM_TOTALS = {"claims": Count("pk"), "paid": Sum("amount_paid")}


def insurance_summary(*, user, on: date, filters: dict | None = None) -> InsuranceSummary:
    """Beside the coverage of a slice: the policies (and their covers' premium) in force on `on`
    covering its elevators, and the claims on its elevators reported in the window ending on
    `on` with the amounts paid on them (insurance_sources)."""
    covers, claims = insurance_sources(user=user, on=on, filters=filters)
    return InsuranceSummary.of(on=on, **covers.aggregate(**COVER_TOTALS), **claims.aggregate(**CLAIM_TOTALS))


@dataclass(frozen=True)
class InsurerFigures:
    """One insurer's row on the insurance regulator's view (see `insurer_performance`)."""

    key: str
    label: str
    elevators_covered: int
    policies: int
    premium: Decimal
    earned_premium: Decimal
    claims: int
    paid: Decimal
    average_days_to_payment: Decimal | None
    open_claims_over_30_days: int
    policies_outside_band: int = 0

    @property
    def loss_ratio(self) -> Decimal | None:
        """Paid / earned premium to four places; None without earned premium."""
        if not self.earned_premium:
            return None
        return (self.paid / self.earned_premium).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def earned_premium_by_insurer(*, covers: QuerySet, start: date, end: date) -> dict[object, Decimal]:
    """Earned premium in start..end per insurer id.

    Earned premium: each cover's premium is earned evenly over the days of its policy's contracted
    period (policy start to policy end, both counted); a cover earns the share of those days on
    which it was in force within start..end. A cover cancelled part way (its end moved to the day
    before the cancellation) stops earning then; one cancelled before it began earns nothing.

    The database sums premiums per distinct period (a policy's elevators share one), and the day
    arithmetic runs on those few sums rather than on every cover.
    """
    periods = (
        covers.filter(is_cancelled=False, start_date__lte=end, end_date__gte=start)
        .values("policy__insurer_id", "policy__start_date", "policy__end_date", "start_date", "end_date")
        .annotate(premium=Sum("premium"))
        .order_by()
    )
    earned: dict[object, Decimal] = defaultdict(Decimal)
    for row in periods:
        term = (row["policy__end_date"] - row["policy__start_date"]).days + 1
        days = (min(end, row["end_date"]) - max(start, row["start_date"])).days + 1
        if term > 0 and days > 0:
            earned[row["policy__insurer_id"]] += row["premium"] * min(days, term) / term
    return {insurer: amount.quantize(MONEY_PLACES) for insurer, amount in earned.items()}


def insurer_performance(*, user, on: date) -> list[InsurerFigures]:
    """Per insurer the caller may see covers of: elevators covered, policies and their premium
    in force on `on`; in the window ending on `on` the earned premium (earned_premium_by_insurer),
    the claims reported and paid on them, the loss ratio (paid / earned premium) and the average
    days from report to payment of the claims paid in the window; and the claims still open
    (reported or accepted) that were reported more than 30 days before `on`; and the policies in
    force whose declared premium is outside their product's band (Policy.premium_outside_band)."""
    start, end = loss_window(on)
    covers = PolicyElevator.objects.visible_to(user)
    in_force = {
        row["policy__insurer_id"]: row
        for row in covers.in_force_on(on)
        .values("policy__insurer_id")
        .annotate(
            elevators=Count("elevator", distinct=True),
            policies=Count("policy", distinct=True),
            premium=Sum("premium"),
            outside_band=Count("policy", distinct=True, filter=Q(policy__premium_outside_band=True)),
        )
        .order_by()
    }
    earned = earned_premium_by_insurer(covers=covers, start=start, end=end)
    claims = Claim.objects.visible_to(user)
    reported = {
        row["insurer_id"]: row
        for row in claims.filter(reported_on__gte=start, reported_on__lte=end)
        .values("insurer_id")
        .annotate(n=Count("pk"), paid=Sum("amount_paid"))
        .order_by()
    }
    days_to_pay = _average_days_to_payment(claims, start=start, end=end)
    open_old = {
        row["insurer_id"]: row["n"]
        for row in claims.filter(
            status__in=[ClaimStatus.REPORTED, ClaimStatus.ACCEPTED],
            reported_on__lt=on - timedelta(days=OPEN_CLAIM_DAYS),
        )
        .values("insurer_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    insurer_ids = set(in_force) | set(earned) | set(reported) | set(open_old)
    zero = Decimal(0)
    return [
        InsurerFigures(
            key=o.credit_code or str(o.pk),
            label=o.name,
            elevators_covered=in_force.get(o.pk, {}).get("elevators", 0),
            policies=in_force.get(o.pk, {}).get("policies", 0),
            premium=(in_force.get(o.pk, {}).get("premium") or zero).quantize(MONEY_PLACES),
            earned_premium=earned.get(o.pk, zero.quantize(MONEY_PLACES)),
            claims=reported.get(o.pk, {}).get("n", 0),
            paid=(reported.get(o.pk, {}).get("paid") or zero).quantize(MONEY_PLACES),
            average_days_to_payment=days_to_pay.get(o.pk),
            open_claims_over_30_days=open_old.get(o.pk, 0),
            policies_outside_band=in_force.get(o.pk, {}).get("outside_band", 0),
        )
        for o in Organisation.objects.filter(pk__in=insurer_ids).order_by("name")
    ]


def _average_days_to_payment(claims: QuerySet, *, start: date, end: date) -> dict[object, Decimal]:
    """Per insurer, the mean days from report to payment of the claims paid in start..end (one
    decimal); the database counts claims per (report day, payment day)."""
    sums: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    pairs = (
        claims.filter(paid_on__gte=start, paid_on__lte=end)
        .values("insurer_id", "reported_on", "paid_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in pairs:
        days = max((row["paid_on"] - row["reported_on"]).days, 0)
        sums[row["insurer_id"]][0] += days * row["n"]
        sums[row["insurer_id"]][1] += row["n"]
    return {
        insurer: (Decimal(total) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        for insurer, (total, n) in sums.items()
    }
