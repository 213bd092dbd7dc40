"""The insurance+maintenance services (plan 四(四)): every kind, by the insurer of the policy, on
the elevators it covers and on days it covers them (as service_records_bulk_upsert requires)."""

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Organisation
from insurance.models import InsuranceModel, PolicyElevator
from maintenance.models import AssessmentConclusion, ServiceKind
from maintenance.services.service_records import SERVICES_BATCH_MAX, service_records_bulk_upsert

from .actors import DemoElevator, check_results

K = ServiceKind
YEAR = timedelta(days=365)
QUARTER_DAYS = 91
ASSESSMENT_SHARE, SERIOUS_REPORT_SHARE, THREE_NO_SHARE = 0.1, 0.02, 0.05
ASSESSMENTS = [("A", AssessmentConclusion.KEEP_USING), ("B", AssessmentConclusion.KEEP_USING),
               ("C", AssessmentConclusion.REPAIR), ("D", AssessmentConclusion.MODERNISE)]  # fmt: skip


def _covers(elevators: list[DemoElevator]) -> dict[tuple, list[DemoElevator]]:
    """The sample's insurance+maintenance covers by (insurer, policy number, start, end)."""
    by_pk = {e.pk: e for e in elevators}
    if not by_pk:
        return {}
    rows = (
        PolicyElevator.objects.filter(
            model=InsuranceModel.INSURANCE_MAINTENANCE, is_cancelled=False, elevator_id__lte=max(by_pk)
        )
        .order_by("policy__number", "elevator_id")
        .values_list("policy__insurer_id", "policy__number", "start_date", "end_date", "elevator_id")
    )
    policies = defaultdict(list)
    for insurer, number, start, end, elevator_id in rows:
        if elevator_id in by_pk:
            policies[(insurer, number, start, end)].append(by_pk[elevator_id])
    return policies


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _policy_services(rng: random.Random, *, first: date, last: date, elevators: list[DemoElevator]):
    """(kind, day, elevators, kind's fields) of one policy's services in first..last."""
    codes = [e.code for e in elevators]
    services = []
    day = first
    while day <= last:  # each quarter: usage monitoring of all, a quality score of each maintained one
        end = min(day + timedelta(days=QUARTER_DAYS - 1), last)
        services.append((K.USAGE_MONITORING, _day(rng, day, end), codes, {}))
        for elevator in elevators:
            if elevator.company_id is not None:
                score = {"quality_score": rng.randrange(62, 99)}
                services.append((K.MAINTENANCE_QUALITY, _day(rng, day, end), [elevator.code], score))
        if rng.random() < 0.5:
            services.append((K.RISK_CONTROL, _day(rng, day, end), codes, {}))
        day += timedelta(days=QUARTER_DAYS)
    services.append((K.RESCUE_DRILL, _day(rng, first, last), codes, {"attendance": rng.randrange(8, 31)}))
    services.append((K.TRAINING, _day(rng, first, last), codes, {"attendance": rng.randrange(10, 41)}))
    for elevator in elevators:
        if rng.random() < ASSESSMENT_SHARE:
            grade, conclusion = rng.choice(ASSESSMENTS)
            fields = {"assessment_grade": grade, "assessment_conclusion": conclusion}
            services.append((K.OLD_ELEVATOR_ASSESSMENT, _day(rng, first, last), [elevator.code], fields))
        if rng.random() < SERIOUS_REPORT_SHARE:
            services.append((K.SERIOUS_HAZARD_REPORT, _day(rng, first, last), [elevator.code], {}))
    if rng.random() < THREE_NO_SHARE:
        fields = {
            "amount": Decimal(rng.randrange(20, 200) * 100),
            "repayer": "使用单位",
            "repaid": rng.random() < 0.5,
        }
        services.append((K.THREE_NO_RECTIFICATION, _day(rng, first, last), codes, fields))
    return services


FINDINGS = {
    K.USAGE_MONITORING: "运行状态正常，未见异常停梯",
    K.MAINTENANCE_QUALITY: "抽查维保记录与现场作业",
    K.RISK_CONTROL: "排查门系统、制动器及安全回路",
    K.OLD_ELEVATOR_ASSESSMENT: "依据 GB/T 42615-2023 开展在用电梯安全评估",
    K.THREE_NO_RECTIFICATION: "垫付资金整治“三无”电梯隐患",
    K.SERIOUS_HAZARD_REPORT: "发现重大隐患，已报告监管部门",
    K.RESCUE_DRILL: "困人应急救援演练",
    K.TRAINING: "电梯安全管理员培训",
}


def service_items(rng: random.Random, *, today: date, elevators: list[DemoElevator]) -> dict[int, list[dict]]:
    """The services under every insurance+maintenance policy of the sample, by insurer."""
    items: dict[int, list[dict]] = defaultdict(list)
    for (insurer, number, start, end), covered in _covers(elevators).items():
        first, last = max(start, today - YEAR), min(end, today)
        if first > last:
            continue
        for kind, day, codes, fields in _policy_services(rng, first=first, last=last, elevators=covered):
            items[insurer].append(
                {
                    "service_number": f"FW{day:%Y%m%d}{len(items[insurer]) + 1:06d}",
                    "kind": kind,
                    "performed_on": day,
                    "equipment_codes": codes,
                    "policy_number": number,
                    "findings": FINDINGS[kind],
                    **fields,
                }
            )
    return items


def services_write(*, rng: random.Random, today: date, elevators: list[DemoElevator]) -> None:
    """Each insurer's services through service_records_bulk_upsert."""
    items = service_items(rng, today=today, elevators=elevators)
    insurers = Organisation.objects.in_bulk(items)
    for insurer_id, insurer_items in items.items():
        for start in range(0, len(insurer_items), SERVICES_BATCH_MAX):
            batch = insurer_items[start : start + SERVICES_BATCH_MAX]
            check_results(service_records_bulk_upsert(insurer=insurers[insurer_id], items=batch), "services")
