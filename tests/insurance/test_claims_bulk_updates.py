"""Claims updated in a batch: written together (one UPDATE, their status changes and payments at
once), with the outcomes, rows and audit entries that updating each claim on its own gives."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import acting_as
from core.history import history_entries, history_rows
from insurance.models import Claim, ClaimPayment, ClaimStatusChange
from insurance.services.claims import claim_upsert, claims_bulk_upsert
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import insurer, policy, product_version
from tests.insurance.test_claims import INCIDENT_DAY, START, claim_data

pytestmark = pytest.mark.django_db

D = Decimal
PAID_ON = INCIDENT_DAY + timedelta(days=20)
ACCEPTED_ON = INCIDENT_DAY + timedelta(days=5)


@pytest.fixture
def version():
    return product_version(insurer(name="甲保险公司"))


@pytest.fixture
def covers(version):
    """Twelve policies, each covering an elevator of its own."""
    return [policy(version, [ElevatorFactory()], start=START, number=f"PU-{n}") for n in range(12)]


@pytest.fixture
def company(covers):
    return covers[0].insurer


def stored(company, covers, count: int, prefix: str = "U") -> list[Claim]:
    """`count` reported claims, the first payment-less ones, stored one by one."""
    return [
        claim_upsert(insurer=company, data=claim_data(covers[n], claim_number=f"{prefix}-{n}"))[0]
        for n in range(count)
    ]


def paid(number: str, *amounts: str) -> dict:
    """The update that pays claim `number` with payments of `amounts` (amount_paid their sum)."""
    return {
        "claim_number": number,
        "status": "paid",
        "paid_on": PAID_ON,
        "payments": [
            {"paid_on": PAID_ON, "amount": D(a), "payee": "张三", "reference": f"T{i}"}
            for i, a in enumerate(amounts)
        ],
    }


def entries_of(claim: Claim) -> list[tuple[str, int, dict]]:
    """(model, action, changes) of every entry of the claim and its payments and status changes,
    in the order written, the ids and the times aside."""
    payments = [str(pk) for pk in ClaimPayment.objects.filter(claim=claim).values_list("pk", flat=True)]
    changes = [str(pk) for pk in claim.status_changes.values_list("pk", flat=True)]
    found = []
    for model, pks in ((Claim, [str(claim.pk)]), (ClaimPayment, payments), (ClaimStatusChange, changes)):
        for entry in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_pk__in=pks
        ).order_by("pk"):
            aside = {"id", "claim", "claim_number", "policy", "elevator"}  # the ids differ
            if entry.action == LogEntry.Action.CREATE:
                aside |= {"created_at", "updated_at", "recorded_at"}  # and the times of creation
            kept = {k: v for k, v in entry.changes.items() if k not in aside}
            found.append((model.__name__, entry.action, kept))
    return found


def test_a_batch_of_updates_stores_each_change_its_status_change_and_payments(company, covers):
    claims = stored(company, covers, 3)
    with acting_as("api-key:upd1"):
        results = claims_bulk_upsert(
            insurer=company,
            items=[
                paid("U-0", "1200.00", "300.50"),
                {"claim_number": "U-1", "status": "accepted", "accepted_on": ACCEPTED_ON},
                {"claim_number": "U-2", "amount_reserved": "800.00", "description": "维保单位到场。"},
            ],
        )
    assert [(r["result"], r["id"]) for r in results] == [("updated", c.pk) for c in claims]
    first, second, third = (Claim.objects.get(pk=c.pk) for c in claims)
    assert (first.status, first.paid_on, first.amount_paid) == ("paid", PAID_ON, D("1500.50"))
    assert sorted(first.payments.values_list("amount", "reference")) == [
        (D("300.50"), "T1"),
        (D("1200.00"), "T0"),
    ]
    assert (second.status, second.accepted_on, second.amount_paid) == ("accepted", ACCEPTED_ON, D("0.00"))
    assert (third.status, third.amount_reserved, third.description) == (
        "reported",
        D("800.00"),
        "维保单位到场。",
    )
    for claim in (first, second, third):
        assert claim.updated_at > claims[0].updated_at
    assert list(first.status_changes.values_list("from_status", "to_status", "on")) == [
        ("", "reported", INCIDENT_DAY),
        ("reported", "paid", PAID_ON),
    ]
    assert list(second.status_changes.values_list("from_status", "to_status", "on")) == [
        ("", "reported", INCIDENT_DAY),
        ("reported", "accepted", ACCEPTED_ON),
    ]
    assert third.status_changes.count() == 1  # no status change, no row
    # Each claim's own entry names the fields it changed, old → new, and the batch's actor.
    (update,) = LogEntry.objects.get_for_object(first).filter(action=LogEntry.Action.UPDATE)
    assert update.changes == {
        "status": ["reported", "paid"],
        "paid_on": ["None", PAID_ON.isoformat()],
        "amount_paid": ["0.00", "1500.50"],
    }
    assert update.actor_email == "api-key:upd1"
    (update,) = LogEntry.objects.get_for_object(third).filter(action=LogEntry.Action.UPDATE)
    assert update.changes == {
        "amount_reserved": ["0.00", "800.00"],
        "description": ["", "维保单位到场。"],
    }
    payment_type = ContentType.objects.get_for_model(ClaimPayment)
    assert LogEntry.objects.filter(content_type=payment_type, action=LogEntry.Action.CREATE).count() == 2
    change_type = ContentType.objects.get_for_model(ClaimStatusChange)
    assert LogEntry.objects.filter(content_type=change_type, actor_email="api-key:upd1").count() == 2


def test_the_entries_of_a_batch_update_are_those_of_updating_one_by_one(company, covers):
    """The same changes made through claim_upsert (save(), auditlog's receivers) and in a batch."""
    alone = stored(company, covers[:2], 2, prefix="A")
    batch = stored(company, covers[2:4], 2, prefix="B")
    claim_upsert(insurer=company, data=paid("A-0", "100.00", "50.00"))
    claims_bulk_upsert(insurer=company, items=[paid("B-0", "100.00", "50.00")])
    # then replace the payments (old ones deleted, audited) and move on to closed
    again = {**paid("A-0", "150.00"), "status": "closed", "closed_on": PAID_ON}
    claim_upsert(insurer=company, data=again)
    claims_bulk_upsert(insurer=company, items=[{**again, "claim_number": "B-0"}])
    claim_upsert(insurer=company, data={"claim_number": "A-1", "people_injured": 2, "amount_claimed": "9.90"})
    claims_bulk_upsert(
        insurer=company, items=[{"claim_number": "B-1", "people_injured": 2, "amount_claimed": "9.90"}]
    )
    for one, other in zip(alone, batch, strict=True):
        assert entries_of(one) != []
        assert sorted(entries_of(one), key=repr) == sorted(entries_of(other), key=repr)
    deleted = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ClaimPayment), action=LogEntry.Action.DELETE
    )
    assert deleted.count() == 4  # two payments replaced on each path


