"""Recording the insurance+maintenance services (plan 四(四)): one service, or up to 1,000 at once.

A service is an insurer's, kept once per (insurer, service_number): sending the same number again
updates it, or leaves it alone when nothing changed. It is delivered under an insurance+maintenance
policy of that insurer covering each of its elevators on its date — the cover in force as
insurance defines it (PolicyElevator.objects.in_force_on / is_in_force_on) — and each elevator
keeps the policy it was served under (ServiceElevator). The policy is found from the date unless
the sender names it. Single and bulk writes share one planning step, so they refuse alike.
"""

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.api.bulk import CREATED, REFUSED, UNCHANGED, UPDATED, BulkItemResult, refused
from core.audit import log_bulk, rows_update_audited
from core.exceptions import ApplicationError
from core.pgcopy import any_of, rows_delete, rows_insert
from elevators.models import Elevator
from insurance.models import InsuranceModel, Policy, PolicyElevator
from maintenance.models import ServiceElevator, ServiceKind, ServiceRecord

SERVICES_BATCH_MAX = 1_000
IDS_PER_QUERY = 900  # stays under SQLite's limit on query parameters
INSURANCE_MAINTENANCE = InsuranceModel.INSURANCE_MAINTENANCE

# The fields only some kinds have, and the kinds that have them; as data, checked in one place.
KIND_FIELDS = {
    ServiceKind.MAINTENANCE_QUALITY: ("quality_score", "maintenance_company"),
    ServiceKind.OLD_ELEVATOR_ASSESSMENT: ("assessment_grade", "assessment_conclusion"),
    ServiceKind.THREE_NO_RECTIFICATION: ("amount", "repayer", "repaid"),
    ServiceKind.TRAINING: ("attendance",),
    ServiceKind.RESCUE_DRILL: ("attendance",),
}
KIND_ONLY_FIELDS = tuple(dict.fromkeys(name for names in KIND_FIELDS.values() for name in names))
COMMON_FIELDS = ("kind", "performed_on", "site_name", "findings")
BLANK = {"site_name": "", "findings": "", "assessment_grade": "", "assessment_conclusion": "", "repayer": ""}


def _given(value) -> bool:
    return value not in (None, "")


@dataclass
class Plan:
    """What storing one item will do: the outcome, the record (saved or not) and its elevators'
    policies."""

    outcome: str
    record: ServiceRecord
    links: dict[int, int] = field(default_factory=dict)  # elevator id -> policy id
    stored: ServiceRecord | None = None  # the row as it was, for an update


class Lookups:
    """Everything the rules read for a batch, in a bounded number of queries."""

    def __init__(self, insurer: Organisation, items: Sequence[dict]):
        self.insurer = insurer
        codes = sorted({code for item in items for code in item.get("equipment_codes", ())})
        # An insurer may look any elevator up by its exact code (Elevator.objects.quotable_by): the
        # refusal then says which elevator it does not cover rather than "unknown".
        self.elevators: dict[str, Elevator] = {}
        for part in _chunks(codes, IDS_PER_QUERY):
            for elevator in Elevator.objects.filter(any_of("equipment_code", part)).only(
                "pk", "equipment_code", "maintenance_company_id"
            ):
                self.elevators[elevator.equipment_code] = elevator
        days = [item["performed_on"] for item in items]
        self.covers: dict[int, list[PolicyElevator]] = {}
        ids = sorted(elevator.pk for elevator in self.elevators.values())
        for part in _chunks(ids, IDS_PER_QUERY):
            covers = PolicyElevator.objects.in_force_during(min(days), max(days)).filter(
                any_of("elevator_id", part), model=INSURANCE_MAINTENANCE, policy__insurer=insurer
            )
            covers = covers.only("elevator_id", "policy_id", "start_date", "end_date", "is_cancelled")
            for cover in covers.order_by("start_date", "pk"):
                self.covers.setdefault(cover.elevator_id, []).append(cover)
        numbers = sorted({item["policy_number"] for item in items if item.get("policy_number")})
        self.policies = {p.number: p for p in Policy.objects.filter(insurer=insurer, number__in=numbers)}
        service_numbers = sorted({item["service_number"] for item in items})
        self.services: dict[str, ServiceRecord] = {}
        for part in _chunks(service_numbers, IDS_PER_QUERY):
            # Not any_of's probe: with the insurer's index chosen on stale statistics, its array
            # (an init plan's, not a constant) is searched row by row, 35x slower at 6,000 services.
            for service in ServiceRecord.objects.filter(any_of("service_number", part), insurer=insurer):
                self.services[service.service_number] = service
        # Each stored service's elevators and their policies, in one query per part (not
        # prefetch_related, which builds a queryset per service).
        self.links: dict[int, list[ServiceElevator]] = {}
        for part in _chunks(sorted(service.pk for service in self.services.values()), IDS_PER_QUERY):
            for link in ServiceElevator.objects.filter(any_of("service_id", part)).order_by("pk"):
                self.links.setdefault(link.service_id, []).append(link)


