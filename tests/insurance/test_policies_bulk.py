"""Registering many policies at once: policy_register's rules for a batch, all or none, audited."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.audit import acting_as
from core.exceptions import ApplicationError
from core.principal import SYSTEM
from insurance.models import Claim, InsuranceModel, Policy, PolicyElevator
from insurance.rating import quote, quotes
from insurance.services import PolicyDraft, policies_expire, policies_register_in_bulk, policy_cancel
from insurance.services import bulk as bulk_module
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory
from tests.insurance.factories import policy, product_version
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)


@pytest.fixture
def version():
    return product_version()


def draft(version, elevators, *, start=START, number=None, **fields) -> PolicyDraft:
    return PolicyDraft(
        version=version,
        policyholder_id=fields.pop("policyholder_id", elevators[0].user_unit_id),
        elevator_ids=tuple(e.pk for e in elevators),
        start_date=start,
        number=number or f"B-{start:%Y%m%d}-{elevators[0].pk}",
        **fields,
    )


def renumbered(one: PolicyDraft, number: str) -> PolicyDraft:
    return PolicyDraft(**{**vars(one), "number": number})


def site(n: int = 2, **fields) -> list:
    holder = OrganisationFactory()
    return [ElevatorFactory(user_unit=holder, **fields) for _ in range(n)]


def test_every_premium_is_the_rating_quote_and_ids_come_back_in_order(version, monkeypatch):
    monkeypatch.setattr(bulk_module, "CHUNK", 2)  # several chunks, out of the drafts' order
    monkeypatch.setattr(bulk_module, "COPY_CHUNK", 2)
    starts = [START + timedelta(days=d) for d in (40, 0, 40, 10, 0)]
    sites = [site(n, installed_on=date(2008 + n, 5, 1)) for n in (1, 2, 3, 1, 2)]
    drafts = [draft(version, elevators, start=start) for elevators, start in zip(sites, starts, strict=True)]

    ids = policies_register_in_bulk(user=SYSTEM, drafts=drafts)

    assert Policy.objects.count() == len(drafts)
    for policy_id, one, elevators in zip(ids, drafts, sites, strict=True):
        stored = Policy.objects.get(pk=policy_id)
        assert (stored.number, stored.start_date, stored.policyholder_id) == (
            one.number,
            one.start_date,
            one.policyholder_id,
        )
        assert stored.end_date == one.start_date.replace(year=one.start_date.year + 1) - timedelta(days=1)
        expected = quote(version=version, elevators=elevators, start=one.start_date)
        covers = {c.elevator_id: c for c in stored.covered.all()}
        assert {pk: c.premium for pk, c in covers.items()} == {
            line.elevator.pk: line.premium for line in expected.lines
        }
        assert {pk: c.rating for pk, c in covers.items()} == {
            line.elevator.pk: line.as_dict() for line in expected.lines
        }
        assert stored.total_premium == expected.total
        assert {(c.model, c.start_date, c.end_date) for c in covers.values()} == {
            (stored.model, stored.start_date, stored.end_date)
        }


def test_the_policyholder_must_own_or_use_every_elevator_and_nothing_is_written(version):
    mine = site(2)
    foreign = ElevatorFactory()
    good = draft(version, site(1))
    bad = draft(version, [*mine, foreign], number="B-FOREIGN")
    with pytest.raises(ApplicationError) as exc:
        policies_register_in_bulk(user=SYSTEM, drafts=[good, bad])
    assert exc.value.extra["elevators"] == [foreign.equipment_code]
    assert exc.value.extra["number"] == "B-FOREIGN"
    assert "B-FOREIGN" in str(exc.value.message)
    assert not Policy.objects.exists() and not PolicyElevator.objects.exists()


def test_no_overlap_with_stored_cover_nor_within_the_batch(version):
    elevators = site(2)
    stored = policy(version, elevators[:1], start=START)
    with pytest.raises(ApplicationError) as exc:
        policies_register_in_bulk(
            user=SYSTEM, drafts=[draft(product_version(), elevators, start=date(2026, 12, 31))]
        )
    assert exc.value.extra["conflicts"] == [
        {"elevator": elevators[0].equipment_code, "policy": stored.number}
    ]

    later, also_later = date(2027, 1, 1), date(2027, 6, 1)
    with pytest.raises(ApplicationError) as exc:
        policies_register_in_bulk(
            user=SYSTEM,
            drafts=[
                draft(version, elevators, start=later, number="B-1"),
                draft(version, elevators[1:], start=also_later, number="B-2"),
            ],
        )
    assert exc.value.extra["number"] == "B-2" and "B-1" in str(exc.value.message)
    assert Policy.objects.count() == 1

    # the day after the stored cover ends is fine, and so is the other model at the same time
    other_model = product_version(model=InsuranceModel.INSURANCE_MAINTENANCE)
    ids = policies_register_in_bulk(
        user=SYSTEM,
        drafts=[draft(version, elevators, start=later), draft(other_model, elevators, start=START)],
    )
    assert len(ids) == 2 and Policy.objects.count() == 3


def test_a_cancelled_cover_no_longer_overlaps(version):
    elevators = site(1)
    first = policy(version, elevators, start=START)
    policy_cancel(user=SYSTEM, policy=first, on=date(2026, 3, 1))
    policies_register_in_bulk(user=SYSTEM, drafts=[draft(version, elevators, start=date(2026, 3, 1))])
    assert PolicyElevator.objects.in_force_on(date(2026, 6, 1)).get().policy.number != first.number


def test_numbers_are_required_once_per_insurer_and_not_taken(version):
    elevators = site(3)
    policy(version, elevators[:1], start=date(2024, 1, 1), number="TAKEN")
    cases = [
        ([renumbered(draft(version, elevators[1:2]), "")], "number"),
        ([draft(version, elevators[1:2], number="N"), draft(version, elevators[2:], number="N")], "number"),
        ([draft(version, elevators[1:2], number="TAKEN")], "number"),
    ]
    for drafts, field in cases:
        with pytest.raises(ApplicationError) as exc:
            policies_register_in_bulk(user=SYSTEM, drafts=drafts)
        assert exc.value.field == field
    assert Policy.objects.count() == 1
    # the same number at another insurer is another policy
    policies_register_in_bulk(user=SYSTEM, drafts=[draft(product_version(), elevators[1:2], number="TAKEN")])


def test_renewals_follow_policy_can_renew_and_happen_once(version):
    elevators = site(1)
    last_year = policy(version, elevators, start=date(2025, 1, 1))
    renewal = draft(version, elevators, number="R-1", renewed_from_id=last_year.pk)
    twice = draft(version, site(1), number="R-2", renewed_from_id=last_year.pk)
    with pytest.raises(ApplicationError):
        policies_register_in_bulk(user=SYSTEM, drafts=[renewal, twice])
    [renewed_id] = policies_register_in_bulk(user=SYSTEM, drafts=[renewal])
    last_year.refresh_from_db()
    assert last_year.renewal.pk == renewed_id and not last_year.can_renew(last_year.end_date)
    with pytest.raises(ApplicationError):  # renewed already
        policies_register_in_bulk(user=SYSTEM, drafts=[renumbered(twice, "R-3")])
    cancelled = policy(version, site(1), start=date(2025, 1, 1))
    policy_cancel(user=SYSTEM, policy=cancelled, on=date(2025, 6, 1))
    with pytest.raises(ApplicationError):
        policies_register_in_bulk(
            user=SYSTEM,
            drafts=[
                draft(version, [c.elevator for c in cancelled.covered.all()], renewed_from_id=cancelled.pk)
            ],
        )


def test_a_product_off_sale_takes_renewals_only(version):
    elevators = site(1)
    last_year = policy(version, elevators, start=date(2025, 1, 1))
    version.product.is_on_sale = False
    version.product.save()
    with pytest.raises(ApplicationError) as exc:
        policies_register_in_bulk(user=SYSTEM, drafts=[draft(version, site(1))])
    assert exc.value.field == "product"
    policies_register_in_bulk(user=SYSTEM, drafts=[draft(version, elevators, renewed_from_id=last_year.pk)])


def test_only_the_insurer_or_the_policyholder_registers():
    world = make_world()
    a_version = product_version(world.orgs["insurer_a"])
    elevators = [ElevatorFactory(user_unit=world.orgs["pm_fancheng"])]
    for who in ("insurer_b", "pm_xiangcheng", "city"):
        with pytest.raises(PermissionDenied):
            policies_register_in_bulk(user=world.users[who], drafts=[draft(a_version, elevators)])
    policies_register_in_bulk(user=world.users["pm_fancheng"], drafts=[draft(a_version, elevators)])
    assert Policy.objects.get().created_by == world.users["pm_fancheng"]


def test_each_policy_and_cover_gets_its_creation_entry_naming_the_actor(version):
    drafts = [draft(version, site(n)) for n in (1, 2, 3)]
    with acting_as("command:test"):
        ids = policies_register_in_bulk(user=SYSTEM, drafts=drafts)
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Policy))
    assert sorted(int(e.object_pk) for e in entries) == sorted(ids)
    assert {e.action for e in entries} == {LogEntry.Action.CREATE}
    assert {e.additional_data["actor"] for e in entries} == {"command:test"}
    assert {e.changes_dict["number"][1] for e in entries} == {d.number for d in drafts}
    # each cover too, as policy_register leaves them
    covers = PolicyElevator.objects.filter(policy_id__in=ids).select_related("policy", "elevator")
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(PolicyElevator))
    assert sorted((int(e.object_pk), e.object_repr) for e in entries) == sorted(
        (c.pk, str(c)) for c in covers
    )
    assert {e.action for e in entries} == {LogEntry.Action.CREATE}
    assert {e.additional_data["actor"] for e in entries} == {"command:test"}
    assert len(entries) == 1 + 2 + 3


def test_with_the_audit_log_off_nothing_is_logged_and_the_covers_are_the_same(version):
    elevators = site(3)
    with disable_auditlog():
        (policy_id,) = policies_register_in_bulk(user=SYSTEM, drafts=[draft(version, elevators)])
    written = ContentType.objects.get_for_models(Policy, PolicyElevator).values()
    assert not LogEntry.objects.filter(content_type__in=written).exists()
    expected = quote(version=version, elevators=elevators, start=START)
    covers = PolicyElevator.objects.filter(policy_id=policy_id)
    assert {c.elevator_id: (c.premium, c.rated_premium, c.rating) for c in covers} == {
        line.elevator.pk: (line.premium, line.premium, line.as_dict()) for line in expected.lines
    }


def test_quotes_at_once_are_the_quotes_one_by_one_with_the_claims_history(version, monkeypatch):
    elevators = site(3, installed_on=date(2016, 1, 1))
    cover = policy(version, elevators, start=date(2023, 1, 1), end=date(2025, 12, 31))
    for n, (elevator, when, status) in enumerate(
        [
            (elevators[0], date(2023, 7, 1), "paid"),
            (elevators[0], date(2024, 3, 1), "paid"),
            (elevators[1], date(2023, 6, 30), "paid"),
            (elevators[2], date(2024, 5, 1), "withdrawn"),
        ]
    ):
        Claim.objects.create(
            insurer=version.product.insurer, claim_number=f"C{n}", policy=cover, elevator=elevator,
            incident_at=timezone.make_aware(datetime.combine(when, datetime.min.time())), kind="trapping",
            coverage_item="rescue", status=status, reported_on=when,
        )  # fmt: skip
    monkeypatch.setattr(
        "insurance.rating.MAINTENANCE_SCORE_SOURCES", [lambda ids, on: {elevators[2].pk: Decimal("95")}]
    )
    requests = [
        (version, elevators, date(2026, 7, 1)),
        (version, elevators[:2], date(2026, 6, 30)),
        (product_version(), elevators[1:], date(2024, 3, 2)),
    ]
    at_once = quotes(requests=requests)
    one_by_one = [quote(version=v, elevators=e, start=s) for v, e, s in requests]
    assert [[line.as_dict() for line in q.lines] for q in at_once] == [
        [line.as_dict() for line in q.lines] for q in one_by_one
    ]
    # the history counted, each request over its own three years (a withdrawn claim never)
    assert [[line.factors[2].input for line in q.lines] for q in at_once] == [
        ["2次", "0次", "0次"],
        ["2次", "1次"],
        ["1次", "0次"],
    ]


def test_a_period_already_over_is_written_expired_as_the_daily_task_would(version):
    today = timezone.localdate()
    ended, running = site(1), site(1)
    ids = policies_register_in_bulk(
        user=SYSTEM,
        drafts=[
            draft(version, ended, start=today - timedelta(days=400)),
            draft(version, running, start=today - timedelta(days=300)),
        ],
    )
    assert [Policy.objects.get(pk=pk).status for pk in ids] == ["expired", "active"]
    assert policies_expire(today=today) == 0
