"""Registering many policies at once: policy_register's rules for a whole batch, bulk-written.

For callers that hold thousands of policies at a time (the demo city at scale, a policy list of an
insurer's whole book). The batch is read in a few queries per chunk of policies (CHUNK, COPY_CHUNK
on PostgreSQL) — elevators, policyholders, the covers it could overlap, taken numbers, policies
renewed — checked in memory, priced by `rating.quotes` (each elevator's premium worked out once
per distinct rating input, the claims and scores read once per chunk and start date), and written
with one COPY (PostgreSQL) or INSERT per table and chunk, audited with `core.audit.log_bulk`: one
creation entry per policy and per cover, as policy_register leaves. Chunks follow the start date,
so that the scores read for a day serve every product's policies starting on it.
"""

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice, pairwise

from auditlog.context import auditlog_disabled
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.audit import log_bulk
from core.exceptions import ApplicationError
from core.pgcopy import CopyLayout, any_of, copy_insert, rows_insert
from elevators.models import Elevator, PlaceCategory

from ..models import FundingSource, Policy, PolicyElevator, ProductVersion
from ..permissions import may_register_policy
from ..rating import ElevatorQuote, quotes
from .policies import _check_policyholder, _overlap_error, check_policy_terms, policy_default_end
from .premiums import policy_premium

CHUNK = 2_000  # policies per round of reads and inserts
COPY_CHUNK = 20_000  # the same on PostgreSQL, where a round's reads take its ids as one array
IDS_PER_QUERY = 900  # `pk IN (...)` lists stay under SQLite's limit on query parameters
ROW_LOCKS_MAX = 10_000  # elevators a chunk locks row by row; more lock the table (_elevators_locked)
# What the rules and the rating read of an elevator (Elevator.group derives from the category).
RATED_FIELDS = (
    "pk", "equipment_code", "category", "installed_on", "manufactured_on", "place_category_id", "owner_id",
    "user_unit_id",
)  # fmt: skip


@dataclass(frozen=True)
class PolicyDraft:
    """One policy of a bulk registration: policy_register's arguments, by id where it takes rows.

    `number` is required (a batch cannot draw portal numbers one by one); `end_date` defaults to
    one policy year; `renewed_from_id` names a policy already stored.
    """

    version: ProductVersion
    policyholder_id: int
    elevator_ids: tuple[int, ...]
    start_date: date
    number: str
    end_date: date | None = None
    funding_source: str = FundingSource.SELF
    renewed_from_id: int | None = None


def _chunks(items: Sequence, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _id_parts(values) -> Iterator[list]:
    """The distinct values (ids, numbers), sorted, in the parts one query takes: all of them on
    PostgreSQL, where `any_of` sends them as one array; IDS_PER_QUERY elsewhere."""
    values = sorted(set(values))
    return _chunks(values, max(len(values), 1) if connection.vendor == "postgresql" else IDS_PER_QUERY)


def _number_taken(draft: PolicyDraft) -> ApplicationError:
    return ApplicationError(_("保单号 %(number)s 已存在。") % {"number": draft.number}, field="number")


def _refused(draft: PolicyDraft, error: ApplicationError) -> ApplicationError:
    """A rule's refusal, naming the policy of the batch it is about."""
    return ApplicationError(
        _("保单 %(number)s：%(reason)s") % {"number": draft.number, "reason": error.message},
        field=error.field,
        extra={**error.extra, "number": draft.number},
    )


@transaction.atomic
def policies_register_in_bulk(*, user, drafts: Sequence[PolicyDraft]) -> list[int]:
    """Register many policies under policy_register's rules, all or none; returns their ids in order.

    Every draft is checked as policy_register checks one policy: the caller may register it (its
    insurer, or the policyholder); it covers at least one elevator; it does not end before it
    starts; its product is on sale unless it is a renewal; the policyholder owns or uses every
    elevator; no elevator is covered under the same model for an overlapping period, by a policy
    stored or by another draft (PostgreSQL's exclusion constraint makes that true under concurrency
    too); every premium is `rating.quote`'s. Besides: each number is given, once per insurer in
    the batch and not yet taken; a renewed policy may be renewed (Policy.can_renew), once. The
    first refusal raises ApplicationError naming the draft's number, and nothing is written.
    A policy whose period is already over is written expired, as the daily `policies_expire`
    would leave it; the others active.
    """
    versions = ProductVersion.objects.select_related("product__insurer").prefetch_related(
        "base_premiums", "coefficients"
    )
    versions = versions.in_bulk({draft.version.pk for draft in drafts})
    _check_batch(user, drafts, versions)
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].start_date, drafts[i].version.pk, i))
    ids: list[int | None] = [None] * len(drafts)
    for chunk in _chunks(order, COPY_CHUNK if connection.vendor == "postgresql" else CHUNK):
        written = _register_chunk(user, [drafts[i] for i in chunk], versions)
        for index, policy_id in zip(chunk, written, strict=True):
            ids[index] = policy_id
    return ids


