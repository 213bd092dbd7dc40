"""The rules on one claim, checked in memory against what its batch refers to (read in a few queries)."""

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.exceptions import ApplicationError
from core.pgcopy import any_of
from elevators.models import Elevator

from ...models import Claim, ClaimStatus, CoverageItem, CoverageLimit, Policy, PolicyElevator
from .values import (
    CREATED,
    DATE_FIELDS,
    REQUIRED_ON_CREATE,
    SCALAR_FIELDS,
    STATUS_DATE_FIELD,
    UNCHANGED,
    UPDATED,
    InvalidValue,
    Problems,
    clean_equipment_code,
    clean_values,
    incident_day,
    key_of,
    payment_key,
)

# --- what a batch refers to -----------------------------------------------------------------


# The columns of a policy the rules read (a claim's checks and its audit entry name no other).
POLICY_COLUMNS = ("pk", "number", "insurer_id", "product_version_id", "cancelled_on")
# A stored claim's own columns, and of its policy and elevator what the rules and the claim's API
# answer read: the whole rows of both (an elevator has some forty columns) were a third of the
# reading of 1,000 stored claims.
CLAIM_COLUMNS_READ = (
    *(f.name for f in Claim._meta.concrete_fields),
    *(f"policy__{name}" for name in POLICY_COLUMNS if name != "pk"),
    "elevator__equipment_code",
)


class Lookups:
    """The insurer's policies, elevators, covers, coverage items and existing claims (locked) that
    a batch names, each read in one query; anything asked for later is read (and kept) on demand."""

    def __init__(self, insurer: Organisation, items: list):
        self.insurer = insurer
        items = [item for item in items if isinstance(item, dict)]
        numbers = {key_of(item.get("claim_number")) for item in items} - {""}
        policy_numbers = {key_of(item.get("policy_number")) for item in items} - {""}
        self.code_day = timezone.localdate()  # the day the batch's equipment codes are checked on
        codes = set()
        for item in items:
            try:
                codes.add(clean_equipment_code(item.get("equipment_code"), today=self.code_day))
            except InvalidValue:
                pass
        self.claims: dict[str, Claim] = {}
        self.load_claims(numbers)
        self.policies = {
            policy.number: policy
            for policy in Policy.objects.filter(any_of("number", policy_numbers), insurer=insurer)
            .only(*POLICY_COLUMNS)
            .order_by()  # read into a dict: the models' default order would be a sort for nothing
        }
        self.elevators = {
            elevator.equipment_code: elevator
            for elevator in Elevator.objects.filter(any_of("equipment_code", codes))
            .only("pk", "equipment_code")
            .order_by()
        }
        self._policy_ids = {p.pk for p in self.policies.values()} | {
            c.policy_id for c in self.claims.values()
        }
        self._elevator_ids = {e.pk for e in self.elevators.values()} | {
            c.elevator_id for c in self.claims.values()
        }
        self._covers = {
            (cover.policy_id, cover.elevator_id): cover
            for cover in PolicyElevator.objects.filter(
                any_of("policy_id", self._policy_ids), any_of("elevator_id", self._elevator_ids)
            ).only("policy_id", "elevator_id", "start_date", "end_date", "is_cancelled")
        }
        versions = {p.product_version_id for p in self.policies.values()} | {
            c.policy.product_version_id for c in self.claims.values()
        }
        self._items: dict[int, set[str]] = defaultdict(set)
        for version_id, item in CoverageLimit.objects.filter(any_of("version_id", versions)).values_list(
            "version_id", "item"
        ):
            self._items[version_id].add(item)
        self._versions = set(versions)

    def load_claims(self, numbers) -> None:
        """Read (and lock, in a stable order) the insurer's claims with these numbers."""
        if not numbers:
            return
        claims = (
            Claim.objects.select_for_update(of=("self",))
            .filter(any_of("claim_number", numbers, probe=True), insurer=self.insurer)
            .select_related("policy", "elevator")
            .only(*CLAIM_COLUMNS_READ)
            .prefetch_related("payments")
            .order_by("pk")
        )
        self.claims.update((claim.claim_number, claim) for claim in claims)

    def cover(self, policy_id: int, elevator_id: int) -> PolicyElevator | None:
        key = (policy_id, elevator_id)
        if key not in self._covers and not (
            policy_id in self._policy_ids and elevator_id in self._elevator_ids
        ):
            self._covers[key] = PolicyElevator.objects.filter(
                policy_id=policy_id, elevator_id=elevator_id
            ).first()
        return self._covers.get(key)

    def coverage_items(self, version_id: int) -> set[str]:
        if version_id not in self._versions:
            self._items[version_id] = set(
                CoverageLimit.objects.filter(version_id=version_id).values_list("item", flat=True)
            )
            self._versions.add(version_id)
        return self._items[version_id]


# --- one item: checked in memory, then written ----------------------------------------------


