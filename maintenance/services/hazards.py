"""Hazards (隐患): reported by insurers, maintenance companies and regulators, rectified by those who
look after the elevator, verified and closed by the regulator (../reference: GB 45067-2024).

- `hazard_report` creates or updates the reporter's hazard with its own number (idempotent: the
  same content again writes nothing). Only insurers, maintenance companies and the city and
  district regulators report, and only about elevators they see.
- A serious hazard is reported to the city regulator and the elevator's district regulator at once
  (in-app and e-mail), exactly once: after the report commits a Celery task claims
  `regulators_notified_at` with a conditional UPDATE (only the first claim changes a row) and only
  the claimer sends. A general hazard later upgraded to serious is reported the same way, once.
- `hazard_rectify` (the reporter, the elevator's maintenance company or user unit) and
  `hazard_close` (the city regulator or the elevator's district regulator: close a rectified hazard,
  or send it back to rectifying) follow HAZARD_TRANSITIONS; each step is a HazardStep with who and when.
- The notices themselves (the serious-hazard notice, the daily escalation of hazards past their
  deadline once per level) are in maintenance.services.hazard_notices.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, OrganisationKind, User
from core.api.bulk import CREATED, UNCHANGED, UPDATED, BulkItemResult, refused
from core.audit import log_bulk
from core.exceptions import ApplicationError, full_clean_or_refuse
from core.rules import ObjectRule
from core.text import normalise_code
from core.visibility import organisation_of
from elevators.models import Elevator

from ..models import Hazard, HazardSeverity, HazardSource, HazardStatus, HazardStep
from ..tasks import notify_regulators_of_hazard

K = OrganisationKind
HAZARDS_BATCH_MAX = 1000
# Who may report, and how they found it when the report does not say.
FOUND_BY_OF_REPORTER = {
    K.INSURER: HazardSource.SERVICE,
    K.MAINTENANCE_COMPANY: HazardSource.MAINTENANCE,
    K.CITY_REGULATOR: HazardSource.INSPECTION,
    K.DISTRICT_REGULATOR: HazardSource.INSPECTION,
}
# The fields a report sets; sending them again unchanged writes nothing.
REPORTED_FIELDS = ("found_on", "found_by", "severity", "criterion", "description", "deadline")


# Who may report hazards, as every door into them refuses the others.
REPORTER_REFUSAL = gettext_lazy("只有保险机构、维保单位和市场监管部门可以报告隐患。")


def hazard_reporter_of(user) -> Organisation | None:
    """The organisation `user` reports hazards for, or None when its kind may not report."""
    org = organisation_of(user)
    return org if org is not None and org.is_active and org.kind in FOUND_BY_OF_REPORTER else None


def _reporter(user) -> Organisation:
    reporter = hazard_reporter_of(user)
    if reporter is None:
        raise PermissionDenied(REPORTER_REFUSAL)
    return reporter


def _acting_user(user) -> User | None:
    """The person behind a step, or None for an API key or another principal."""
    return user if isinstance(user, User) else None


def _step(hazard: Hazard, status: str, user, organisation: Organisation, note: str = "") -> HazardStep:
    return HazardStep(
        hazard=hazard,
        status=status,
        at=timezone.now(),
        by_organisation=organisation,
        by_user=_acting_user(user),
        note=note,
    )


# --- reporting ---------------------------------------------------------------------------------


def _check_content(data: dict, today: date) -> None:
    severity, criterion = data.get("severity"), data.get("criterion") or ""
    if severity == HazardSeverity.SERIOUS and not criterion:
        raise ApplicationError(_("重大隐患须注明判定依据（GB 45067-2024）。"), field="criterion")
    if severity == HazardSeverity.GENERAL and criterion:
        raise ApplicationError(_("一般隐患不填写重大隐患判定依据。"), field="criterion")
    if data["found_on"] > today:
        raise ApplicationError(_("发现日期不能晚于今天。"), field="found_on")


def _plan(reporter: Organisation, elevator: Elevator | None, existing: Hazard | None, data: dict, today):
    """The hazard as the report leaves it and the outcome (nothing written yet)."""
    if elevator is None:
        raise ApplicationError(
            _("未找到设备代码为 %(code)s 的电梯，或您无权查看。") % {"code": data["equipment_code"]},
            field="equipment_code",
        )
    _check_content(data, today)
    values = {
        "found_on": data["found_on"],
        "found_by": data.get("found_by") or FOUND_BY_OF_REPORTER[reporter.kind],
        "severity": data["severity"],
        "criterion": data.get("criterion") or "",
        "description": data["description"].strip(),
        "deadline": data.get("deadline"),
    }
    if existing is None:
        # Where it was found, when another service of this app opens it (never from the API).
        found_in = {key: data[key] for key in ("maintenance_record", "service", "rescue") if data.get(key)}
        hazard = Hazard(
            reporter=reporter, hazard_number=data["hazard_number"], elevator=elevator, **values, **found_in
        )
        if found_in and values["deadline"] is None and values["severity"] == HazardSeverity.GENERAL:
            # Opened by a service from a row it has just saved (a record's abnormal item): general,
            # without criterion (_check_content) or deadline, it meets both check constraints; the
            # key's uniqueness is the database's (the batch then falls back to one report at a
            # time). Checking the link and the constraints was seven queries a hazard.
            full_clean_or_refuse(
                hazard, exclude=["reporter", "elevator", *found_in], validate_constraints=False
            )
        else:
            full_clean_or_refuse(hazard, exclude=["reporter", "elevator"])
        return hazard, CREATED
    if existing.elevator_id != elevator.pk:
        raise ApplicationError(
            _("隐患编号 %(number)s 已用于另一台电梯。") % {"number": existing.hazard_number},
            field="equipment_code",
        )
    if all(getattr(existing, name) == value for name, value in values.items()):
        return existing, UNCHANGED
    if existing.status == HazardStatus.CLOSED:
        raise ApplicationError(
            _("隐患 %(number)s 已核销，不能再修改。") % {"number": existing.hazard_number},
            field="hazard_number",
        )
    for name, value in values.items():
        setattr(existing, name, value)
    full_clean_or_refuse(existing, exclude=["reporter", "elevator"])
    return existing, UPDATED


def _notify_after_commit(hazard: Hazard) -> None:
    if hazard.is_serious and hazard.regulators_notified_at is None:
        transaction.on_commit(lambda: notify_regulators_of_hazard.delay(hazard.pk))


def _elevators_by_code(user, codes) -> dict[str, Elevator]:
    elevators = Elevator.objects.visible_to(user).filter(equipment_code__in=set(codes))
    return {elevator.equipment_code: elevator for elevator in elevators}


def _existing(reporter: Organisation, numbers) -> dict[str, Hazard]:
    """The reporter's hazards with these numbers, locked in pk order (one order for every writer)."""
    rows = (
        Hazard.objects.select_for_update()
        .filter(reporter=reporter, hazard_number__in=set(numbers))
        .order_by("pk")
    )
    return {hazard.hazard_number: hazard for hazard in rows}


