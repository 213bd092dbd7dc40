"""The engine's reads behind the dashboards, against the scene as built: the uninsured work list,
the insurance figures beside a slice, each insurer's figures with earned premium and loss ratio."""

from datetime import timedelta
from decimal import Decimal

import pytest

from elevators.models import Elevator
from insurance.models import Policy, PolicyElevator
from reporting.selectors import (
    coverage_worklist,
    earned_premium_by_insurer,
    insurance_summary,
    insurer_performance,
    lapsed_on,
    loss_window,
)
from tests.utils.dates import today

from .dashboard_scene import build_scene

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


@pytest.fixture
def scene(world):
    return build_scene(world)


def cover_of(scene, key) -> PolicyElevator:
    return PolicyElevator.objects.get(policy=scene.policies[key])


def test_the_work_list_is_the_uninsured_in_scope_with_lapse_and_contact(world, scene):
    rows = {
        e.pk: e
        for e in coverage_worklist(
            elevators=Elevator.objects.visible_to(world.users["city"]), on=today()
        ).select_related("user_unit", "owner")
    }
    e = scene.elevators
    assert set(rows) == {e["f_lapsed"].pk, e["f_never"].pk, e["x_never"].pk}  # not the scrapped one
    assert lapsed_on(rows[e["f_lapsed"].pk].last_cover_end) == cover_of(
        scene, "f_lapsed"
    ).end_date + timedelta(1)
    assert rows[e["f_never"].pk].last_cover_end is None
    assert rows[e["f_never"].pk].contact_phone == "0710-1234567"
    # on a day the lapsed policy was in force, its elevator is not on the list
    earlier = coverage_worklist(elevators=Elevator.objects.all(), on=today() - timedelta(days=40))
    assert e["f_lapsed"].pk not in set(earlier.values_list("pk", flat=True))


def test_the_insurance_figures_of_a_slice_follow_visibility(world, scene):
    premium = {key: cover_of(scene, key).premium for key in scene.policies}
    city = insurance_summary(user=world.users["city"], on=today())
    assert (city.policies, city.elevators_covered, city.claims, city.paid) == (3, 3, 2, Decimal("1000.00"))
    assert city.premium == premium["f_insured"] + premium["f_mall"] + premium["x_housing"]
    assert city.window == loss_window(today()) == (today() - timedelta(days=364), today())
    fancheng = insurance_summary(user=world.users["district"], on=today())
    assert (fancheng.policies, fancheng.claims, fancheng.premium) == (
        2,
        2,
        premium["f_insured"] + premium["f_mall"],
    )
    housing = insurance_summary(user=world.users["housing"], on=today())  # residential and public housing
    assert (housing.policies, housing.claims, housing.paid) == (2, 1, Decimal("1000.00"))
    narrowed = insurance_summary(user=world.users["city"], on=today(), filters={"district": "420602"})
    assert (narrowed.policies, narrowed.claims) == (1, 0)


def earned(cover: PolicyElevator, start, end) -> Decimal:
    """The docstring's definition, by hand: premium spread over the policy's contracted days."""
    policy = cover.policy
    term = (policy.end_date - policy.start_date).days + 1
    days = (min(end, cover.end_date) - max(start, cover.start_date)).days + 1
    return cover.premium * max(days, 0) / term


def test_each_insurer_has_its_cover_claims_earned_premium_and_loss_ratio(world, scene):
    start, end = loss_window(today())
    a, b = world.orgs["insurer_a"], world.orgs["insurer_b"]
    expected_a = earned(cover_of(scene, "f_insured"), start, end) + earned(
        cover_of(scene, "f_lapsed"), start, end
    )
    expected_b = earned(cover_of(scene, "f_mall"), start, end) + earned(
        cover_of(scene, "x_housing"), start, end
    )
    rows = {row.key: row for row in insurer_performance(user=world.users["nfra"], on=today())}
    assert set(rows) == {a.credit_code, b.credit_code}
    row_a, row_b = rows[a.credit_code], rows[b.credit_code]
    assert (row_a.elevators_covered, row_a.policies, row_b.elevators_covered, row_b.policies) == (1, 1, 2, 2)
    assert row_a.premium == cover_of(scene, "f_insured").premium
    assert row_a.earned_premium == expected_a.quantize(CENT)
    assert row_b.earned_premium == expected_b.quantize(CENT)
    assert (row_a.claims, row_a.paid, row_b.claims, row_b.paid) == (1, Decimal("1000.00"), 1, Decimal("0.00"))
    assert row_a.loss_ratio == (Decimal("1000.00") / expected_a.quantize(CENT)).quantize(Decimal("0.0001"))
    assert row_b.loss_ratio == Decimal("0.0000")
    assert (row_a.average_days_to_payment, row_b.average_days_to_payment) == (Decimal("30.0"), None)
    assert (row_a.open_claims_over_30_days, row_b.open_claims_over_30_days) == (0, 1)
    # the same figures for the city regulator
    assert insurer_performance(user=world.users["city"], on=today()) == list(rows.values())


def test_each_insurer_counts_its_policies_in_force_with_a_premium_outside_the_band(world, scene):
    """The insurance regulator's column of flagged premiums."""
    Policy.objects.filter(pk=scene.policies["f_mall"].pk).update(premium_outside_band=True)
    Policy.objects.filter(pk=scene.policies["f_lapsed"].pk).update(premium_outside_band=True)  # ended
    rows = {row.key: row for row in insurer_performance(user=world.users["nfra"], on=today())}
    a, b = world.orgs["insurer_a"], world.orgs["insurer_b"]
    assert (rows[a.credit_code].policies_outside_band, rows[b.credit_code].policies_outside_band) == (0, 1)


def test_earned_premium_stops_at_a_cancellation(world, scene):
    from core.principal import SYSTEM
    from insurance.services import policy_cancel

    policy = scene.policies["f_mall"]  # began 10 days ago
    cover = cover_of(scene, "f_mall")
    policy_cancel(user=SYSTEM, policy=policy, on=today() - timedelta(days=5))
    cover.refresh_from_db()
    start, end = loss_window(today())
    term = (policy.end_date - policy.start_date).days + 1
    covers = PolicyElevator.objects.filter(pk=cover.pk)
    assert earned_premium_by_insurer(covers=covers, start=start, end=end) == {
        policy.insurer_id: (cover.premium * 5 / term).quantize(CENT)  # today()-10 .. today()-6
    }