def _check_batch(user, drafts: Sequence[PolicyDraft], versions: dict[int, ProductVersion]) -> None:
    """The rules that need no reads, and those about the batch as a whole (numbers, renewals)."""
    numbers: set[tuple[int, str]] = set()
    renewed: set[int] = set()
    for draft in drafts:
        product = versions[draft.version.pk].product
        if not may_register_policy(
            user, insurer_id=product.insurer_id, policyholder_id=draft.policyholder_id
        ):
            raise PermissionDenied(_("只有承保的保险机构或投保人本身可以登记保单。"))
        try:
            check_policy_terms(
                product=product,
                has_elevators=bool(draft.elevator_ids),
                start_date=draft.start_date,
                end_date=draft.end_date,
                renewal=bool(draft.renewed_from_id),
            )
            if not draft.number:
                raise ApplicationError(_("批量登记的每份保单都须有保单号。"), field="number")
            if (product.insurer_id, draft.number) in numbers:
                raise _number_taken(draft)
            if draft.renewed_from_id in renewed:
                raise ApplicationError(_("同一份保单不能续保两次。"), field="policy")
        except ApplicationError as error:
            raise _refused(draft, error) from None
        numbers.add((product.insurer_id, draft.number))
        if draft.renewed_from_id:
            renewed.add(draft.renewed_from_id)


def _in_bulk(queryset, ids) -> dict:
    """queryset.in_bulk(ids), in the parts of `_id_parts`."""
    rows = {}
    for part in _id_parts(ids):
        rows.update((row.pk, row) for row in queryset.filter(any_of("pk", part)))
    return rows


def _elevators_locked(count: int):
    """The elevators' queryset that locks the `count` rows it reads, in a stable order, as
    policy_register does: a registration of one of them running at the same time queues here, and
    whichever comes second sees the other's cover.

    From ROW_LOCKS_MAX rows on, PostgreSQL locks the table instead (EXCLUSIVE: reads go on, every
    write and row lock waits until commit): a row lock writes to the row, and locking a book's
    hundreds of thousands of elevators one by one costs more than registering their policies.
    """
    elevators = Elevator.objects.order_by("pk")
    if connection.vendor == "postgresql" and count >= ROW_LOCKS_MAX:
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(Elevator._meta.db_table)} IN EXCLUSIVE MODE"
            )
        return elevators
    return elevators.select_for_update()


def _register_chunk(user, drafts: list[PolicyDraft], versions: dict[int, ProductVersion]) -> list[int]:
    """Check, price and write one chunk of drafts (see policies_register_in_bulk)."""
    elevator_ids = {pk for draft in drafts for pk in draft.elevator_ids}
    elevators = _in_bulk(_elevators_locked(len(elevator_ids)).only(*RATED_FIELDS), elevator_ids)
    places = PlaceCategory.objects.in_bulk()
    for elevator in elevators.values():
        elevator.place_category = places[elevator.place_category_id]  # the rating shows its name
    holders = Organisation.objects.in_bulk({draft.policyholder_id for draft in drafts})
    renewed = _in_bulk(
        Policy.objects.select_related("renewal"),
        {draft.renewed_from_id for draft in drafts if draft.renewed_from_id},
    )
    taken = _taken_numbers(drafts, versions)
    periods = {
        id(draft): (draft.start_date, draft.end_date or policy_default_end(draft.start_date))
        for draft in drafts
    }
    today = timezone.localdate()
    for draft in drafts:
        try:
            if draft.number in taken[versions[draft.version.pk].product.insurer_id]:
                raise _number_taken(draft)
            if draft.renewed_from_id and not (
                draft.renewed_from_id in renewed and renewed[draft.renewed_from_id].can_renew(today)
            ):
                raise ApplicationError(_("续保的原保单不存在、已退保或已续保。"), field="policy")
            # (not set - keys(): that copies every key of the chunk for each draft)
            missing = [pk for pk in draft.elevator_ids if pk not in elevators]
            if missing:
                raise ApplicationError(_("电梯不存在。"), field="elevators")
            _check_policyholder(holders[draft.policyholder_id], [elevators[pk] for pk in draft.elevator_ids])
        except ApplicationError as error:
            raise _refused(draft, error) from None
    _check_overlaps(user, drafts, versions, periods)

    policies, covers = _priced(
        user,
        drafts,
        versions=versions,
        elevators=elevators,
        periods=periods,
        holders=holders,
        renewed=renewed,
    )
    try:
        with transaction.atomic():
            rows = _write(list(policies.values()), covers)
    except IntegrityError:
        # Another transaction took a number or covered an elevator since the checks: say which.
        _check_overlaps(user, drafts, versions, periods)
        taken = _taken_numbers(drafts, versions)
        for draft in drafts:
            if draft.number in taken[versions[draft.version.pk].product.insurer_id]:
                raise _refused(draft, _number_taken(draft)) from None
        raise
    log_bulk(created=[*policies.values(), *rows])
    return [policies[id(draft)].pk for draft in drafts]