RELATIONS = {name: Claim._meta.get_field(name) for name in ("insurer", "policy", "elevator")}
CLAIM_COLUMNS = [(f.attname, f.get_default) for f in Claim._meta.concrete_fields]


def _new_claim(columns: dict) -> Claim:
    """`Claim(**columns)` (values by attname, the others their field's default), built from the
    values in column order as Model.from_db builds a row: Django's keyword path looks every field
    up by name and through its descriptor, a third of a batch's planning."""
    return Claim(*[columns[name] if name in columns else default() for name, default in CLAIM_COLUMNS])


@dataclass
class Plan:
    claim: Claim  # unsaved for a create; a changed copy of the stored claim for an update
    outcome: str
    changed: list[str] = field(default_factory=list)
    transition: tuple[str, str, date] | None = None  # (from, to, on)
    payments: list[dict] | None = None  # the claim's new payments, or None to keep them
    stored: Claim | None = None  # for an update: the claim as stored (locked), `claim` is its copy


def plan_item(item, lookups: Lookups, today: date) -> Plan:
    """What storing `item` would do, or ApplicationError with every reason it is refused."""
    if not isinstance(item, dict):
        raise ApplicationError(_("每一项必须是一个对象。"), field="non_field_errors")
    problems = Problems()
    values = clean_values(item, problems, code_day=lookups.code_day)
    if "claim_number" not in item:
        problems.add("claim_number", _("必填。"))
    policy = elevator = None
    if "policy_number" in values:
        policy = lookups.policies.get(values["policy_number"])
        if policy is None:
            problems.add(
                "policy_number", _("保单号 %(number)s 不存在。") % {"number": values["policy_number"]}
            )
    if "equipment_code" in values:
        elevator = lookups.elevators.get(values["equipment_code"])
        if elevator is None:
            problems.add(
                "equipment_code",
                _("设备代码 %(code)s 未在电梯台账中登记。") % {"code": values["equipment_code"]},
            )
    problems.raise_if_any()
    existing = lookups.claims.get(values["claim_number"])
    if existing is None:
        return _plan_create(values, policy=policy, elevator=elevator, lookups=lookups, today=today)
    return _plan_update(existing, values, policy=policy, elevator=elevator, lookups=lookups, today=today)


def _plan_create(values: dict, *, policy, elevator, lookups: Lookups, today: date) -> Plan:
    problems = Problems()
    for name in REQUIRED_ON_CREATE:
        if name not in values:
            problems.add(name, _("新建理赔时必填。"))
    problems.raise_if_any()
    given = values.get("payments")  # None: not sent; [] is "no payments", and amount_paid must be 0
    payments = given or []
    if given is not None and "amount_paid" not in values:
        values["amount_paid"] = sum((p["amount"] for p in payments), Decimal("0.00"))
    claim = _new_claim(
        {
            **{name: values[name] for name in SCALAR_FIELDS if name in values},
            "insurer_id": lookups.insurer.pk,
            "claim_number": values["claim_number"],
            "policy_id": policy.pk,
            "elevator_id": elevator.pk,
        }
    )
    # The related rows as the descriptors would cache them, without their per-assignment checks
    # (database routers, instance types): a batch builds a thousand claims.
    for name, related in (("insurer", lookups.insurer), ("policy", policy), ("elevator", elevator)):
        RELATIONS[name].set_cached_value(claim, related)
    _check(claim, given, lookups=lookups, today=today, problems=problems, cover=True, item=True)
    problems.raise_if_any()
    on = getattr(claim, STATUS_DATE_FIELD[claim.status])
    return Plan(claim=claim, outcome=CREATED, transition=("", claim.status, on), payments=payments)


def _plan_update(existing: Claim, values: dict, *, policy, elevator, lookups: Lookups, today: date) -> Plan:
    claim = copy.copy(existing)
    changed = []
    for name, new in (("policy", policy), ("elevator", elevator)):
        if new is not None and new.pk != getattr(existing, f"{name}_id"):
            setattr(claim, name, new)
            changed.append(name)
    payments = given = values.get("payments")
    if payments is not None and "amount_paid" not in values:
        values["amount_paid"] = sum((p["amount"] for p in payments), Decimal("0.00"))
    for name in SCALAR_FIELDS:
        if name in values and values[name] != getattr(existing, name):
            setattr(claim, name, values[name])
            changed.append(name)
    current = list(existing.payments.all())
    if payments is not None and sorted(map(payment_key, payments)) == sorted(map(payment_key, current)):
        payments = None
    if not changed and payments is None:
        return Plan(claim=existing, outcome=UNCHANGED)
    problems = Problems()
    if "status" in changed and not existing.can_transition_to(claim.status):
        problems.add(
            "status",
            _("理赔 %(number)s 当前状态为“%(current)s”，不能变更为“%(new)s”。")
            % {
                "number": existing.claim_number,
                "current": existing.get_status_display(),
                "new": claim.get_status_display(),
            },
        )
    _check(
        claim,
        # the payments sent, else those stored (a claim without payment records has none to match)
        given if given is not None else (current or None),
        lookups=lookups,
        today=today,
        problems=problems,
        cover=bool({"policy", "elevator", "incident_at"} & set(changed)),
        item=bool({"policy", "coverage_item"} & set(changed)),
    )
    problems.raise_if_any()
    transition = None
    if "status" in changed:
        transition = (existing.status, claim.status, getattr(claim, STATUS_DATE_FIELD[claim.status]))
    return Plan(
        claim=claim,
        outcome=UPDATED,
        changed=changed,
        transition=transition,
        payments=payments,
        stored=existing,
    )