def _chunks(items: list, size: int):
    """`items` in parts of `size` for SQLite's limit on parameters; whole on PostgreSQL, where
    core.pgcopy.any_of sends them as one array."""
    if connection.vendor == "postgresql":
        size = max(len(items), 1)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_kind_fields(item: dict) -> None:
    allowed = KIND_FIELDS.get(item["kind"], ())
    foreign = [name for name in KIND_ONLY_FIELDS if name not in allowed and _given(item.get(name))]
    if foreign:
        raise ApplicationError(
            _("服务类型“%(kind)s”没有字段：%(fields)s。")
            % {"kind": ServiceKind(item["kind"]).label, "fields": "、".join(foreign)},
            field=foreign[0],
        )
    score = item.get("quality_score")
    if score is not None and not 0 <= score <= 100:
        raise ApplicationError(_("维保质量评分应在0到100之间。"), field="quality_score")


def _named_policy(item: dict, lookups: Lookups) -> Policy | None:
    number = item.get("policy_number")
    if not number:
        return None
    policy = lookups.policies.get(number)
    if policy is None:
        raise ApplicationError(
            _("本机构没有保单号为 %(number)s 的保单。") % {"number": number}, field="policy_number"
        )
    if policy.model != INSURANCE_MAINTENANCE:
        raise ApplicationError(
            _("保单 %(number)s 不是“保险+维保服务”保单，不能在其下提供服务。") % {"number": number},
            field="policy_number",
        )
    return policy


def _links(item: dict, elevators: list[Elevator], policy: Policy | None, lookups: Lookups) -> dict[int, int]:
    """The policy each elevator is served under; refused naming every elevator without one."""
    day: date = item["performed_on"]
    links, uncovered = {}, []
    for elevator in elevators:
        covers = [
            cover
            for cover in lookups.covers.get(elevator.pk, ())
            if cover.is_in_force_on(day) and (policy is None or cover.policy_id == policy.pk)
        ]
        if covers:
            links[elevator.pk] = covers[0].policy_id
        else:
            uncovered.append(elevator.equipment_code)
    if uncovered:
        message = _("电梯 %(codes)s 在 %(day)s 没有本机构在保的“保险+维保服务”保单，不能登记该服务。")
        if policy is not None:
            message = _("电梯 %(codes)s 在 %(day)s 不在保单 %(number)s 的保障中，不能登记该服务。")
        raise ApplicationError(
            message
            % {
                "codes": "、".join(uncovered),
                "day": day.isoformat(),
                "number": getattr(policy, "number", ""),
            },
            field="equipment_code",
            extra={"elevators": uncovered},
        )
    return links


def _site_policy_in_force(item: dict, policy: Policy | None) -> None:
    if policy is None:
        raise ApplicationError(
            _("未指明电梯的服务须注明所依据的“保险+维保服务”保单号。"), field="policy_number"
        )
    if not PolicyElevator.objects.in_force_on(item["performed_on"]).filter(policy=policy).exists():
        raise ApplicationError(
            _("保单 %(number)s 在 %(day)s 不在保险期间内。")
            % {"number": policy.number, "day": item["performed_on"].isoformat()},
            field="performed_on",
        )


def _maintenance_company(item: dict, elevators: list[Elevator]):
    if item["kind"] != ServiceKind.MAINTENANCE_QUALITY or item.get("maintenance_company"):
        return item.get("maintenance_company")
    # The company scored is the elevators' own unless the sender names another.
    companies = {elevator.maintenance_company_id for elevator in elevators} - {None}
    if len(companies) > 1:
        raise ApplicationError(
            _("所列电梯的维保单位不同，请注明被评价的维保单位。"), field="maintenance_company"
        )
    return Organisation(pk=companies.pop()) if companies else None


