"""Claims (理赔): one rules engine behind the API (one claim or a batch) and the Excel upload.

A claim is known by its insurer's claim number; sending it again updates it (or changes nothing).

Rules, checked for every claim however it arrives:
- the caller is the insurer, and it names its own policies only: another insurer's policy number
  is "not found", exactly like a number that does not exist;
- the elevator (by special-equipment code) is covered by that policy on the incident's date in
  Asia/Shanghai: the cover is in force that day (PolicyElevator.is_in_force_on, the rule coverage
  uses too). Cancelling a policy ends its cover the day before the cancellation date (退保日期), so
  incidents before it stay covered: cover ended then, it did not vanish backwards;
- the coverage item claimed is one the policy's product version has a limit for;
- a new claim may start in any status, with that status's date (reported_on always); an update
  may only move the status as `Claim.can_transition_to` allows, and each change writes a
  ClaimStatusChange row dated with the new status's date;
- dates: reported on or after the incident day, the other dates on or after reported_on, none after
  today; amounts in yuan, 2 decimal places, never negative; when payments are given (they replace
  the claim's payments) amount_paid must equal their sum (and defaults to it); a death claim names
  at least one dead, a paid claim a positive amount paid.
Fields left out of an update keep their values. An update that changes nothing is "unchanged" and
writes nothing at all (no row, no audit entry, no status change). For an update, the cover and the
coverage item are checked again only when the policy, elevator, incident time or item change, so
re-sending an old batch stays "unchanged" after the policy has ended.

Idempotency under concurrency: the unique constraint (insurer, claim_number) makes "nothing is stored
twice" true; existing claims are locked (select_for_update, in pk order) before they are compared
or changed. A create that loses a race with a concurrent transaction hits the constraint inside its
savepoint and is retried as an update of the row that won (usually: unchanged).

Batches (`claims_bulk_upsert`): everything a batch refers to is read in a handful of queries (the
insurer's policies by number, elevators by code, those policies' covers of those elevators and
their coverage items, the existing claims, locked), every item is checked in memory, and then:
- updates are written together, in one savepoint (`write_updates_in_bulk`): one UPDATE of the
  columns any of them changed (`core.pgcopy.rows_update`, one array per column), their status
  changes and new payments inserted like new claims' rows, the payments those replace deleted in
  one statement, and the entries auditlog's receivers would have written for each claim, status
  change and payment, created or deleted, written by `log_bulk`. If the database refuses one row,
  the savepoint is rolled back and each update is saved on its own, the one at fault refused.
  1,000 updates a request: 6,408 queries and 1.8 CPU seconds one by one, 14 queries and 0.17 s so;
- new claims are inserted with one COPY per table on PostgreSQL (claims, status changes, payments;
  ids drawn from the tables' sequences, `core.pgcopy.copy_insert`), one bulk_create elsewhere,
  inside one savepoint, and the audit entries save() would have written — one per row, same
  content, same actor through auditlog's own pre_save receiver — are bulk-inserted beside them
  (`core.audit.log_bulk`). So every claim keeps its own creation entry naming the API key or user;
- if that insert fails (a concurrent transaction took one of the numbers) the savepoint is rolled
  back and those new claims go the single-claim way, each in its own savepoint.
Refused items write nothing, so the valid items of a batch are stored whatever the others do. A
claim number repeated within one batch is handled in a second pass, after the first is stored.

Measured on PostgreSQL (2-core machine shared with other work, 1,000 new claims per call, the
service alone, best of three): each claim through claim_upsert one by one (save(), auditlog's
receivers, a savepoint each) 228 claims/s; the batch path writing new claims one by one through
save() 673/s; the batch path as built (bulk inserts, one audit entry per row) 2,167/s — 3,026/s if
the status-change rows were not audited, 6,585/s with no audit at all. Auditing is the larger half
of the cost, and it is kept per row: one summary entry per batch would be cheaper, but a claim's own
history (LogEntry.objects.get_for_object) would then not say who created it. Through the API, with
JSON, shape checks and the response, bench/claims_upload.py measured 1,100-1,450 claims/s over
100,000 claims, about 3% of loading the same rows with COPY (bench/RESULTS.md, "Claims upload").
Since then (decision 0019: COPY with sequence ids, core.api.shapes.QuickShape, a lighter
log_bulk) a request of 1,000 new claims takes about half the CPU it took, old and new code
measured side by side (bench/RESULTS.md), and half again since the batch's rows are read by one
array each (core.pgcopy.any_of), claims are built in column order with their relations cached,
and the bulk API runs with the garbage collector paused: 0.22 CPU seconds per 1,000 in-process.
A model excluded from auditlog (AUDITLOG_EXCLUDE_TRACKING_MODELS) is left out of the entries too.
"""

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.exceptions import ApplicationError