def _priced(
    user, drafts, *, versions, elevators, periods, holders, renewed
) -> tuple[dict[int, Policy], list[tuple[Policy, ElevatorQuote]]]:
    """The drafts' policies (by id() of the draft) and covers, priced by rating.quotes (one quote
    per product version and start date). Related rows are set as objects, so that auditing them
    reads nothing more."""
    policies, covers = {}, []
    today = timezone.localdate()
    by_terms: dict[tuple[int, date], list[PolicyDraft]] = defaultdict(list)
    for draft in drafts:
        by_terms[(draft.version.pk, draft.start_date)].append(draft)
    requests = [
        (versions[version_pk], [elevators[pk] for draft in group for pk in draft.elevator_ids], start)
        for (version_pk, start), group in by_terms.items()
    ]
    for ((version_pk, start), group), priced in zip(by_terms.items(), quotes(requests=requests), strict=True):
        version = versions[version_pk]
        priced = priced.by_elevator()
        for draft in group:
            lines = [priced[pk] for pk in draft.elevator_ids]
            end = periods[id(draft)][1]
            policy = policies[id(draft)] = Policy(
                number=draft.number,
                insurer=version.product.insurer,
                product_version=version,
                model=version.product.model,
                policyholder=holders[draft.policyholder_id],
                start_date=start,
                end_date=end,
                # No premiums are declared in a batch: each is its rating, within any band.
                **policy_premium(
                    version=version, priced={pk: priced[pk] for pk in draft.elevator_ids}, declared=None
                ).policy_fields(),
                funding_source=draft.funding_source,
                renewed_from=renewed.get(draft.renewed_from_id),
                created_by=user if getattr(user, "pk", None) else None,
                # What the daily policies_expire would make of a period already over.
                status=Policy.Status.EXPIRED if end < today else Policy.Status.ACTIVE,
            )
            Policy.renewal.related.set_cached_value(policy, None)  # a new policy has no renewal yet
            covers += [(policy, line) for line in lines]
    return policies, covers


# PolicyElevator's columns as the covers give them; the others (id, is_cancelled) take their default.
COVER_COLUMNS = (
    "policy_id", "elevator_id", "premium", "rated_premium", "rating", "model", "start_date", "end_date",
)  # fmt: skip