def plan_item(item: dict, lookups: Lookups) -> Plan:
    """Decide what storing `item` does (see the module's docstring); raises ApplicationError."""
    _check_kind_fields(item)
    codes = list(dict.fromkeys(item.get("equipment_codes", ())))
    unknown = [code for code in codes if code not in lookups.elevators]
    if unknown:
        raise ApplicationError(
            _("未找到设备代码为 %(codes)s 的电梯。") % {"codes": "、".join(unknown)},
            field="equipment_code",
            extra={"elevators": unknown},
        )
    if not codes and not item.get("site_name"):
        raise ApplicationError(_("请注明服务的电梯或服务地点。"), field="equipment_code")
    elevators = [lookups.elevators[code] for code in codes]
    policy = _named_policy(item, lookups)
    if elevators:
        links = _links(item, elevators, policy, lookups)
    else:
        _site_policy_in_force(item, policy)
        links = {}
    values = {name: item.get(name, BLANK.get(name)) for name in (*COMMON_FIELDS, *KIND_ONLY_FIELDS)}
    values.update({name: BLANK[name] for name in BLANK if values[name] is None})
    values["maintenance_company"] = _maintenance_company(item, elevators)
    if item["kind"] == ServiceKind.THREE_NO_RECTIFICATION and values["repaid"] is None:
        values["repaid"] = False
    existing = lookups.services.get(item["service_number"])
    if existing is None:
        record = ServiceRecord(insurer=lookups.insurer, service_number=item["service_number"], **values)
        return Plan(CREATED, record, links)
    before_links = {link.elevator_id: link.policy_id for link in lookups.links.get(existing.pk, ())}
    changed = [name for name, value in values.items() if _stored(existing, name) != _stored_value(value)]
    if not changed and before_links == links:
        return Plan(UNCHANGED, existing, links)
    stored = copy.copy(existing)
    for name, value in values.items():
        setattr(existing, name, value)
    return Plan(UPDATED, existing, links, stored)


def _stored(record: ServiceRecord, name: str):
    return record.maintenance_company_id if name == "maintenance_company" else getattr(record, name)


def _stored_value(value):
    return value.pk if isinstance(value, Organisation) else value


def _write(plan: Plan) -> None:
    """One service through save() (auditlog logs it), its elevators replaced when they changed."""
    with transaction.atomic():
        plan.record.save()
        old, new = _links_replaced(plan, plan.record.covered.all() if plan.outcome == UPDATED else ())
        for link in old:
            link.delete()
        for link in new:
            link.save()


def _links_replaced(plan: Plan, stored) -> tuple[list[ServiceElevator], list[ServiceElevator]]:
    """Of a service's `stored` links, those that no longer hold (the elevator is gone or served under
    another policy), and the new links to insert in their place: one rule for a save (`_write`) and
    for a bulk update (`_update_all`)."""
    kept, old = set(), []
    for link in stored:
        if plan.links.get(link.elevator_id) == link.policy_id:
            kept.add(link.elevator_id)
        else:
            old.append(link)
    new = [
        ServiceElevator(service=plan.record, elevator_id=elevator_id, policy_id=policy_id)
        for elevator_id, policy_id in plan.links.items()
        if elevator_id not in kept
    ]
    return old, new


def _insurer(insurer: Organisation | None) -> Organisation:
    if insurer is None:
        raise PermissionDenied(_("只有保险机构可以登记保险服务。"))
    return insurer


def service_record_upsert(*, insurer: Organisation | None, data: dict) -> tuple[ServiceRecord, str]:
    """Create or update the insurer's service `data["service_number"]`; returns (service, outcome).

    `data` holds service_number, kind, performed_on, equipment_codes (a list; empty for a service at
    a site, which then names `site_name` and its `policy_number`), and optionally policy_number,
    site_name, findings and the fields of its kind (quality_score and maintenance_company, the
    elevators' own by default; assessment_grade and assessment_conclusion; amount, repayer, repaid;
    attendance). Refused with ApplicationError when an elevator has no insurance+maintenance cover
    of this insurer on that date (naming it, `extra["elevators"]`), when a named policy is not such
    a policy, or when a field does not belong to the kind. Outcome created, updated or unchanged.
    """
    insurer = _insurer(insurer)
    plan = plan_item(data, Lookups(insurer, [data]))
    if plan.outcome == UNCHANGED:
        return plan.record, plan.outcome
    try:
        _write(plan)
    except IntegrityError:
        if plan.outcome != CREATED:
            raise
        # Another request created this number since it was read: decide again against that row.
        plan = plan_item(data, Lookups(insurer, [data]))
        if plan.outcome != UNCHANGED:
            _write(plan)
    return plan.record, plan.outcome