from ...models import Claim
from ...permissions import is_active_insurer
from .rules import Lookups, Plan, plan_item
from .values import (
    CLAIMS_BATCH_MAX,
    CREATED,
    DESCRIPTION_MAX,
    OUTCOMES,
    REFUSED,
    REQUIRED_ON_CREATE,
    UPDATED,
    Problems,
    incident_day,
    key_of,
)
from .writes import create_or_update, write_new_in_bulk, write_update, write_updates_in_bulk

__all__ = [
    "CLAIMS_BATCH_MAX",
    "DESCRIPTION_MAX",
    "OUTCOMES",
    "REQUIRED_ON_CREATE",
    "claim_upsert",
    "claims_bulk_upsert",
    "claims_counts",
    "incident_day",
]

# --- services -------------------------------------------------------------------------------


def _check_insurer(insurer: Organisation) -> None:
    if not is_active_insurer(insurer):
        raise PermissionDenied(_("只有保险机构可以报送理赔。"))


def claim_upsert(
    *,
    insurer: Organisation,
    data: dict,
    on_date: date | None = None,
    claim: Claim | None = None,
    whole: bool = False,
) -> tuple[Claim, str]:
    """Create or update the insurer's claim with `data["claim_number"]`; returns (claim, outcome).

    Outcome is "created", "updated" or "unchanged" (nothing written). A refused claim raises
    ApplicationError naming the first field at fault, with every reason in `extra["errors"]`.
    `data` holds Python values (datetime, date, Decimal, bool) keyed as the API names them; see the
    module docstring for the rules. `on_date` is "today" for the date checks.

    An update addressed to a stored `claim` (by its id, not its number) cannot change the claim
    number; a `whole` one (replacing the claim, not patching it) names every field a new claim needs.
    """
    _check_insurer(insurer)
    if claim is not None:
        data = _addressed_to(claim, data, whole=whole)
    today = on_date or timezone.localdate()
    with transaction.atomic():
        lookups = Lookups(insurer, [data])
        plan = plan_item(data, lookups, today)
        if plan.outcome == CREATED:
            plan = create_or_update(data, plan, lookups, today)
        elif plan.outcome == UPDATED:
            write_update(plan)
    return plan.claim, plan.outcome


def _addressed_to(claim: Claim, data: dict, *, whole: bool) -> dict:
    """`data` for an update of `claim`: its own claim number, and for a whole update every field a
    new claim needs (ApplicationError otherwise)."""
    problems = Problems()
    if "claim_number" in data and key_of(data["claim_number"]) != claim.claim_number:
        problems.add("claim_number", _("理赔编号不可修改。"))
    problems.raise_if_any()  # alone: the other fields were meant for another claim
    for name in REQUIRED_ON_CREATE if whole else ():
        if name not in data:
            problems.add(name, _("整体修改时必填。"))
    problems.raise_if_any()
    return {**data, "claim_number": claim.claim_number}


def _result(
    index: int, item, outcome: str, *, claim: Claim | None = None, errors: dict | None = None
) -> dict:
    number = claim.claim_number if claim else (item.get("claim_number") if isinstance(item, dict) else None)
    return {
        "index": index,
        "claim_number": number,
        "result": outcome,
        "id": claim.pk if claim else None,
        "errors": errors or {},
    }