def _check(
    claim: Claim, payments, *, lookups: Lookups, today: date, problems: Problems, cover: bool, item: bool
):
    """The rules on a claim as it would be stored (see the module docstring). `payments` are the
    claim's payments to check amount_paid against, or None when there are none to check."""
    day = incident_day(claim.incident_at)
    policy = claim.policy
    if cover:
        _check_cover(claim, day=day, today=today, lookups=lookups, problems=problems)
    if item and claim.coverage_item not in lookups.coverage_items(policy.product_version_id):
        offered = sorted(lookups.coverage_items(policy.product_version_id), key=CoverageItem.values.index)
        problems.add(
            "coverage_item",
            _("保单 %(policy)s 的产品不承保“%(item)s”，可选：%(offered)s。")
            % {
                "policy": policy.number,
                "item": claim.get_coverage_item_display(),
                "offered": "、".join(str(CoverageItem(i).label) for i in offered) or _("无"),
            },
        )
    status_field = STATUS_DATE_FIELD[claim.status]
    if getattr(claim, status_field) is None:
        problems.add(
            status_field,
            _("状态为“%(status)s”时必须填写%(field)s。")
            % {
                "status": claim.get_status_display(),
                "field": Claim._meta.get_field(status_field).verbose_name,
            },
        )
    if claim.reported_on and claim.reported_on < day:
        problems.add("reported_on", _("报案日期不能早于出险日期（%(day)s）。") % {"day": day.isoformat()})
    for name in DATE_FIELDS:
        value = getattr(claim, name)
        if value is None:
            continue
        if value > today:
            problems.add(name, _("不能晚于今天（%(today)s）。") % {"today": today.isoformat()})
        elif name != "reported_on" and claim.reported_on and value < claim.reported_on:
            problems.add(name, _("不能早于报案日期（%(day)s）。") % {"day": claim.reported_on.isoformat()})
    if claim.kind == Claim.Kind.DEATH and claim.people_dead < 1:
        problems.add("people_dead", _("事故类型为死亡时，死亡人数至少为1。"))
    if claim.status == ClaimStatus.PAID and claim.amount_paid <= 0:
        problems.add("amount_paid", _("状态为已赔付时，已赔金额必须大于0。"))
    if payments is not None:  # no payments at all is a sum too: zero
        total = sum((payment_key(p)[1] for p in payments), Decimal("0.00"))
        if total != claim.amount_paid:
            problems.add(
                "amount_paid",
                _("已赔金额 %(paid)s 元与各笔支付合计 %(total)s 元不符。")
                % {"paid": claim.amount_paid, "total": total},
            )


def _check_cover(claim: Claim, *, day: date, today: date, lookups: Lookups, problems: Problems) -> None:
    policy, code = claim.policy, claim.elevator.equipment_code
    if day > today:
        problems.add("incident_at", _("出险时间不能晚于今天。"))
        return
    cover = lookups.cover(policy.pk, claim.elevator_id)
    if cover is None:
        problems.add(
            "equipment_code",
            _("电梯 %(code)s 不在保单 %(policy)s 的承保范围内。") % {"code": code, "policy": policy.number},
        )
    elif cover.is_in_force_on(day):
        return
    elif not (policy.cancelled_on and (cover.is_cancelled or day >= policy.cancelled_on)):
        problems.add(
            "incident_at",
            _("出险日期 %(day)s 不在保单 %(policy)s 的保险期间（%(start)s 至 %(end)s）内。")
            % {
                "day": day.isoformat(),
                "policy": policy.number,
                "start": cover.start_date.isoformat(),
                "end": cover.end_date.isoformat(),
            },
        )
    else:  # the cover ended (or never began) because the policy was cancelled
        problems.add(
            "policy_number",
            _("保单 %(policy)s 对电梯 %(code)s 的保障已于 %(on)s 退保终止，出险日期 %(day)s 不在保障期内。")
            % {
                "policy": policy.number,
                "code": code,
                "on": policy.cancelled_on.isoformat(),
                "day": day.isoformat(),
            },
        )