def test_updates_in_a_batch_take_the_same_queries_whatever_their_number(company, covers):
    def update_all(count: int, prefix: str) -> int:
        stored(company, covers, count, prefix=prefix)
        items = [
            paid(f"{prefix}-{n}", "10.00")
            if n % 2
            else {"claim_number": f"{prefix}-{n}", "amount_reserved": "5.00"}
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            results = claims_bulk_upsert(insurer=company, items=items)
        assert [r["result"] for r in results] == ["updated"] * count
        return len(queries)

    assert update_all(2, "S") == update_all(12, "L")


def test_a_batch_update_reads_in_the_history_tab(company, covers):
    (claim,) = stored(company, covers, 1)
    with acting_as("api-key:hist"):
        claims_bulk_upsert(insurer=company, items=[paid("U-0", "88.00")])
    rows = history_rows(history_entries(obj=claim, related=["payments", "status_changes"]))
    update = next(row for row in rows if row.action == "update")
    assert {change.field for change in update.changes} == {
        str(Claim._meta.get_field(name).verbose_name) for name in ("status", "paid_on", "amount_paid")
    }
    assert (update.object_pk, update.actor) == (str(claim.pk), rows[0].actor)
    assert sorted(row.model_label for row in rows if row.action == "create") == sorted(
        [
            str(Claim._meta.verbose_name),
            str(ClaimStatusChange._meta.verbose_name),
            str(ClaimStatusChange._meta.verbose_name),
            str(ClaimPayment._meta.verbose_name),
        ]
    )


def test_a_refused_update_beside_accepted_ones_writes_nothing_of_its_own(company, covers):
    stored(company, covers, 2)
    before = LogEntry.objects.count()
    results = claims_bulk_upsert(
        insurer=company,
        items=[
            {"claim_number": "U-0", "status": "accepted", "accepted_on": ACCEPTED_ON},
            {"claim_number": "U-1", "status": "paid", "paid_on": PAID_ON},  # no amount paid
        ],
    )
    assert [r["result"] for r in results] == ["updated", "refused"]
    assert results[1]["errors"] == {"amount_paid": ["状态为已赔付时，已赔金额必须大于0。"]}
    assert Claim.objects.get(claim_number="U-1").status == "reported"
    assert LogEntry.objects.count() == before + 2  # U-0's update and its status change


@pytest.mark.postgres
def test_a_row_the_database_refuses_leaves_the_others_updated_one_by_one(company, covers):
    """A refusal only the database makes (a check added here, inside the test's transaction): the
    batch's one UPDATE is rolled back, each claim is then written on its own, and only the one at
    fault is refused, with nothing of it stored or audited."""
    claims = stored(company, covers, 3)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check pending on the table
        cursor.execute(
            "ALTER TABLE insurance_claim ADD CONSTRAINT test_reserve_cap CHECK (amount_reserved < 1000000)"
        )
    before = LogEntry.objects.count()
    results = claims_bulk_upsert(
        insurer=company,
        items=[
            {"claim_number": "U-0", "amount_reserved": "5.00"},
            {"claim_number": "U-1", "amount_reserved": "2000000.00"},
            {"claim_number": "U-2", "status": "accepted", "accepted_on": ACCEPTED_ON},
        ],
    )
    assert [(r["result"], r["errors"]) for r in results] == [
        ("updated", {}),
        ("refused", {"non_field_errors": ["数据库拒绝了此项。"]}),
        ("updated", {}),
    ]
    assert [Claim.objects.get(pk=c.pk).amount_reserved for c in claims] == [D("5.00"), D("0.00"), D("0.00")]
    assert Claim.objects.get(pk=claims[2].pk).status == "accepted"
    assert LogEntry.objects.get_for_object(claims[1]).filter(action=LogEntry.Action.UPDATE).count() == 0
    assert LogEntry.objects.count() == before + 3  # U-0's update, U-2's update and its status change
    assert ClaimStatusChange.objects.filter(claim=claims[2]).count() == 2


def test_new_claims_in_a_batch_take_the_same_queries_whatever_their_number(company, covers):
    def create(count: int, prefix: str) -> int:
        items = [claim_data(covers[n], claim_number=f"{prefix}-{n}") for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            results = claims_bulk_upsert(insurer=company, items=items)
        assert [r["result"] for r in results] == ["created"] * count
        return len(queries)

    assert create(2, "S") == create(12, "L")