def _refused(index: int, item, exc: ApplicationError) -> dict:
    errors = exc.extra.get("errors") or {exc.field or "non_field_errors": [str(exc.message)]}
    return _result(index, item, REFUSED, errors=errors)


def _passes(items: list) -> list[list[int]]:
    """Item indexes in passes in which each claim number occurs once (a repeat waits a pass)."""
    passes: list[list[int]] = []
    seen: dict[str, int] = defaultdict(int)
    for index, item in enumerate(items):
        number = key_of(item.get("claim_number")) if isinstance(item, dict) else ""
        occurrence = seen[number] if number else 0
        if number:
            seen[number] += 1
        while len(passes) <= occurrence:
            passes.append([])
        passes[occurrence].append(index)
    return passes


def claims_bulk_upsert(
    *, insurer: Organisation, items: list[dict], on_date: date | None = None
) -> list[dict]:
    """Create or update many claims at once; one result per item, in order.

    Each result is {"index", "claim_number", "result": created|updated|unchanged|refused, "id",
    "errors": {field: [reasons]}}. Valid items are stored even when others are refused, and an
    item sent again is unchanged (see the module docstring for how a batch is read and written).
    """
    _check_insurer(insurer)
    today = on_date or timezone.localdate()
    results: list[dict | None] = [None] * len(items)
    with transaction.atomic():
        for indexes in _passes(items):
            _bulk_pass(insurer, items, indexes, results, today)
    return results


def _bulk_pass(insurer: Organisation, items: list, indexes: list[int], results: list, today: date) -> None:
    lookups = Lookups(insurer, [items[i] for i in indexes])
    new: list[tuple[int, Plan]] = []
    changed: list[tuple[int, Plan]] = []
    for index in indexes:
        item = items[index]
        try:
            plan = plan_item(item, lookups, today)
        except ApplicationError as exc:
            results[index] = _refused(index, item, exc)
            continue
        if plan.outcome == CREATED:
            new.append((index, plan))
        elif plan.outcome == UPDATED:
            changed.append((index, plan))
        else:
            results[index] = _result(index, item, plan.outcome, claim=plan.claim)
    if changed:
        _write_updates(items, changed, results)
    if not new:
        return
    # Insert in one global order (the number), so that two batches racing for the same new numbers
    # queue on the unique index instead of deadlocking.
    new.sort(key=lambda pair: pair[1].claim.claim_number)
    if connection.features.can_return_rows_from_bulk_insert:
        try:
            with transaction.atomic():
                write_new_in_bulk([plan for _index, plan in new])
        except IntegrityError:
            for _index, plan in new:  # the savepoint is gone: these rows were never stored
                plan.claim.pk, plan.claim._state.adding = None, True
        else:
            for index, plan in new:
                results[index] = _result(index, items[index], CREATED, claim=plan.claim)
            return
    for index, plan in new:
        try:
            plan = create_or_update(items[index], plan, lookups, today)
        except ApplicationError as exc:
            results[index] = _refused(index, items[index], exc)
        else:
            results[index] = _result(index, items[index], plan.outcome, claim=plan.claim)


def _write_updates(items: list, changed: list[tuple[int, Plan]], results: list) -> None:
    """The pass's changed claims in one go (write_updates_in_bulk), in a savepoint; if the database
    refuses one of them, the savepoint is rolled back and each is written on its own, the one at
    fault refused."""
    try:
        with transaction.atomic():
            write_updates_in_bulk([plan for _index, plan in changed])
    except IntegrityError:
        pass
    else:
        for index, plan in changed:
            results[index] = _result(index, items[index], UPDATED, claim=plan.claim)
        return
    for index, plan in changed:
        try:
            write_update(plan)
        except IntegrityError:
            results[index] = _result(
                index, items[index], REFUSED, errors={"non_field_errors": [_("数据库拒绝了此项。")]}
            )
        else:
            results[index] = _result(index, items[index], UPDATED, claim=plan.claim)


def claims_counts(results: list[dict]) -> dict[str, int]:
    """How many results of each outcome (every outcome present, zero included)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        counts[result["result"]] += 1
    return counts
