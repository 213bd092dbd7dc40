"""Policies: the policyholder rule, no overlapping cover (also under concurrency), renew, cancel,
expiry notices, and who sees which policy."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection

from accounts.models import Contact, Notice
from core.exceptions import ApplicationError
from core.principal import SYSTEM
from elevators.models import Elevator
from insurance.models import InsuranceModel, Policy, PolicyElevator
from insurance.services import (
    policies_expire,
    policy_cancel,
    policy_default_end,
    policy_expiry_notices,
    policy_register,
    policy_register_once,
    policy_renew,
)
from tests.elevators.factories import ElevatorFactory
from tests.factories import DistrictFactory, OrganisationFactory
from tests.insurance.factories import policy, product_version
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)


@pytest.fixture
def version():
    return product_version()


def test_register_prices_every_elevator_and_sums_the_total(version):
    holder = OrganisationFactory()
    elevators = [ElevatorFactory(user_unit=holder, installed_on=date(2016, 1, 1)) for _ in range(3)]
    cover = policy(version, elevators, start=START)
    assert cover.end_date == date(2026, 12, 31)  # one policy year, both ends inclusive
    assert cover.total_premium == Decimal("279.00")
    assert cover.model == InsuranceModel.LIABILITY
    assert sorted(c.premium for c in cover.covered.all()) == [Decimal("93.00")] * 3
    assert cover.covered.first().rating["factors"][0]["factor"] == "age"


def test_policyholder_must_own_or_use_every_elevator_and_each_fault_is_named(version):
    holder = OrganisationFactory()
    own = ElevatorFactory(user_unit=holder, owner=OrganisationFactory())
    owned = ElevatorFactory(user_unit=OrganisationFactory(), owner=holder)
    foreign_a, foreign_b = ElevatorFactory(), ElevatorFactory()
    with pytest.raises(ApplicationError) as exc:
        policy(version, [own, owned, foreign_a, foreign_b], start=START, policyholder=holder)
    assert exc.value.extra["elevators"] == sorted([foreign_a.equipment_code, foreign_b.equipment_code])
    assert foreign_a.equipment_code in str(exc.value.message)
    assert own.equipment_code not in str(exc.value.message)
    assert not Policy.objects.exists()  # the whole policy is refused
    assert policy(version, [own, owned], start=START, policyholder=holder).covered.count() == 2


def test_overlapping_cover_of_the_same_model_is_refused_naming_the_policy(version):
    elevator = ElevatorFactory()
    first = policy(version, [elevator], start=START)
    other_insurer_version = product_version()
    with pytest.raises(ApplicationError) as exc:
        policy(other_insurer_version, [elevator], start=date(2026, 12, 31))  # the last day overlaps
    assert first.number in str(exc.value.message)
    assert exc.value.extra["conflicts"] == [{"elevator": elevator.equipment_code, "policy": first.number}]
    # the day after the end is fine, and so is the other model at the same time
    policy(other_insurer_version, [elevator], start=date(2027, 1, 1))
    policy(product_version(model=InsuranceModel.INSURANCE_MAINTENANCE), [elevator], start=START)


def test_another_insurers_conflicting_policy_is_not_named():
    world = make_world()
    holder = world.orgs["pm_fancheng"]
    elevator = ElevatorFactory(user_unit=holder)
    a_policy = policy(product_version(world.orgs["insurer_a"]), [elevator], start=START, number="A-SECRET")
    b_version = product_version(world.orgs["insurer_b"])
    with pytest.raises(ApplicationError) as exc:
        policy_register(
            user=world.users["insurer_b"], version=b_version, policyholder=holder, elevators=[elevator],
            start_date=date(2026, 6, 1),
        )  # fmt: skip
    message = str(exc.value.message)
    assert a_policy.number not in message and "已由其他保险机构的保单承保" in message
    assert exc.value.extra["conflicts"] == [{"elevator": elevator.equipment_code, "policy": None}]
    # the policyholder sees its own policy, so its refusal names it
    with pytest.raises(ApplicationError) as exc:
        policy_register(
            user=world.users["pm_fancheng"], version=b_version, policyholder=holder, elevators=[elevator],
            start_date=date(2026, 6, 1),
        )  # fmt: skip
    assert exc.value.extra["conflicts"] == [{"elevator": elevator.equipment_code, "policy": "A-SECRET"}]


def test_a_number_taken_by_a_policy_the_caller_cannot_see_tells_nothing_about_it():
    world = make_world()
    version = product_version(world.orgs["insurer_a"])
    theirs = policy(
        version, [ElevatorFactory(user_unit=world.orgs["pm_fancheng"])], start=START, number="N-1"
    )
    mine = ElevatorFactory(user_unit=world.orgs["pm_xiangcheng"])
    with pytest.raises(ApplicationError) as exc:
        policy_register_once(
            user=world.users["pm_xiangcheng"], number="N-1", version=version,
            policyholder=world.orgs["pm_xiangcheng"], elevators=[mine], start_date=date(2026, 2, 1),
        )  # fmt: skip
    assert str(exc.value.message) == "保单号 N-1 已被使用。"
    assert exc.value.extra == {} and exc.value.field == "number"
    # its own insurer compares as before: the same content is unchanged
    same, created = policy_register_once(
        user=world.users["insurer_a"], number="N-1", version=version,
        policyholder=theirs.policyholder, elevators=[c.elevator for c in theirs.covered.all()], start_date=START,
    )  # fmt: skip
    assert (same, created) == (theirs, False)


def test_a_cancelled_policy_frees_its_elevators(version):
    elevator = ElevatorFactory()
    first = policy(version, [elevator], start=START)
    policy_cancel(user=_system(), policy=first, on=date(2026, 3, 1))
    first.refresh_from_db()
    assert (first.status, first.cancelled_on) == ("cancelled", date(2026, 3, 1))
    assert not PolicyElevator.objects.in_force_on(date(2026, 6, 1)).exists()
    policy(version, [elevator], start=date(2026, 3, 1))


def test_cancelling_ends_the_cover_the_day_before_and_one_rule_says_what_is_in_force(version):
    elevator = ElevatorFactory()
    first = policy(version, [elevator], start=START)
    policy_cancel(user=_system(), policy=first, on=date(2026, 3, 1))
    first.refresh_from_db()
    cover = first.covered.get()
    # the cover's effective period ends the day before; the policy keeps its contracted end
    assert (cover.start_date, cover.end_date, cover.is_cancelled) == (START, date(2026, 2, 28), False)
    assert first.end_date == date(2026, 12, 31)
    # in force until the day before the cancellation, not from it
    assert set(PolicyElevator.objects.in_force_on(date(2026, 2, 28))) == {cover}
    assert not PolicyElevator.objects.in_force_on(date(2026, 3, 1)).exists()
    # the policy had cover on a day before its cancellation, whatever its status today
    assert set(Policy.objects.active_on(date(2026, 2, 15))) == {first}
    assert not Policy.objects.active_on(date(2026, 3, 1)).exists()
    # cover until the 28th still counts: a new policy from the 28th overlaps it and names it
    with pytest.raises(ApplicationError) as exc:
        policy(version, [elevator], start=date(2026, 2, 28))
    assert first.number in str(exc.value.message)


def test_cancelling_on_the_start_date_means_the_cover_never_took_effect(version):
    elevator = ElevatorFactory()
    first = policy(version, [elevator], start=START)
    with pytest.raises(ApplicationError) as exc:
        policy_cancel(user=_system(), policy=first, on=START - timedelta(days=1))
    assert START.isoformat() in str(exc.value.message)
    policy_cancel(user=_system(), policy=first, on=START)
    cover = first.covered.get()
    assert cover.is_cancelled and (cover.start_date, cover.end_date) == (START, date(2026, 12, 31))
    assert not PolicyElevator.objects.in_force_on(START).exists()
    assert not Policy.objects.active_on(START).exists()
    assert policy(version, [elevator], start=START).covered.get().is_in_force_on(START)


def test_a_policy_since_expired_was_active_on_a_past_day(version):
    lapsed = policy(version, [ElevatorFactory()], start=date(2024, 1, 1))
    policies_expire(today=date(2026, 1, 1))
    lapsed.refresh_from_db()
    assert lapsed.status == "expired"
    assert set(Policy.objects.active_on(date(2024, 6, 1))) == {lapsed}
    assert not Policy.objects.active_on(date(2025, 1, 1)).exists()


def test_only_an_active_policy_is_cancelled_and_only_by_its_insurer(version):
    world = make_world()
    holder = world.orgs["pm_fancheng"]
    a_version = product_version(world.orgs["insurer_a"])
    first = policy(a_version, [ElevatorFactory(user_unit=holder)], start=START)
    for who in ("pm_fancheng", "insurer_b", "city"):
        with pytest.raises(PermissionDenied):
            policy_cancel(user=world.users[who], policy=first, on=date(2026, 3, 1))
    Policy.objects.filter(pk=first.pk).update(status="expired")
    with pytest.raises(ApplicationError) as exc:
        policy_cancel(user=world.users["insurer_a"], policy=first, on=date(2026, 3, 1))
    assert "已到期" in str(exc.value.message)
    Policy.objects.filter(pk=first.pk).update(status="active")
    policy_cancel(user=world.users["insurer_a"], policy=first, on=date(2026, 3, 1))
    with pytest.raises(ApplicationError) as exc:  # cancelled once, not again
        policy_cancel(user=world.users["insurer_a"], policy=first, on=date(2026, 4, 1))
    assert "2026-03-01" in str(exc.value.message)
    first.refresh_from_db()
    assert first.cancelled_on == date(2026, 3, 1)
    assert not first.can_renew(first.end_date)


def _system():
    return SYSTEM


def test_only_the_insurer_or_the_holder_may_register():
    world = make_world()
    holder = world.orgs["pm_fancheng"]
    version = product_version(world.orgs["insurer_a"])
    elevator = ElevatorFactory(user_unit=holder)
    for who in ("insurer_b", "pm_xiangcheng", "city", "district", "nfra", "maint"):
        with pytest.raises(PermissionDenied):
            policy_register(
                user=world.users[who],
                version=version,
                policyholder=holder,
                elevators=[elevator],
                start_date=START,
            )
    assert policy_register(
        user=world.users["pm_fancheng"],
        version=version,
        policyholder=holder,
        elevators=[elevator],
        start_date=START,
    ).number.startswith("TB20260101")
    assert policy_register(
        user=world.users["insurer_a"], version=version, policyholder=holder, elevators=[elevator],
        start_date=date(2027, 1, 1), number="PICC-2027-1",
    ).number == "PICC-2027-1"  # fmt: skip


def test_a_declared_premium_is_stored_as_declared(version):
    elevator = ElevatorFactory(installed_on=date(2016, 1, 1))
    registered = policy(version, [elevator], start=START, declared_premiums={elevator.pk: Decimal("90.00")})
    assert (registered.total_premium, registered.rated_total_premium) == (Decimal("90.00"), Decimal("93.00"))


def test_renew_into_the_next_period_in_one_step(version):
    holder = OrganisationFactory()
    keep = ElevatorFactory(user_unit=holder, installed_on=date(2016, 1, 1))
    scrapped = ElevatorFactory(user_unit=holder)
    first = policy(version, [keep, scrapped], start=START)
    Elevator.objects.filter(pk=scrapped.pk).update(status="scrapped")
    renewal = policy_renew(user=_system(), policy=first)
    assert (renewal.start_date, renewal.end_date) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal.renewed_from == first
    assert [c.elevator for c in renewal.covered.all()] == [keep]
    with pytest.raises(ApplicationError) as exc:  # renewing twice is refused, naming the renewal
        policy_renew(user=_system(), policy=first)
    assert renewal.number in str(exc.value.message)
    # also when the second renewal would overlap nothing: a clear refusal, not "系统繁忙"
    with pytest.raises(ApplicationError) as exc:
        policy_renew(user=_system(), policy=first, start_date=date(2030, 1, 1))
    assert renewal.number in str(exc.value.message)


def test_only_a_clash_of_numbers_is_retried(version):
    elevator = ElevatorFactory()
    first = policy(version, [elevator], start=START)
    policy_renew(user=_system(), policy=first)
    # the renewal link is taken: another constraint than the number's, raised as it is
    with pytest.raises(IntegrityError):
        policy(version, [elevator], start=date(2030, 1, 1), renewed_from=first)


def test_the_default_end_of_a_start_in_the_last_year_is_a_clear_error():
    assert policy_default_end(date(2024, 2, 29)) == date(2025, 2, 28)
    with pytest.raises(ApplicationError) as exc:
        policy_default_end(date(9999, 3, 1))
    assert exc.value.field == "start_date"


def test_expiry_notices_once_and_only_for_elevators_without_follow_on_cover(
    version, django_capture_on_commit_callbacks
):
    holder = OrganisationFactory()
    Contact.objects.create(organisation=holder, name="物业经理", email="pm@holder.example.cn")
    renewed, lapsing = ElevatorFactory(user_unit=holder), ElevatorFactory(user_unit=holder)
    today = date(2026, 12, 10)
    ending = policy(version, [renewed, lapsing], start=START)  # ends 2026-12-31
    policy(version, [renewed], start=date(2027, 1, 1))
    policy(version, [ElevatorFactory(user_unit=holder)], start=date(2026, 3, 1))  # ends in 2027: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert policy_expiry_notices(today=today) == 1
    notice = Notice.objects.get(recipient_organisation=holder)
    assert ending.number in notice.body
    assert lapsing.equipment_code in notice.body and renewed.equipment_code not in notice.body
    assert mail.outbox[0].to == ["pm@holder.example.cn"]
    assert policy_expiry_notices(today=today + timedelta(days=1)) == 0  # announced once


def test_ended_policies_expire(version):
    first = policy(version, [ElevatorFactory()], start=date(2025, 1, 1))
    assert policies_expire(today=date(2026, 1, 1)) == 1
    first.refresh_from_db()
    assert first.status == "expired"


@pytest.mark.postgres
def test_the_database_refuses_overlap_even_without_the_service(version):
    from django.db import IntegrityError, transaction

    elevator = ElevatorFactory()
    first = policy(version, [elevator], start=START)
    second = Policy.objects.create(
        number="RAW-1", insurer=first.insurer, product_version=version, model=first.model,
        policyholder=first.policyholder, start_date=date(2026, 6, 1), end_date=date(2027, 5, 31), total_premium=0,
        rated_total_premium=0,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyElevator.objects.create(
            policy=second, elevator=elevator, premium=0, rated_premium=0, model=first.model,
            start_date=date(2026, 6, 1), end_date=date(2027, 5, 31),
        )  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_overlapping_registrations_one_wins_the_other_names_it():
    version = product_version()
    elevator = ElevatorFactory()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def register(name: str, start: date):
        try:
            barrier.wait(timeout=10)
            outcomes[name] = policy(version, [elevator], start=start, number=name)
        except ApplicationError as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=register, args=("CONC-A", START)),
        threading.Thread(target=register, args=("CONC-B", date(2026, 6, 1))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, outcome in outcomes.items() if isinstance(outcome, Policy)]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1
    assert winners[0] in str(losers[0].message)
    assert PolicyElevator.objects.filter(elevator=elevator).count() == 1


# --- who sees which policy -------------------------------------------------------------------


def test_policy_and_elevator_visibility_per_kind():
    world = make_world()
    xiangcheng = DistrictFactory(code="420602")
    a_version = product_version(world.orgs["insurer_a"])
    b_version = product_version(world.orgs["insurer_b"])
    housing = ElevatorFactory(user_unit=world.orgs["pm_fancheng"], maintenance_company=world.orgs["maint"])
    hospital = ElevatorFactory(
        user_unit=world.orgs["pm_xiangcheng"], district=xiangcheng, place_category_id="HOSPITAL"
    )
    uninsured = ElevatorFactory(
        user_unit=world.orgs["pm_xiangcheng"], district=xiangcheng, place_category_id="MALL"
    )
    p_housing = policy(a_version, [housing], start=START)
    p_hospital = policy(b_version, [hospital], start=START, funding_source="public_finance")
    expected = {
        "city": {p_housing, p_hospital},
        "nfra": {p_housing, p_hospital},
        "district": {p_housing},  # 樊城区
        "housing": {p_housing},  # residential is the housing bureau's sector
        "finance": {p_hospital},  # publicly funded
        "insurer_a": {p_housing},
        "insurer_b": {p_hospital},
        "pm_fancheng": {p_housing},
        "pm_xiangcheng": {p_hospital},
        "maint": set(),
    }
    for who, policies in expected.items():
        assert set(Policy.objects.visible_to(world.users[who])) == policies, who
    # insurers see the registry entries of the elevators they cover, nothing else
    assert set(Elevator.objects.visible_to(world.users["insurer_a"])) == {housing}
    assert set(Elevator.objects.visible_to(world.users["insurer_b"])) == {hospital}
    # the finance bureau sees public housing and publicly funded elevators
    assert set(Elevator.objects.visible_to(world.users["finance"])) == {hospital}
    # an elevator nobody covers is not listed to an insurer, but may be looked up for quoting
    assert uninsured in Elevator.objects.quotable_by(world.users["insurer_a"])


def test_policies_and_claims_join_the_timeline_and_the_public_card():
    from datetime import datetime

    from django.test import Client
    from django.utils import timezone as tz

    from elevators.selectors import elevator_timeline
    from insurance.models import Claim

    world = make_world()
    holder = world.orgs["pm_fancheng"]
    version = product_version(world.orgs["insurer_a"])
    elevator = ElevatorFactory(user_unit=holder)
    today = tz.localdate()
    cover = policy(version, [elevator], start=today - timedelta(days=30))
    Claim.objects.create(
        insurer=cover.insurer, claim_number="CLM-1", policy=cover, elevator=elevator, kind="trapping",
        incident_at=tz.make_aware(datetime.combine(today, datetime.min.time())), coverage_item="rescue",
        reported_on=today,
    )  # fmt: skip
    kinds = {e.kind for e in elevator_timeline(elevator=elevator, user=world.users["insurer_a"])}
    assert {"policy", "claim"} <= kinds
    # the policyholder sees its policy but not the insurer's claim
    kinds = {e.kind for e in elevator_timeline(elevator=elevator, user=world.users["pm_fancheng"])}
    assert "policy" in kinds and "claim" not in kinds
    card = Client().get(f"/e/{elevator.equipment_code}/").content.decode()
    assert world.orgs["insurer_a"].name in card and "未投保" not in card
    assert str(cover.total_premium) not in card


def test_the_public_card_shows_cover_until_the_day_before_a_cancellation():
    from django.test import Client
    from django.utils import timezone as tz

    world = make_world()
    elevator = ElevatorFactory(user_unit=world.orgs["pm_fancheng"])
    today = tz.localdate()
    cover = policy(product_version(world.orgs["insurer_a"]), [elevator], start=today - timedelta(days=30))
    policy_cancel(user=world.users["insurer_a"], policy=cover, on=today + timedelta(days=1))
    card = Client().get(f"/e/{elevator.equipment_code}/")
    assert world.orgs["insurer_a"].name in card.content.decode()  # still insured today
    assert card.context["card"]["policy_end"] == today
    policy_cancel_today = policy(
        product_version(world.orgs["insurer_b"], model=InsuranceModel.INSURANCE_MAINTENANCE),
        [ElevatorFactory(user_unit=world.orgs["pm_fancheng"])],
        start=today - timedelta(days=30),
    )
    policy_cancel(user=SYSTEM, policy=policy_cancel_today, on=today)
    other = policy_cancel_today.covered.get().elevator
    assert world.orgs["insurer_b"].name not in Client().get(f"/e/{other.equipment_code}/").content.decode()
