"""Claims services: the rules of claim_upsert and claims_bulk_upsert, idempotency, audit, concurrency."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.audit import acting_as
from core.exceptions import ApplicationError
from elevators.models import PlaceCategory
from insurance.models import Claim, ClaimPayment, ClaimStatusChange
from insurance.services import policy_cancel
from insurance.services.claims import claim_upsert, claims_bulk_upsert, claims_counts
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import insurer, policy, product_version
from tests.utils.dates import today

pytestmark = pytest.mark.django_db

D = Decimal
# Days far from today's edges: the day this module is imported on, or the next, gives the same cases.
START = today() - timedelta(days=200)  # the policy runs START .. START + 1 year - 1 day
INCIDENT_DAY = today() - timedelta(days=100)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def claim_data(cover, **fields) -> dict:
    """A valid new claim on the first elevator of `cover` (a policy)."""
    elevator = cover.covered.first().elevator
    data = {
        "claim_number": "LP-0001",
        "policy_number": cover.number,
        "equipment_code": elevator.equipment_code,
        "incident_at": at(INCIDENT_DAY),
        "kind": "trapping",
        "coverage_item": "medical",
        "reported_on": INCIDENT_DAY,
    }
    return {**data, **fields}


@pytest.fixture
def version():
    return product_version(insurer(name="甲保险公司"))


@pytest.fixture
def cover(version):
    return policy(version, [ElevatorFactory()], start=START, number="PA-1")


@pytest.fixture
def company(cover):
    return cover.insurer


# --- one claim ------------------------------------------------------------------------------


def test_a_new_claim_is_created_with_its_first_status_change_and_audit_entry(company, cover):
    claim, outcome = claim_upsert(insurer=company, data=claim_data(cover))
    assert outcome == "created"
    assert (claim.policy, claim.status, claim.amount_paid) == (cover, "reported", D("0.00"))
    (change,) = ClaimStatusChange.objects.filter(claim=claim)
    assert (change.from_status, change.to_status, change.on) == ("", "reported", INCIDENT_DAY)
    assert LogEntry.objects.get_for_object(claim).filter(action=LogEntry.Action.CREATE).count() == 1


def test_sending_the_same_claim_again_changes_nothing_and_writes_nothing(company, cover):
    first, _ = claim_upsert(insurer=company, data=claim_data(cover))
    entries = LogEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again, outcome = claim_upsert(insurer=company, data=claim_data(cover))
    assert (again.pk, outcome) == (first.pk, "unchanged")
    assert LogEntry.objects.count() == entries
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_an_update_moves_the_status_forward_and_records_the_change(company, cover):
    claim_upsert(insurer=company, data=claim_data(cover))
    paid_on = INCIDENT_DAY + timedelta(days=20)
    payments = [
        {"paid_on": paid_on, "amount": D("1200.00"), "payee": "张三", "reference": "T1"},
        {"paid_on": paid_on, "amount": D("300.50"), "payee": "张三", "reference": "T2"},
    ]
    claim, outcome = claim_upsert(
        insurer=company,
        data={"claim_number": "LP-0001", "status": "paid", "paid_on": paid_on, "payments": payments},
    )
    assert outcome == "updated"
    assert (claim.status, claim.amount_paid) == ("paid", D("1500.50"))  # amount_paid defaults to the sum
    assert ClaimPayment.objects.filter(claim=claim).count() == 2
    assert list(claim.status_changes.values_list("from_status", "to_status", "on")) == [
        ("", "reported", INCIDENT_DAY),
        ("reported", "paid", paid_on),
    ]
    # the same payments again: unchanged, nothing replaced
    ids = set(ClaimPayment.objects.values_list("pk", flat=True))
    _, outcome = claim_upsert(insurer=company, data={"claim_number": "LP-0001", "payments": payments[::-1]})
    assert outcome == "unchanged"
    assert set(ClaimPayment.objects.values_list("pk", flat=True)) == ids


def test_a_new_claim_may_start_in_any_status_with_that_status_date(company, cover):
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data=claim_data(cover, status="closed"))
    assert refused.value.field == "closed_on"
    claim, outcome = claim_upsert(
        insurer=company, data=claim_data(cover, status="closed", closed_on=INCIDENT_DAY + timedelta(days=3))
    )
    assert (outcome, claim.status) == ("created", "closed")


@pytest.mark.parametrize(
    ("first", "then", "allowed"),
    [
        ("closed", "accepted", False),
        ("paid", "reported", False),
        ("rejected", "paid", False),
        ("reported", "paid", True),
        ("accepted", "withdrawn", True),
        ("paid", "closed", True),
    ],
)
def test_status_moves_only_forward(company, cover, first, then, allowed):
    day = INCIDENT_DAY + timedelta(days=5)
    dates = {
        "accepted_on": day,
        "paid_on": day,
        "rejected_on": day,
        "withdrawn_on": day,
        "closed_on": day,
        "amount_paid": D("100.00"),
    }
    claim_upsert(insurer=company, data=claim_data(cover, status=first, **dates))
    if allowed:
        claim, outcome = claim_upsert(insurer=company, data={"claim_number": "LP-0001", "status": then})
        assert (outcome, claim.status) == ("updated", then)
    else:
        with pytest.raises(ApplicationError) as refused:
            claim_upsert(insurer=company, data={"claim_number": "LP-0001", "status": then})
        assert refused.value.field == "status"
        assert Claim.objects.get().status == first


def test_incident_outside_the_cover_period_is_refused(company, cover):
    for day in (START - timedelta(days=1), START + timedelta(days=366)):
        with pytest.raises(ApplicationError) as refused:
            claim_upsert(insurer=company, data=claim_data(cover, incident_at=at(day), reported_on=day))
        assert refused.value.field == "incident_at"
    assert not Claim.objects.exists()


def test_incident_date_is_the_shanghai_date(company, cover):
    # 16:30 UTC the day before the cover starts is 00:30 on its first day in Shanghai
    utc_evening = datetime.combine(START - timedelta(days=1), time(16, 30), tzinfo=UTC)
    claim, outcome = claim_upsert(
        insurer=company, data=claim_data(cover, incident_at=utc_evening, reported_on=START)
    )
    assert outcome == "created"
    too_early = datetime.combine(START - timedelta(days=1), time(15, 30), tzinfo=UTC)
    with pytest.raises(ApplicationError):
        claim_upsert(insurer=company, data=claim_data(cover, claim_number="LP-2", incident_at=too_early))


def test_an_elevator_not_covered_by_that_policy_is_refused(company, cover, version):
    other = ElevatorFactory()
    policy(version, [other], start=START, number="PA-2")
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data=claim_data(cover, equipment_code=other.equipment_code))
    assert refused.value.field == "equipment_code"
    assert "不在保单 PA-1 的承保范围内" in str(refused.value.message)


def test_another_insurers_policy_is_not_found(company, cover):
    theirs = policy(
        product_version(insurer(name="乙保险公司")), [ElevatorFactory()], start=START, number="PB-1"
    )
    data = claim_data(
        cover, policy_number="PB-1", equipment_code=theirs.covered.get().elevator.equipment_code
    )
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data=data)
    assert refused.value.field == "policy_number"
    assert str(refused.value.message) == "保单号 PB-1 不存在。"


def test_only_insurers_report_claims(cover):
    with pytest.raises(PermissionDenied):
        claim_upsert(insurer=cover.policyholder, data=claim_data(cover))


def test_a_cancelled_policy_still_covers_incidents_before_its_cancellation(company, cover):
    policy_cancel(user=company_user(company), policy=cover, on=INCIDENT_DAY + timedelta(days=1))
    _, outcome = claim_upsert(insurer=company, data=claim_data(cover))
    assert outcome == "created"
    later = INCIDENT_DAY + timedelta(days=2)
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(
            insurer=company,
            data=claim_data(cover, claim_number="LP-2", incident_at=at(later), reported_on=later),
        )
    assert "退保" in str(refused.value.message)


def company_user(company):
    from tests.factories import UserFactory

    return UserFactory(organisation=company)


def test_the_coverage_item_must_be_covered_by_the_product(company, cover):
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data=claim_data(cover, coverage_item="overhaul"))
    assert refused.value.field == "coverage_item"
    assert "每人医疗费用" in str(refused.value.message)  # it names what the product does cover


def test_every_reason_is_reported_at_once(company, cover):
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(
            insurer=company,
            data=claim_data(
                cover,
                kind="death",
                amount_claimed=D("-1"),
                amount_paid=D("1.005"),
                accepted_on=INCIDENT_DAY - timedelta(days=1),
            ),
        )
    errors = refused.value.extra["errors"]
    assert set(errors) >= {"amount_claimed", "amount_paid"}
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(
            insurer=company,
            data=claim_data(cover, kind="death", accepted_on=INCIDENT_DAY - timedelta(days=1)),
        )
    assert set(refused.value.extra["errors"]) == {"people_dead", "accepted_on"}


def test_amount_paid_must_match_the_payments(company, cover):
    payment = {"paid_on": INCIDENT_DAY, "amount": D("100.00"), "payee": "", "reference": ""}
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data=claim_data(cover, amount_paid=D("90.00"), payments=[payment]))
    assert refused.value.field == "amount_paid"


def test_no_payments_at_all_is_a_sum_of_zero(company, cover):
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data=claim_data(cover, amount_paid=D("90.00"), payments=[]))
    assert refused.value.field == "amount_paid"
    # without payments the amount paid is the insurer's to state
    claim, _ = claim_upsert(insurer=company, data=claim_data(cover, amount_paid=D("90.00")))
    assert claim.amount_paid == D("90.00")
    # and an update sending no payments with a positive amount is refused too
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(
            insurer=company, data={"claim_number": "LP-0001", "amount_paid": D("95.00"), "payments": []}
        )
    assert refused.value.field == "amount_paid"
    # a change that leaves the payments alone is checked against none: the claim has no records
    assert (
        claim_upsert(insurer=company, data={"claim_number": "LP-0001", "amount_paid": D("95.00")})[1]
        == "updated"
    )


def test_a_policy_cancelled_on_its_start_date_covers_no_incident(version):
    start = INCIDENT_DAY - timedelta(days=5)
    fresh = policy(version, [ElevatorFactory()], start=start, number="PA-2")
    policy_cancel(user=company_user(fresh.insurer), policy=fresh, on=start)
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=fresh.insurer, data=claim_data(fresh))
    assert "退保" in str(refused.value.message)


def test_dates_cannot_be_in_the_future_or_before_the_report(company, cover):
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data=claim_data(cover, reported_on=today() + timedelta(days=1)))
    assert refused.value.field == "reported_on"
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data=claim_data(cover, reported_on=INCIDENT_DAY - timedelta(days=1)))
    assert refused.value.field == "reported_on"


def test_a_new_claim_needs_its_required_fields(company):
    with pytest.raises(ApplicationError) as refused:
        claim_upsert(insurer=company, data={"claim_number": "LP-9"})
    assert set(refused.value.extra["errors"]) == {
        "policy_number",
        "equipment_code",
        "incident_at",
        "kind",
        "coverage_item",
        "reported_on",
    }


def test_resending_stays_unchanged_after_the_policy_ended(company, cover):
    claim_upsert(insurer=company, data=claim_data(cover))
    policy_cancel(user=company_user(company), policy=cover, on=INCIDENT_DAY - timedelta(days=10))
    # the cover is not checked again when nothing that it depends on changes
    assert claim_upsert(insurer=company, data=claim_data(cover))[1] == "unchanged"


# --- batches --------------------------------------------------------------------------------


def test_a_batch_stores_valid_items_and_refuses_the_others_with_reasons(company, cover):
    items = [
        claim_data(cover, claim_number="B-1"),
        claim_data(cover, claim_number="B-2", policy_number="NOPE"),
        claim_data(cover, claim_number="B-3", amount_paid=D("10.00"), amount_claimed=D("20.00")),
        "not an object",
        claim_data(cover, claim_number="B-4", equipment_code="1.1E+19"),
    ]
    results = claims_bulk_upsert(insurer=company, items=items)
    assert [r["result"] for r in results] == ["created", "refused", "created", "refused", "refused"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert results[1]["errors"] == {"policy_number": ["保单号 NOPE 不存在。"]}
    assert "equipment_code" in results[4]["errors"]
    assert set(Claim.objects.values_list("claim_number", flat=True)) == {"B-1", "B-3"}
    assert claims_counts(results) == {"created": 2, "updated": 0, "unchanged": 0, "refused": 3}


def test_a_batch_sent_again_is_unchanged_and_nothing_is_stored_twice(company, cover):
    items = [claim_data(cover, claim_number=f"B-{n}") for n in range(5)]
    claims_bulk_upsert(insurer=company, items=items)
    counts = (Claim.objects.count(), ClaimStatusChange.objects.count(), LogEntry.objects.count())
    results = claims_bulk_upsert(insurer=company, items=items)
    assert {r["result"] for r in results} == {"unchanged"}
    assert (Claim.objects.count(), ClaimStatusChange.objects.count(), LogEntry.objects.count()) == counts


def test_a_claim_number_twice_in_one_batch_is_created_then_updated(company, cover):
    accepted = INCIDENT_DAY + timedelta(days=1)
    items = [
        claim_data(cover),
        claim_data(cover, claim_number="OTHER"),
        claim_data(cover, status="accepted", accepted_on=accepted),
    ]
    results = claims_bulk_upsert(insurer=company, items=items)
    assert [r["result"] for r in results] == ["created", "created", "updated"]
    assert results[0]["id"] == results[2]["id"]
    assert Claim.objects.get(claim_number="LP-0001").status == "accepted"
    assert ClaimStatusChange.objects.filter(claim_id=results[0]["id"]).count() == 2


def test_bulk_created_claims_are_audited_one_entry_each_naming_the_actor(company, cover):
    with acting_as("api-key:abc123"):
        results = claims_bulk_upsert(
            insurer=company, items=[claim_data(cover, claim_number=f"B-{n}") for n in range(3)]
        )
    for result in results:
        (entry,) = LogEntry.objects.get_for_object(Claim.objects.get(pk=result["id"]))
        assert entry.action == LogEntry.Action.CREATE
        assert entry.actor_email == "api-key:abc123"
        assert entry.changes["claim_number"] == ["None", result["claim_number"]]


def test_a_batch_reads_what_it_refers_to_in_a_few_queries(company, version):
    elevators = [ElevatorFactory() for _ in range(20)]
    policies = [policy(version, [e], start=START, number=f"PQ-{n}") for n, e in enumerate(elevators)]
    items = [claim_data(p, claim_number=f"Q-{n}") for n, p in enumerate(policies)]
    with CaptureQueriesContext(connection) as queries:
        results = claims_bulk_upsert(insurer=company, items=items)
    assert {r["result"] for r in results} == {"created"}
    assert len(queries) <= 15, [q["sql"][:80] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        claims_bulk_upsert(insurer=company, items=items)
    assert len(queries) <= 10


def test_an_update_in_a_batch_goes_through_the_same_rules(company, cover):
    claim_upsert(insurer=company, data=claim_data(cover, status="closed", closed_on=INCIDENT_DAY))
    results = claims_bulk_upsert(
        insurer=company,
        items=[{"claim_number": "LP-0001", "status": "accepted", "accepted_on": INCIDENT_DAY}],
    )
    assert results[0]["result"] == "refused"
    assert "status" in results[0]["errors"]


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_new_claim_from_two_concurrent_transactions_is_stored_once():
    # A transactional test may follow another one's flush, which empties the data migrations' rows.
    PlaceCategory.objects.get_or_create(code="RESIDENTIAL", defaults={"name": "住宅小区"})
    company = insurer(name="并发保险公司")
    cover = policy(product_version(company), [ElevatorFactory()], start=START, number="PC-1")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def send():
        try:
            barrier.wait(timeout=10)
            outcomes.append(claim_upsert(insurer=company, data=claim_data(cover, claim_number="RACE-1"))[1])
        except Exception as exc:  # shown by the assertion below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["created", "unchanged"]
    assert Claim.objects.filter(claim_number="RACE-1").count() == 1
    assert ClaimStatusChange.objects.filter(claim__claim_number="RACE-1").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_batches_with_the_same_new_claims_store_each_once():
    PlaceCategory.objects.get_or_create(code="RESIDENTIAL", defaults={"name": "住宅小区"})
    company = insurer(name="并发保险公司")
    cover = policy(product_version(company), [ElevatorFactory()], start=START, number="PC-1")
    numbers = [f"RACE-{n}" for n in range(30)]
    barrier = threading.Barrier(2)
    answers: list[object] = []

    def send(order):
        try:
            barrier.wait(timeout=10)
            items = [claim_data(cover, claim_number=number) for number in order]
            answers.append(claims_bulk_upsert(insurer=company, items=items))
        except Exception as exc:  # shown by the assertion below
            answers.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(order,)) for order in (numbers, numbers[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(answer, list) for answer in answers), answers
    outcomes = [result["result"] for answer in answers for result in answer]
    assert outcomes.count("created") == 30 and outcomes.count("unchanged") == 30
    assert Claim.objects.count() == ClaimStatusChange.objects.count() == 30