def _write(hazard: Hazard, outcome: str, user, reporter: Organisation) -> None:
    if outcome == UNCHANGED:
        return
    hazard.save()
    if outcome == CREATED:
        _step(hazard, HazardStatus.OPEN, user, reporter).save()
    _notify_after_commit(hazard)


def _normalised(data: dict) -> dict:
    return {
        **data,
        "hazard_number": str(data["hazard_number"]).strip(),
        "equipment_code": normalise_code(data["equipment_code"]),
    }


def hazard_report(
    *, user, data: dict, today: date | None = None, _retried: bool = False
) -> tuple[Hazard, str]:
    """Create or update the caller's hazard `data["hazard_number"]`; returns (hazard, outcome).

    `data` holds hazard_number, equipment_code (an elevator the caller sees), found_on, severity,
    description, criterion (required when serious, absent when general), and optionally found_by
    (default from the reporter's kind) and deadline. Outcome is created, updated or unchanged
    (nothing written). A closed hazard cannot change. A serious hazard is reported to the
    regulators after commit, once.
    """
    reporter = _reporter(user)
    today = today or timezone.localdate()
    data = _normalised(data)
    with transaction.atomic():
        elevator = _elevators_by_code(user, [data["equipment_code"]]).get(data["equipment_code"])
        existing = _existing(reporter, [data["hazard_number"]]).get(data["hazard_number"])
        hazard, outcome = _plan(reporter, elevator, existing, data, today)
        try:
            with transaction.atomic():
                _write(hazard, outcome, user, reporter)
        except IntegrityError:
            if _retried:
                raise
            # A concurrent report took the number since we looked: it is an update of that one now.
            return hazard_report(user=user, data=data, today=today, _retried=True)
    return hazard, outcome


def hazards_bulk_report(*, user, items: list[dict], today: date | None = None) -> list[BulkItemResult]:
    """hazard_report for up to HAZARDS_BATCH_MAX items at once; one result per item, in order.

    The elevators and the reporter's existing hazards are read once for the batch (locked in pk
    order); updates go through save() as single reports do; new hazards and their first steps are
    inserted with one bulk_create each, audited with core.audit.log_bulk. A refused item writes
    nothing and does not stop the others. A number repeated in the batch is checked against the
    earlier item, as a second report would be. If a concurrent batch took one of the new numbers,
    the new hazards go one by one through hazard_report.
    """
    reporter = _reporter(user)
    today = today or timezone.localdate()
    items = [_normalised(item) for item in items]
    results: list[tuple[BulkItemResult, Hazard | None]] = []
    with transaction.atomic():
        elevators = _elevators_by_code(user, [item["equipment_code"] for item in items])
        existing = _existing(reporter, [item["hazard_number"] for item in items])
        new: dict[str, tuple[Hazard, dict]] = {}
        for item in items:
            number = item["hazard_number"]
            try:
                hazard, outcome = _plan(
                    reporter, elevators.get(item["equipment_code"]), existing.get(number), item, today
                )
            except ApplicationError as exc:
                results.append((refused(exc), None))
                continue
            if outcome == CREATED or number in new:
                new[number] = (hazard, item)  # inserted below with its latest content
                existing[number] = hazard
            elif outcome == UPDATED:
                hazard.save()
                _notify_after_commit(hazard)
            results.append((BulkItemResult(outcome), hazard))
        if new:
            _insert_new(user, reporter, new, today)
    for result, hazard in results:
        result.id = hazard.pk if hazard is not None else None
    return [result for result, _hazard in results]


