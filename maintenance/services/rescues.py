"""Recording rescues of trapped passengers (困人救援), one at a time or in batches.

A rescue is known by its reporter's own rescue number: sending it again updates it, or changes
nothing. Maintenance companies record rescues at the elevators they maintain, the city regulator
at any elevator, a district regulator in its district; nobody else records rescues. The elevator is
named by its equipment code or by its 6-digit rescue code (电梯识别码, what the caller reads to
963333). The figures (minutes to arrive, on site, within the 30-minute limit) are the model's.

Once the passengers are released, a rescue with people trapped longer than the threshold of a
product proposes a claim to the insurer of the policy in force (maintenance.services.claim_proposals).
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, OrganisationKind
from core.api.bulk import CREATED, REFUSED, UNCHANGED, UPDATED, BulkItemResult, refused
from core.audit import log_bulk
from core.exceptions import ApplicationError, refusal_from
from core.text import normalise_code
from core.visibility import organisation_of
from elevators.models import Elevator

from ..models import RescueIncident
from .claim_proposals import claim_proposal_for_rescue

RESCUES_BATCH_MAX = 1000
# What an item may set besides its number and its elevator; left out of an update, a field keeps its value.
RESCUE_FIELDS = (
    "alarm_at",
    "dispatched_at",
    "arrived_at",
    "released_at",
    "people_trapped",
    "people_injured",
    "tier",
    "cause",
    "note",
)
# What an empty value of a field means (times stay None: not known yet).
BLANK_VALUES = {"people_trapped": 0, "people_injured": 0, "tier": "", "cause": "", "note": ""}
# Clocks of the reporters' systems drift a little; a time later than this is a typing error.
FUTURE_TOLERANCE = timedelta(minutes=10)
BEFORE_ALARM_MESSAGES = {
    "dispatched_at": gettext_lazy("派单时间不能早于报警时间。"),
    "arrived_at": gettext_lazy("到达时间不能早于报警时间。"),
    "released_at": gettext_lazy("解困时间不能早于报警时间。"),
}
RESCUE_WRITER_KINDS = frozenset(
    {
        OrganisationKind.CITY_REGULATOR,
        OrganisationKind.DISTRICT_REGULATOR,
        OrganisationKind.MAINTENANCE_COMPANY,
    }
)


# Who may record rescues, as every door into them refuses the others.
REPORTER_REFUSAL = gettext_lazy("只有维保单位和市场监管部门可以记录救援。")


def rescue_reporter_of(user) -> Organisation | None:
    """The active organisation `user` records rescues for (a maintenance company or a regulator
    of the city or a district), or None."""
    org = organisation_of(user)
    if org is None or not org.is_active or org.kind not in RESCUE_WRITER_KINDS:
        return None
    return org


def rescue_writable_elevators(reporter: Organisation):
    """The elevators `reporter` may record rescues at: the city's all, a district's its own, a
    maintenance company's those it maintains."""
    if reporter.kind == OrganisationKind.CITY_REGULATOR:
        return Elevator.objects.all()
    if reporter.kind == OrganisationKind.DISTRICT_REGULATOR:
        return Elevator.objects.filter(district_id=reporter.district_id)
    return Elevator.objects.filter(maintenance_company=reporter)


def _number(raw) -> str:
    """The reporter's rescue number as given (what is kept and matched), without stray spaces."""
    return str(raw).strip() if isinstance(raw, str | int) else ""


def _reporter(user) -> Organisation:
    reporter = rescue_reporter_of(user)
    if reporter is None:
        raise PermissionDenied(REPORTER_REFUSAL)
    return reporter


def _code_key(item: dict) -> tuple[str, str]:
    """(field, code) of the elevator an item names: its equipment code, else its rescue code."""
    for name in ("equipment_code", "rescue_code"):
        code = normalise_code(item.get(name) or "")
        if code:
            return name, code
    raise ApplicationError(_("请填写设备代码或电梯识别码。"), field="equipment_code")


def _elevators_named(reporter: Organisation, items: list[dict]) -> dict[tuple[str, str], Elevator]:
    """The reporter's elevators the items name, by (field, code): two queries for a whole batch."""
    wanted: dict[str, set[str]] = {"equipment_code": set(), "rescue_code": set()}
    for item in items:
        try:
            name, code = _code_key(item)
        except ApplicationError:
            continue
        wanted[name].add(code)
    found = {}
    for name, codes in wanted.items():
        if codes:
            for elevator in rescue_writable_elevators(reporter).filter(**{f"{name}__in": codes}):
                found[(name, getattr(elevator, name))] = elevator
    return found