def service_records_bulk_upsert(
    *, insurer: Organisation | None, items: Sequence[dict]
) -> list[BulkItemResult]:
    """Store up to SERVICES_BATCH_MAX services as service_record_upsert would, one result each.

    Each item is decided on its own (a refused item does not stop the others); a service number
    sent twice in one batch is refused the second time. New services are written at once per table
    (COPY on PostgreSQL), changed ones in one UPDATE (`_update_in_bulk`), both audited with
    core.audit.log_bulk as saving them would be; the queries do not depend on the batch's size.
    """
    insurer = _insurer(insurer)
    lookups = Lookups(insurer, items)
    results: list[BulkItemResult] = []
    plans: list[tuple[int, Plan]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            if item["service_number"] in seen:
                raise ApplicationError(_("同一批中服务编号重复。"), field="service_number")
            seen.add(item["service_number"])
            plan = plan_item(item, lookups)
        except ApplicationError as error:
            results.append(refused(error))
            continue
        results.append(BulkItemResult(plan.outcome, id=plan.record.pk))
        plans.append((index, plan))
    _update_in_bulk([plan for _index, plan in plans if plan.outcome == UPDATED], lookups)
    new = [(index, plan) for index, plan in plans if plan.outcome == CREATED]
    try:
        with transaction.atomic():
            _create_in_bulk([plan for _index, plan in new])
    except IntegrityError:
        # A concurrent sender took some of these numbers first: store them one by one instead.
        for index, _plan in new:
            results[index] = _store_one(insurer, items[index])
        return results
    for index, plan in new:
        results[index].id = plan.record.pk
    return results


# What an update writes: every field an item sets, and the time (auto_now).
UPDATED_FIELDS = [*COMMON_FIELDS, *KIND_ONLY_FIELDS, "updated_at"]


def _update_in_bulk(plans: list[Plan], lookups: Lookups) -> None:
    """The changed services at once, audited as `_write`'s save() and delete() audit them
    (decision 0027): one UPDATE (core.pgcopy.rows_update; the rows are the batch's, so a field a
    service did not change is written back as stored), the links whose elevator or policy changed
    deleted in one statement and their replacements inserted at once. If the database refuses
    one, each is written on its own (`_write`), the one at fault raising."""
    if not plans:
        return
    try:
        with transaction.atomic():
            _update_all(plans, lookups)
    except IntegrityError:
        for plan in plans:
            _write(plan)


def _update_all(plans: list[Plan], lookups: Lookups) -> None:
    old, new = [], []
    for plan in plans:
        gone, added = _links_replaced(plan, lookups.links.get(plan.record.pk, ()))
        old += gone
        new += added
    if old:
        rows_delete(ServiceElevator.objects.filter(any_of("pk", [link.pk for link in old])))
    rows_update_audited(
        [(plan.stored, plan.record) for plan in plans], UPDATED_FIELDS, created=rows_insert(new), deleted=old
    )


def _create_in_bulk(plans: list[Plan]) -> None:
    records = rows_insert([plan.record for plan in plans])
    links = rows_insert(
        [
            ServiceElevator(service=plan.record, elevator_id=elevator_id, policy_id=policy_id)
            for plan in plans
            for elevator_id, policy_id in plan.links.items()
        ]
    )
    log_bulk(created=[*records, *links], just_inserted=True)


def _store_one(insurer: Organisation, item: dict) -> BulkItemResult:
    try:
        with transaction.atomic():
            record, outcome = service_record_upsert(insurer=insurer, data=item)
    except ApplicationError as error:
        return refused(error)
    except IntegrityError:
        return BulkItemResult(REFUSED, errors={"service_number": [_("服务编号正被同时登记，请重试。")]})
    return BulkItemResult(outcome, id=record.pk)