def _write(policies: list[Policy], covers: list[tuple[Policy, ElevatorQuote]]) -> list[PolicyElevator]:
    """Insert the policies, then their covers, by COPY on PostgreSQL (ids drawn from the sequences),
    else by bulk_create; return the covers as rows, for the audit. Elevators rated alike share one
    rating (PolicyElevator.rating, ElevatorQuote.as_dict).

    With the audit log off there is no entry to write: on PostgreSQL the covers then go by COPY
    lines made straight from the quotes, without a row object each, and none is returned.
    """
    rows_insert(policies)
    if not connection.features.can_return_rows_from_bulk_insert:
        _fetch_policy_ids(policies)
    ratings: dict[tuple, tuple[dict, str]] = {}

    def rating(line: ElevatorQuote) -> tuple[dict, str]:
        """The line's rating, and its JSON for COPY: once per distinct rating."""
        key = (line.group, line.base, line.factors, line.premium)
        if key not in ratings:
            value = line.as_dict()
            ratings[key] = value, json.dumps(value, ensure_ascii=False)
        return ratings[key]

    if connection.vendor == "postgresql" and auditlog_disabled.get():
        layout = CopyLayout(PolicyElevator, omit=("id",))
        line_of = layout.formatter(COVER_COLUMNS)
        data = [
            line_of(
                (
                    policy.pk,
                    line.elevator.pk,
                    line.premium,
                    line.premium,
                    rating(line)[1],
                    policy.model,
                    policy.start_date,
                    policy.end_date,
                )
            )
            for policy, line in covers
        ]
        with connection.cursor() as cursor:
            layout.copy(cursor, "".join(data))
        return []
    rows = [
        PolicyElevator(
            policy=policy,
            elevator=line.elevator,  # set as objects: the audit names the cover by them
            premium=line.premium,
            rated_premium=line.premium,
            rating=rating(line)[0],
            model=policy.model,
            start_date=policy.start_date,
            end_date=policy.end_date,
        )
        for policy, line in covers
    ]
    if connection.vendor == "postgresql":
        return copy_insert(rows)
    PolicyElevator.objects.bulk_create(rows)
    if not connection.features.can_return_rows_from_bulk_insert:
        ids = {}
        for part in _id_parts(policy.pk for policy in policies):
            rows_stored = PolicyElevator.objects.filter(any_of("policy_id", part))
            ids.update(((p, e), pk) for p, e, pk in rows_stored.values_list("policy_id", "elevator_id", "pk"))
        for row in rows:
            row.pk = ids[(row.policy_id, row.elevator_id)]
    return rows


def _fetch_policy_ids(policies: list[Policy]) -> None:
    """Set the ids of policies just bulk-created, where the database does not return them."""
    ids = {}
    for insurer_id in {p.insurer_id for p in policies}:
        numbers = [p.number for p in policies if p.insurer_id == insurer_id]
        for part in _id_parts(numbers):
            ids.update(
                Policy.objects.filter(any_of("number", part), insurer_id=insurer_id).values_list(
                    "number", "pk"
                )
            )
    for policy in policies:
        policy.pk = ids[policy.number]


def _taken_numbers(drafts: list[PolicyDraft], versions: dict[int, ProductVersion]) -> dict[int, set[str]]:
    """The drafts' numbers already stored, by insurer."""
    wanted: dict[int, list[str]] = defaultdict(list)
    for draft in drafts:
        wanted[versions[draft.version.pk].product.insurer_id].append(draft.number)
    taken: dict[int, set[str]] = defaultdict(set)
    for insurer_id, numbers in wanted.items():
        for part in _id_parts(numbers):
            taken[insurer_id].update(
                Policy.objects.filter(any_of("number", part), insurer_id=insurer_id).values_list(
                    "number", flat=True
                )
            )
    return taken


def _check_overlaps(user, drafts: list[PolicyDraft], versions, periods) -> None:
    """No elevator covered twice under one model for overlapping periods: against the covers stored
    (PolicyElevator.objects.in_force_during, the one definition of cover in force) and within the
    chunk. Earlier chunks of the batch are stored already, so they are among the former."""
    wanted = defaultdict(list)  # (elevator, model) -> [(start, end, draft)]
    for draft in drafts:
        model = versions[draft.version.pk].product.model
        start, end = periods[id(draft)]
        for pk in draft.elevator_ids:
            wanted[(pk, model)].append((start, end, draft))
    first = min(start for start, _end in periods.values())
    last = max(end for _start, end in periods.values())
    stored = defaultdict(list)
    for part in _id_parts(pk for pk, _model in wanted):
        rows = (
            PolicyElevator.objects.in_force_during(first, last)
            .filter(any_of("elevator_id", part))
            .values_list("pk", "elevator_id", "model", "start_date", "end_date")
        )
        for pk, elevator_id, model, start, end in rows:
            stored[(elevator_id, model)].append((start, end, pk))
    clashes = []
    for key, periods_wanted in wanted.items():
        periods_wanted.sort(key=lambda row: row[0])
        for (_s, previous_end, previous), (start, _e, draft) in pairwise(periods_wanted):
            if start <= previous_end:
                raise _refused(
                    draft,
                    ApplicationError(
                        _("电梯的保险期间与本批保单 %(number)s 重叠。") % {"number": previous.number},
                        field="elevators",
                    ),
                )
        for start, end, draft in periods_wanted:
            clashes += [(draft, pk) for s, e, pk in stored.get(key, ()) if s <= end and e >= start]
    if clashes:
        draft = clashes[0][0]
        covers = PolicyElevator.objects.filter(pk__in=[pk for d, pk in clashes if d is draft]).select_related(
            "policy", "elevator"
        )
        raise _refused(draft, _overlap_error(list(covers), user=user))