def _elevator(item: dict, reporter: Organisation, known: dict | None = None) -> Elevator:
    """The elevator the item names, among those the reporter may record at (any other is "not
    found", exactly like a code that does not exist). `known`: a batch's _elevators_named."""
    writable = rescue_writable_elevators(reporter)
    if item.get("elevator") is not None:
        elevator = writable.filter(pk=item["elevator"].pk).first()
        if elevator is None:
            raise ApplicationError(_("您不能为这部电梯记录救援。"), field="elevator")
        return elevator
    name, code = _code_key(item)
    if known is not None:
        elevator = known.get((name, code))
    else:
        elevator = writable.filter(**{name: code}).first()
    if elevator is None:
        raise ApplicationError(
            _("没有代码为 %(code)s 的电梯，或您不能为它记录救援。") % {"code": item.get(name)}, field=name
        )
    return elevator


def _check_times(rescue: RescueIncident) -> None:
    """The order of the times (alarm, dispatch, arrival, release) and none in the future."""
    latest = timezone.now() + FUTURE_TOLERANCE
    for name in ("alarm_at", "dispatched_at", "arrived_at", "released_at"):
        value = getattr(rescue, name)
        if value is not None and value > latest:
            raise ApplicationError(_("时间不能晚于当前时间。"), field=name)
    if rescue.alarm_at is None:
        raise ApplicationError(_("请填写报警时间。"), field="alarm_at")
    for name, message in BEFORE_ALARM_MESSAGES.items():
        value = getattr(rescue, name)
        if value is not None and value < rescue.alarm_at:
            raise ApplicationError(message, field=name)
    if rescue.arrived_at and rescue.released_at and rescue.released_at < rescue.arrived_at:
        raise ApplicationError(_("解困时间不能早于到达时间。"), field="released_at")
    if rescue.people_injured > rescue.people_trapped and rescue.people_trapped:
        raise ApplicationError(_("受伤人数不能多于被困人数。"), field="people_injured")


