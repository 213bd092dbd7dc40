"""Maintenance records: recorded by the elevator's maintenance company (one at a time or in batches),
confirmed by the user unit, reviewed by a regulator or the company.

Rules, however a record arrives (the API, a batch, the browser form):
- only a maintenance company records, and only for elevators it maintains (Elevator.maintenance_company);
  another elevator — or a code that does not exist — is refused with the same message naming it;
- a record is known by (company, record_number): sending it again updates it, or changes nothing
  ("unchanged", nothing written) when every field sent equals what is stored. Fields left out of
  an update keep their values;
- required: record_number, equipment_code, performed_on (not after today), level; everything else
  (times, workers, scan-in, checklist items) is optional and never assumed;
- checklist items must be items of the level's checklist for the elevator's kind
  (maintenance.checklists.items_for), each once; an abnormal item needs a note;
- the review flags are computed again on every save (services/record_flags.py);
- an abnormal item opens a general hazard found by maintenance, linked to the record, once per
  record and item (its hazard number is the record's number and the item's code).
A batch is read in a few queries (elevators by code, the company's records by number), new records
and their items are inserted at once (COPY with ids from the sequence on PostgreSQL,
core.pgcopy.rows_insert; bulk_create elsewhere) and audited with core.audit.log_bulk, and the flags of
the whole batch are decided in the database (services/record_flags.py); the changed records are
updated in one statement (core.pgcopy.rows_update) and their replaced items deleted in one, audited
with log_bulk as saving and deleting them would be (decision 0027). The number of queries of a batch
does not depend on its size. Refused items write nothing; the others are stored.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, OrganisationKind, User
from core.api.bulk import CREATED, UNCHANGED, UPDATED, BulkItemResult, refused
from core.audit import log_bulk, rows_update_audited
from core.exceptions import ApplicationError
from core.pgcopy import any_of, rows_delete, rows_insert
from core.rules import ObjectRule
from core.text import normalise_code
from core.visibility import organisation_of
from elevators.models import Elevator

from ..checklists import ITEMS_BY_CODE, item_codes_for
from ..models import HazardSeverity, HazardSource, ItemResult, MaintenanceRecord, RecordItem, ReviewOutcome
from .attachments import attachment_add
from .hazards import hazards_bulk_report
from .record_flags import record_flags_refresh

RECORDS_BATCH_MAX = 1_000
REQUIRED = ("record_number", "equipment_code", "performed_on", "level")
# Fields of a record an item may set, as the API names them.
RECORD_FIELDS = (
    "performed_on", "level", "started_at", "ended_at", "worker_name", "worker_certificate",
    "second_worker_name", "second_worker_certificate", "findings", "scan_in_at", "scan_in_method",
    "scan_in_latitude", "scan_in_longitude", "scan_out_at",
)  # fmt: skip
NULLABLE_FIELDS = frozenset(
    {"started_at", "ended_at", "scan_in_at", "scan_in_latitude", "scan_in_longitude", "scan_out_at"}
)


def maintenance_company_of(user) -> Organisation:
    """The active maintenance company `user` records for; anyone else is refused."""
    org = organisation_of(user)
    if org is None or not org.is_active or org.kind != OrganisationKind.MAINTENANCE_COMPANY:
        raise PermissionDenied(_("只有维保单位可以报送维保记录。"))
    return org


@dataclass
class _Plan:
    outcome: str
    record: MaintenanceRecord
    items: list[RecordItem] | None = None  # None: keep the stored items
    stored: MaintenanceRecord | None = None  # the row as it was, for an update
    stored_items: list[RecordItem] = field(default_factory=list)  # and its items


def _not_maintained(code: str) -> ApplicationError:
    return ApplicationError(
        _("电梯 %(code)s 不是贵单位维保的电梯，不能报送其维保记录。") % {"code": code},
        field="equipment_code",
        extra={"equipment_code": code},
    )


def _check_items(data_items: list[dict], *, group: str, level: str) -> list[RecordItem]:
    allowed = item_codes_for(group, level)
    seen, items = set(), []
    for item in data_items:
        code = item["item_code"].strip().upper()
        if code not in allowed:
            raise ApplicationError(
                _("项目 %(code)s 不属于该类电梯%(level)s的维保项目。") % {"code": code, "level": level},
                field="items",
            )
        if code in seen:
            raise ApplicationError(_("项目 %(code)s 重复。") % {"code": code}, field="items")
        note = (item.get("note") or "").strip()
        if item["result"] == ItemResult.ABNORMAL and not note:
            raise ApplicationError(_("异常项目 %(code)s 须填写说明。") % {"code": code}, field="items")
        seen.add(code)
        items.append(RecordItem(item_code=code, result=item["result"], note=note))
    return sorted(items, key=lambda i: i.item_code)


def _item_keys(items) -> list[tuple]:
    return sorted((i.item_code, i.result, i.note) for i in items)


def _plan(company, data: dict, elevators: dict, existing: dict, today: date) -> _Plan:
    code = normalise_code(data["equipment_code"])
    elevator = elevators.get(code)
    if elevator is None:
        raise _not_maintained(code)
    if data["performed_on"] > today:
        raise ApplicationError(_("维保日期不能晚于今天。"), field="performed_on")
    stored, stored_items = existing.get(data["record_number"], (None, []))
    record = MaintenanceRecord(company=company, record_number=data["record_number"])
    if stored is not None:
        record = MaintenanceRecord(
            **{f.attname: getattr(stored, f.attname) for f in stored._meta.concrete_fields}
        )
    record.elevator = elevator
    for name in RECORD_FIELDS:
        if name in data:
            blank = None if name in NULLABLE_FIELDS else ""
            setattr(record, name, blank if data[name] is None else data[name])
    if record.started_at and record.ended_at and record.ended_at < record.started_at:
        raise ApplicationError(_("结束时间不能早于开始时间。"), field="ended_at")
    items = None
    if "items" in data:
        items = _check_items(data["items"] or [], group=elevator.group, level=record.level)
    elif stored is not None and record.level != stored.level:
        _check_items(
            [{"item_code": i.item_code, "result": i.result, "note": i.note} for i in stored_items],
            group=elevator.group,
            level=record.level,
        )
    if stored is None:
        return _Plan(CREATED, record, items or [])
    same_fields = all(
        getattr(record, f.attname) == getattr(stored, f.attname) for f in stored._meta.concrete_fields
    )
    same_items = items is None or _item_keys(items) == _item_keys(stored_items)
    outcome = UNCHANGED if same_fields and same_items else UPDATED
    return _Plan(outcome, record, items, stored, stored_items)


def _lookups(company, items: list[dict]) -> tuple[dict, dict]:
    """The company's elevators the batch names, by code, and its records the batch numbers (locked,
    in pk order) with their items: (record, items) by number. Three queries whatever the size (the
    items in one, not prefetch_related's queryset per record)."""
    codes = {normalise_code(item["equipment_code"]) for item in items}
    elevators = {
        e.equipment_code: e
        for e in Elevator.objects.filter(any_of("equipment_code", codes), maintenance_company=company).only(
            "pk", "equipment_code", "category"
        )
    }
    numbers = {item["record_number"] for item in items}
    records = list(
        MaintenanceRecord.objects.filter(any_of("record_number", numbers), company=company)
        .select_for_update()
        .order_by("pk")
    )
    by_pk, items_of = {r.pk: r for r in records}, defaultdict(list)
    if records:
        for item in RecordItem.objects.filter(any_of("record_id", list(by_pk))).order_by("pk"):
            item.record = by_pk[item.record_id]
            items_of[item.record_id].append(item)
    existing = {r.record_number: (r, items_of[r.pk]) for r in records}
    return elevators, existing


def _write(plans: list[_Plan]) -> None:
    new = [p for p in plans if p.outcome == CREATED]
    changed = [p for p in plans if p.outcome == UPDATED]
    created = rows_insert([p.record for p in new])
    for plan in new:
        for item in plan.items:
            item.record = plan.record
    items = rows_insert([i for p in new for i in p.items])
    log_bulk(created=[*created, *items], just_inserted=True)
    _update_in_bulk(changed)
    record_flags_refresh(records=[p.record for p in (*new, *changed)], new=created)


# What an update writes: the fields an item may set, the elevator, and the time (auto_now).
UPDATED_FIELDS = [*RECORD_FIELDS, "elevator", "updated_at"]


def _update_in_bulk(changed: list[_Plan]) -> None:
    """The changed records in one UPDATE (core.pgcopy.rows_update, an array per column: the rows
    are locked, so a field a record did not change is written back as stored), and the items of
    those that send theirs replaced: the old ones deleted in one statement, the new inserted at
    once. Audited with log_bulk as auditlog logs a save() and a delete, before updated_at is
    stamped (decision 0027): an entry names the fields the sender changed, not the time."""
    if not changed:
        return
    replaced = [p for p in changed if p.items is not None]
    old = [item for p in replaced for item in p.stored_items]
    if old:
        rows_delete(RecordItem.objects.filter(any_of("pk", [item.pk for item in old])))
    for plan in replaced:
        for item in plan.items:
            item.record = plan.record
    rows_update_audited(
        [(p.stored, p.record) for p in changed],
        UPDATED_FIELDS,
        created=rows_insert([i for p in replaced for i in p.items]),
        deleted=old,
    )


def _upsert(company, items: list[dict], user) -> list[_Plan | ApplicationError]:
    """Plan and write a batch in one transaction. A concurrent batch that inserted one of the same
    new numbers first makes the insert fail on the unique constraint: the batch is then read and
    planned again once, and those records come out as updates (usually unchanged)."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _upsert_once(company, items, user)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _upsert_once(company, items: list[dict], user) -> list[_Plan | ApplicationError]:
    today = timezone.localdate()
    outcomes: list[_Plan | ApplicationError] = []
    elevators, existing = _lookups(company, items)
    numbers = set()
    for data in items:
        try:
            if data["record_number"] in numbers:
                raise ApplicationError(
                    _("维保记录编号 %(no)s 在本批中重复。") % {"no": data["record_number"]},
                    field="record_number",
                )
            numbers.add(data["record_number"])
            outcomes.append(_plan(company, data, elevators, existing, today))
        except ApplicationError as error:
            outcomes.append(error)
    # New rows in one global order (the number), so that racing batches queue on the unique index.
    plans = sorted((o for o in outcomes if isinstance(o, _Plan)), key=lambda p: p.record.record_number)
    _write(plans)
    _abnormal_items_reported(user, plans)
    return outcomes


def _abnormal_items_reported(user, plans: list[_Plan]) -> None:
    """Each abnormal checklist item of the saved records opens a general hazard found by
    maintenance, linked to its record; sent again, the same hazard numbers change nothing."""
    items = [
        {
            "hazard_number": f"{plan.record.record_number}/{item.item_code}",
            "equipment_code": plan.record.elevator.equipment_code,
            "found_on": plan.record.performed_on,
            "severity": HazardSeverity.GENERAL,
            "found_by": HazardSource.MAINTENANCE,
            "description": _("维保发现异常：%(item)s。%(note)s")
            % {"item": ITEMS_BY_CODE[item.item_code].name, "note": item.note},
            "maintenance_record": plan.record,
        }
        for plan in plans
        if plan.items
        for item in plan.items
        if item.result == ItemResult.ABNORMAL
    ]
    if items:
        hazards_bulk_report(user=user, items=items)


def record_upsert(*, user, data: dict) -> tuple[MaintenanceRecord, str]:
    """Create or update the caller's record `data["record_number"]`; returns (record, outcome).

    Outcome is "created", "updated" or "unchanged". `data` holds Python values keyed as the API
    names them (module docstring for the rules); a refusal raises ApplicationError naming the field.
    """
    company = maintenance_company_of(user)
    (outcome,) = _upsert(company, [data], user)
    if isinstance(outcome, ApplicationError):
        raise outcome
    return outcome.record, outcome.outcome


def records_bulk_upsert(*, user, items: list[dict]) -> list[BulkItemResult]:
    """Create or update many of the caller's records; one BulkItemResult per item, in order.

    An item sent again is "unchanged"; refused items are stored nowhere, the others are stored.
    """
    company = maintenance_company_of(user)
    results = []
    for outcome in _upsert(company, items, user):
        if isinstance(outcome, ApplicationError):
            results.append(refused(outcome))
        else:
            results.append(BulkItemResult(outcome.outcome, id=outcome.record.pk))
    return results


# --- confirmation by the user unit, review ---------------------------------------------------------


def _person(user) -> None:
    """Confirmations and reviews name a person: an API key (no person behind it) is refused."""
    if not isinstance(user, User):
        raise PermissionDenied(_("确认和复核须由本人登录门户办理，不能使用API密钥。"))


def _locked(record: MaintenanceRecord) -> MaintenanceRecord:
    return MaintenanceRecord.objects.select_for_update().select_related("elevator").get(pk=record.pk)


@transaction.atomic
def record_confirm(*, user, record: MaintenanceRecord) -> MaintenanceRecord:
    """The user unit's safety manager confirms the visit: a user of the elevator's user unit, once."""
    _person(user)
    record = _locked(record)
    org = organisation_of(user)
    if org is None or record.elevator.user_unit_id != org.pk:
        raise PermissionDenied(_("只有该电梯的使用单位可以确认维保记录。"))
    if record.confirmed_at is not None:
        at = timezone.localtime(record.confirmed_at).strftime("%Y-%m-%d %H:%M")
        raise ApplicationError(_("该维保记录已于 %(at)s 确认。") % {"at": at})
    record.confirmed_by, record.confirmed_at = user, timezone.now()
    record.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    return record


def may_review(user, record: MaintenanceRecord) -> bool:
    """The city regulator, the elevator's district regulator, or the record's company."""
    org = organisation_of(user)
    if org is None or not org.is_active:
        return False
    if org.kind == OrganisationKind.CITY_REGULATOR:
        return True
    if org.kind == OrganisationKind.DISTRICT_REGULATOR:
        return org.district_id == record.elevator.district_id
    return org.pk == record.company_id


REVIEW_RECORD = ObjectRule(may_review, gettext_lazy("只有监管部门或该记录的维保单位可以复核维保记录。"))


@transaction.atomic
def record_review(*, user, record: MaintenanceRecord, outcome: str, note: str = "") -> MaintenanceRecord:
    """Review a record: accepted or rejected, with a note (required when rejected); who and when."""
    _person(user)
    record = _locked(record)
    REVIEW_RECORD.require(user, record)
    if outcome not in (ReviewOutcome.ACCEPTED, ReviewOutcome.REJECTED):
        raise ApplicationError(_("复核结果须为“复核通过”或“认定不实”。"), field="outcome")
    note = note.strip()
    if outcome == ReviewOutcome.REJECTED and not note:
        raise ApplicationError(_("认定不实须填写复核意见。"), field="note")
    record.review_outcome, record.review_note = outcome, note
    record.reviewed_by, record.reviewed_at = user, timezone.now()
    record.save(update_fields=["review_outcome", "review_note", "reviewed_by", "reviewed_at", "updated_at"])
    return record


@transaction.atomic
def record_photo_add(
    *, user, record: MaintenanceRecord, file, spot: str = "", moment: str = "", taken_at=None
):
    """The record's company adds an on-site photo (services.attachments checks type and size); the
    record's flags are computed again, so a photo already used on another record is flagged."""
    company = maintenance_company_of(user)
    record = _locked(record)
    if record.company_id != company.pk:
        raise PermissionDenied(_("只有该记录的维保单位可以添加现场照片。"))
    photo = attachment_add(owner=record, file=file, spot=spot, moment=moment, taken_at=taken_at)
    record_flags_refresh(records=[record])
    return photo
