"""A small city for the dashboard and API tests (`build_scene`): who is insured, lapsed or never insured, with claims.

Expected figures in the tests are counted from this scene as built, or read from the coverage
engine when the test is that a page or the API shows the engine's figures.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from elevators.models import ElevatorStatus, PlaceCategory
from insurance.models import Claim, ClaimStatus, FundingSource, InsuranceModel
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.dates import today


def place(code):
    return PlaceCategory.objects.get(code=code)


@dataclass
class Scene:
    elevators: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)
    claims: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)


def claim(
    cover, elevator, number, *, reported_on, status=ClaimStatus.REPORTED, paid=Decimal(0), paid_on=None
):
    return Claim.objects.create(
        insurer=cover.insurer,
        claim_number=number,
        policy=cover,
        elevator=elevator,
        kind="trapping",
        incident_at=timezone.make_aware(datetime.combine(reported_on, datetime.min.time())),
        coverage_item="rescue",
        reported_on=reported_on,
        status=status,
        amount_paid=paid,
        paid_on=paid_on,
    )


def insured(scene, version, elevator, *, start, **fields):
    """A policy of `version` covering `elevator` from `start` for a policy year, at its rated premium."""
    return policy(version, [elevator], start=start, **fields)


def build_scene(world) -> Scene:
    """In 樊城区: insured (insurer A), lapsed (A's policy ended 36 days ago), never insured (its user
    unit has a phone), a mall insured by B, and a scrapped elevator (out of scope). In 襄城区: public
    housing insured by B from public finance, and one never insured. Claims: one paid by A (reported
    50 days ago, paid 20 days ago, 1,000.00), one open at B reported 40 days ago."""
    s = Scene()
    fan, xiang = world.fancheng, world.xiangcheng
    s.versions["a"] = product_version(world.orgs["insurer_a"], model=InsuranceModel.LIABILITY, code="A-L")
    s.versions["b"] = product_version(world.orgs["insurer_b"], model=InsuranceModel.LIABILITY, code="B-L")
    e = s.elevators
    e["f_insured"] = ElevatorFactory(district=fan)
    e["f_lapsed"] = ElevatorFactory(district=fan)
    e["f_never"] = ElevatorFactory(district=fan, user_unit__phone="0710-1234567")
    e["f_mall"] = ElevatorFactory(district=fan, place_category=place("MALL"))
    e["f_scrapped"] = ElevatorFactory(district=fan, status=ElevatorStatus.SCRAPPED)
    e["x_housing"] = ElevatorFactory(district=xiang, place_category=place("PUBLIC_HOUSING"))
    e["x_never"] = ElevatorFactory(district=xiang)
    p = s.policies
    p["f_insured"] = insured(s, s.versions["a"], e["f_insured"], start=today() - timedelta(days=100))
    p["f_lapsed"] = insured(s, s.versions["a"], e["f_lapsed"], start=today() - timedelta(days=400))
    p["f_mall"] = insured(s, s.versions["b"], e["f_mall"], start=today() - timedelta(days=10))
    p["x_housing"] = insured(
        s,
        s.versions["b"],
        e["x_housing"],
        start=today() - timedelta(days=200),
        funding_source=FundingSource.PUBLIC_FINANCE,
    )
    s.claims["paid"] = claim(
        p["f_insured"],
        e["f_insured"],
        "C-1",
        reported_on=today() - timedelta(days=50),
        status=ClaimStatus.PAID,
        paid=Decimal("1000.00"),
        paid_on=today() - timedelta(days=20),
    )
    s.claims["open"] = claim(p["f_mall"], e["f_mall"], "C-2", reported_on=today() - timedelta(days=40))
    return s


def more_elevators(world, n: int, *, tag: str) -> None:
    """n insured and n uninsured elevators in each district, for the query-count tests."""
    version = product_version(world.orgs["insurer_a"], code=f"Q-{tag}")
    for district in (world.fancheng, world.xiangcheng):
        for _ in range(n):
            insured(None, version, ElevatorFactory(district=district), start=today() - timedelta(days=30))
            ElevatorFactory(district=district)