def _plan(
    item: dict, reporter: Organisation, existing: RescueIncident | None, known: dict | None = None
) -> tuple[RescueIncident, str]:
    """The rescue as it will be (not saved) and the outcome: created, updated or unchanged."""
    names_elevator = any(item.get(key) for key in ("elevator", "equipment_code", "rescue_code"))
    if existing is None:
        if "alarm_at" not in item or item["alarm_at"] is None:
            raise ApplicationError(_("请填写报警时间。"), field="alarm_at")
        rescue = RescueIncident(reporter=reporter, rescue_number=item["rescue_number"])
        rescue.elevator = _elevator(item, reporter, known)
        outcome = CREATED
    else:
        rescue, outcome, elevator_id = existing, UNCHANGED, existing.elevator_id
        if names_elevator:
            rescue.elevator = _elevator(item, reporter, known)
    changed = existing is not None and rescue.elevator_id != elevator_id
    for name in RESCUE_FIELDS:
        if name in item:
            value = item[name] if item[name] is not None else BLANK_VALUES.get(name)
            if existing is not None and getattr(existing, name) != value:
                changed = True
            setattr(rescue, name, value)
    if existing is not None and changed:
        outcome = UPDATED
    _check_times(rescue)
    # The check constraints are _check_times' (with the field named), the unique number is the
    # lookup's and the database's: no query per row for them.
    try:
        rescue.full_clean(exclude=["reporter", "elevator"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise refusal_from(exc) from exc
    return rescue, outcome


def _locked(reporter: Organisation, numbers) -> dict[str, RescueIncident]:
    rows = RescueIncident.objects.select_for_update().filter(reporter=reporter, rescue_number__in=numbers)
    return {row.rescue_number: row for row in rows.order_by("pk")}


def _store(
    item: dict, reporter: Organisation, existing: RescueIncident | None, known: dict | None = None
) -> tuple[RescueIncident, str]:
    if existing is not None:
        # The plan changes the row in memory: compare against a fresh copy.
        existing = RescueIncident.objects.get(pk=existing.pk)
    rescue, outcome = _plan(item, reporter, existing, known)
    if outcome == UNCHANGED:
        return rescue, outcome
    with transaction.atomic():
        rescue.save()
    claim_proposal_for_rescue(rescue=rescue)
    return rescue, outcome


def rescue_record(*, user, data: dict) -> tuple[RescueIncident, str]:
    """Record (create or update) the caller's rescue `data["rescue_number"]`; returns (rescue, outcome).

    `data` holds Python values keyed as the API names them: rescue_number, equipment_code or
    rescue_code (or `elevator`, an Elevator, from the browser form), alarm_at, and optionally the
    other times, people trapped and injured, tier, cause, note. Outcome is created, updated or
    unchanged (nothing written). Refusals are ApplicationError naming the field; a caller who may
    not record rescues at all gets PermissionDenied.
    """
    reporter = _reporter(user)
    number = _number(data.get("rescue_number"))
    if not number:
        raise ApplicationError(_("请填写救援编号。"), field="rescue_number")
    data = {**data, "rescue_number": number}
    with transaction.atomic():
        existing = _locked(reporter, [number]).get(number)
        try:
            with transaction.atomic():
                return _store(data, reporter, existing)
        except IntegrityError:
            # A concurrent request created the same number first: this one updates it.
            existing = _locked(reporter, [number]).get(number)
            if existing is None:
                raise
            return _store(data, reporter, existing)


def rescues_bulk_upsert(*, user, items: list[dict]) -> list[BulkItemResult]:
    """Record many rescues at once (POST /api/v1/rescues/bulk/); one result per item, in order.

    Idempotent by the reporter's rescue number: an item sent again is unchanged. Each item is
    stored in its own savepoint, so the valid items are kept whatever the others do; new rescues are
    inserted together and audited like single saves (core.audit.log_bulk). A number repeated within
    the batch is stored once and the repeats update it in turn.
    """
    reporter = _reporter(user)
    results: list[BulkItemResult | None] = [None] * len(items)
    with transaction.atomic():
        numbers = [_number(item.get("rescue_number")) for item in items]
        existing = _locked(reporter, set(numbers) - {""})
        known = _elevators_named(reporter, items)
        new: list[tuple[int, RescueIncident]] = []
        pending: dict[str, RescueIncident] = {}
        for index, (item, number) in enumerate(zip(items, numbers, strict=True)):
            try:
                if number in pending:
                    # A repeat within the batch: store the first now, then treat this as an update.
                    _flush(new, results, existing, pending)
                results[index], row = _plan_item(item, number, reporter, existing.get(number), known)
            except ApplicationError as exc:
                results[index] = refused(exc)
                continue
            except IntegrityError:  # its savepoint is rolled back; the others go on
                results[index] = BulkItemResult(
                    REFUSED, errors={"non_field_errors": [_("数据库拒绝了此项。")]}
                )
                continue
            if results[index].outcome == CREATED:
                new.append((index, row))
                pending[number] = row
        _flush(new, results, existing, pending)
    return results


def _plan_item(item: dict, number: str, reporter, existing, known) -> tuple[BulkItemResult, RescueIncident]:
    if not number:
        raise ApplicationError(_("请填写救援编号。"), field="rescue_number")
    item = {**item, "rescue_number": number}
    if existing is None:
        rescue, outcome = _plan(item, reporter, None, known)
        return BulkItemResult(CREATED), rescue
    with transaction.atomic():
        rescue, outcome = _store(item, reporter, existing, known)
    return BulkItemResult(outcome, id=rescue.pk), rescue


def _flush(new: list, results: list, existing: dict, pending: dict) -> dict[str, RescueIncident]:
    """Insert the planned new rescues in one statement, audited; returns them by number."""
    if not new:
        return {}
    rows = [row for _index, row in new]
    try:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise IntegrityError("the database cannot return the new keys of a bulk insert")
        with transaction.atomic():
            RescueIncident.objects.bulk_create(rows)
            log_bulk(created=rows)
    except IntegrityError:
        # A concurrent batch took a number (or no keys come back): store these one by one.
        for row in rows:
            row.pk, row._state.adding = None, True
        for index, row in new:
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                row.pk = None
                results[index] = BulkItemResult(
                    REFUSED, errors={"rescue_number": [_("该救援编号正被另一请求保存，请重试。")]}
                )
    stored = {}
    for index, row in new:
        if row.pk is None:
            continue
        if results[index].outcome == CREATED:
            results[index] = BulkItemResult(CREATED, id=row.pk)
        claim_proposal_for_rescue(rescue=row)
        stored[row.rescue_number] = row
        existing[row.rescue_number] = row
    new.clear()
    pending.clear()
    return stored