def _insert_new(user, reporter: Organisation, new: dict[str, tuple[Hazard, dict]], today: date) -> None:
    hazards = [hazard for hazard, _item in new.values()]
    try:
        with transaction.atomic():
            Hazard.objects.bulk_create(hazards)
            steps = [_step(hazard, HazardStatus.OPEN, user, reporter) for hazard in hazards]
            HazardStep.objects.bulk_create(steps)
            log_bulk(created=[*hazards, *steps])
    except IntegrityError:
        for hazard, item in new.values():
            hazard.pk = hazard_report(user=user, data=item, today=today)[0].pk
        return
    for hazard in hazards:
        _notify_after_commit(hazard)


# --- rectification and closing ----------------------------------------------------------------


def _locked(hazard: Hazard) -> Hazard:
    return Hazard.objects.select_for_update().select_related("elevator").order_by("pk").get(pk=hazard.pk)


def _transition_refusal(hazard: Hazard, status: str) -> ApplicationError:
    return ApplicationError(
        _("隐患 %(number)s 当前为“%(current)s”，不能变为“%(target)s”。")
        % {
            "number": hazard.hazard_number,
            "current": hazard.get_status_display(),
            "target": HazardStatus(status).label,
        },
        field="status",
    )


def may_rectify(user, hazard: Hazard) -> bool:
    """The reporter, the elevator's maintenance company or its user unit."""
    org = organisation_of(user)
    return org is not None and org.pk in {
        hazard.reporter_id,
        hazard.elevator.maintenance_company_id,
        hazard.elevator.user_unit_id,
    }


def may_verify(user, hazard: Hazard) -> bool:
    """The city regulator, or the district regulator of the elevator's district."""
    org = organisation_of(user)
    if org is None or not org.is_active:
        return False
    return org.kind == K.CITY_REGULATOR or (
        org.kind == K.DISTRICT_REGULATOR and org.district_id == hazard.elevator.district_id
    )


RECTIFY_HAZARD = ObjectRule(may_rectify, gettext_lazy("只有报告单位、电梯的维保单位或使用单位可以登记整改。"))
VERIFY_HAZARD = ObjectRule(may_verify, gettext_lazy("只有市级或电梯所在区县的市场监管部门可以核销隐患。"))


def _move(hazard: Hazard, status: str, user, note: str, **fields) -> Hazard:
    if not hazard.can_transition_to(status):
        raise _transition_refusal(hazard, status)
    hazard.status = status
    for name, value in fields.items():
        setattr(hazard, name, value)
    hazard.save(update_fields=["status", "updated_at", *fields])
    _step(hazard, status, user, organisation_of(user), note).save()
    return hazard


@transaction.atomic
def hazard_rectify(*, user, hazard: Hazard, status: str, rectification: str = "") -> Hazard:
    """Record rectification: `rectifying` (work begun) or `rectified` (done; say what was done).

    By the reporter, the elevator's maintenance company or its user unit (PermissionDenied
    otherwise); the status must follow HAZARD_TRANSITIONS (ApplicationError otherwise).
    """
    hazard = _locked(hazard)
    RECTIFY_HAZARD.require(user, hazard)
    if status not in (HazardStatus.RECTIFYING, HazardStatus.RECTIFIED):
        raise ApplicationError(_("整改状态只能是“整改中”或“已整改”。"), field="status")
    rectification = rectification.strip()
    if status == HazardStatus.RECTIFIED and not rectification:
        raise ApplicationError(_("请说明整改了什么。"), field="rectification")
    fields = {"rectification": rectification} if rectification else {}
    return _move(hazard, status, user, rectification, **fields)


@transaction.atomic
def hazard_close(*, user, hazard: Hazard, send_back: bool = False, note: str = "") -> Hazard:
    """The regulator verifies a rectified hazard: closes it, or sends it back to rectifying.

    Only the city regulator or the elevator's district regulator (PermissionDenied otherwise), and
    only from `rectified` (ApplicationError naming the current status otherwise). Sending back
    needs a note saying why.
    """
    hazard = _locked(hazard)
    VERIFY_HAZARD.require(user, hazard)
    if hazard.status != HazardStatus.RECTIFIED:
        raise ApplicationError(
            _("隐患 %(number)s 当前为“%(current)s”，须整改完成后才能核销或退回。")
            % {"number": hazard.hazard_number, "current": hazard.get_status_display()},
            field="status",
        )
    note = note.strip()
    if send_back and not note:
        raise ApplicationError(_("退回整改时请说明原因。"), field="note")
    return _move(hazard, HazardStatus.RECTIFYING if send_back else HazardStatus.CLOSED, user, note)
