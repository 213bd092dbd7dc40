"""Hazards (some serious, some overdue, some rectified and closed), rescues with realistic times
(claim proposals where the product pays trapped passengers) and passenger feedback."""

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.audit import update_audited
from insurance.models import Product
from maintenance.models import FeedbackRating as R
from maintenance.models import (
    Hazard,
    HazardSeverity,
    HazardStatus,
    RescueCause,
    RescueTier,
    SeriousHazardCriterion,
)
from maintenance.services.feedback import feedback_submit
from maintenance.services.hazards import HAZARDS_BATCH_MAX, hazard_close, hazard_rectify, hazards_bulk_report
from maintenance.services.rescues import RESCUES_BATCH_MAX, rescues_bulk_upsert

from .actors import DemoElevator, Logins, at, check_results

C = SeriousHazardCriterion
HAZARD_SHARE, SERIOUS_SHARE = 0.04, 0.2
CRITERIA = {"vertical": [C.DOOR_LOCK_BYPASSED, C.GOVERNOR_SAFETY_GEAR_FAILED, C.INSPECTION_FAILED],
            "escalator": [C.EMERGENCY_STOP_MISSING, C.HANDRAIL_CLEARANCE]}  # fmt: skip
HAZARDS = ["层门门锁啮合深度不足", "制动器闸瓦磨损超标", "轿厢应急照明失效", "底坑积水", "曳引钢丝绳断丝超标"]
RESCUE_SHARE = 0.03
CAUSES = [(RescueCause.DOOR_FAULT, 40), (RescueCause.POWER_CUT, 20), (RescueCause.CONTROL_FAULT, 20),
          (RescueCause.MISUSE, 15), (RescueCause.EXTERNAL, 5)]  # fmt: skip
# The demo's trapped-passenger option (困人定额给付), on one liability product's version.
TRAPPED_PRODUCT = "CPIC-LIFT"
TRAPPED_OPTION = {
    "trapped_threshold_minutes": 30,
    "trapped_payout_per_person": Decimal("200.00"),
    "trapped_payout_per_person_over_hour": Decimal("400.00"),
}
FEEDBACK_SHARE = 0.02
RATINGS = [(R.SATISFIED, 75), (R.SO_SO, 17), (R.DISSATISFIED, 8)]
COMPLAINTS = ["电梯运行时有异响，轿厢抖动明显", "按钮经常失灵，等梯时间太长", "轿厢内照明不亮"]


def trapped_payout_ensure() -> None:
    """Give TRAPPED_PRODUCT's current version the trapped-passenger option, unless it has one.

    The policies refer to that version, so the option is set on it (audited) rather than on a
    new version no policy is under."""
    product = Product.objects.filter(code=TRAPPED_PRODUCT).first()
    version = product and product.current_version
    if version is not None and not version.has_trapped_payout:
        update_audited(type(version).objects.filter(pk=version.pk), **TRAPPED_OPTION)


def hazard_items(rng: random.Random, *, today: date, elevators: list[DemoElevator]) -> list[tuple]:
    """(reporting company, item) for the hazards found in the past half year."""
    found = []
    for elevator in elevators:
        if elevator.company_id is None or not elevator.in_use or rng.random() >= HAZARD_SHARE:
            continue
        serious = rng.random() < SERIOUS_SHARE
        found_on = today - timedelta(days=rng.randrange(180))
        item = {
            "hazard_number": f"YH{found_on:%Y%m%d}{len(found) + 1:05d}",
            "equipment_code": elevator.code,
            "found_on": found_on,
            "severity": HazardSeverity.SERIOUS if serious else HazardSeverity.GENERAL,
            "description": rng.choice(HAZARDS),
            "deadline": found_on + timedelta(days=15 if serious else 30),
        }
        if serious:
            item["criterion"] = rng.choice(CRITERIA.get(elevator.group, [C.OTHER]))
        found.append((elevator.company_id, item))
    return found


def _hazard_outcome(rng: random.Random, age: int) -> str:
    """What has become of a hazard found `age` days ago: the older, the likelier it is closed."""
    draw = rng.random()
    if age > 60:
        return (
            HazardStatus.CLOSED if draw < 0.7 else HazardStatus.RECTIFIED if draw < 0.9 else HazardStatus.OPEN
        )
    if age > 20:
        return HazardStatus.RECTIFIED if draw < 0.4 else HazardStatus.OPEN
    return HazardStatus.OPEN


def hazards_write(*, rng: random.Random, today: date, elevators: list[DemoElevator], logins: Logins) -> None:
    """Report the hazards as the elevators' maintenance companies; rectify and close the older ones
    (the city regulator verifies). The newest serious hazard stays open whatever its age."""
    found = hazard_items(rng, today=today, elevators=elevators)
    by_company: dict[int, list[dict]] = {}
    for company_id, item in found:
        by_company.setdefault(company_id, []).append(item)
    for company_id, items in by_company.items():
        user = logins.of(company_id)
        for start in range(0, len(items), HAZARDS_BATCH_MAX):
            check_results(
                hazards_bulk_report(user=user, items=items[start : start + HAZARDS_BATCH_MAX]), "hazards"
            )
    regulator = logins.city_regulator()
    for hazard in Hazard.objects.select_related("elevator").order_by("found_on", "pk"):
        outcome = _hazard_outcome(rng, (today - hazard.found_on).days)
        if outcome == HazardStatus.OPEN:
            continue
        user = logins.of(hazard.reporter_id)
        hazard = hazard_rectify(
            user=user, hazard=hazard, status=HazardStatus.RECTIFIED, rectification="已按要求整改完毕"
        )
        if outcome == HazardStatus.CLOSED and regulator is not None:
            hazard_close(user=regulator, hazard=hazard, note="现场核查，整改到位")


def rescue_item(rng: random.Random, *, today: date, number: int, elevator: DemoElevator) -> dict:
    """One rescue of the past year: most arrive within 30 minutes, a few later."""
    alarm = at(today - timedelta(days=rng.randrange(1, 365)), rng.randrange(6, 23), rng.randrange(60))
    dispatched = alarm + timedelta(minutes=rng.randrange(1, 4))
    arrive = rng.randrange(8, 29) if rng.random() < 0.9 else rng.randrange(32, 70)
    arrived = alarm + timedelta(minutes=arrive)
    released = arrived + timedelta(minutes=rng.randrange(3, 25))
    trapped = rng.choice([0, 1, 1, 1, 2, 2, 3, 4])
    return {
        "rescue_number": f"JY{timezone.localtime(alarm):%Y%m%d}{number:05d}",
        "equipment_code": elevator.code,
        "alarm_at": alarm,
        "dispatched_at": dispatched,
        "arrived_at": arrived,
        "released_at": released,
        "people_trapped": trapped,
        "people_injured": 1 if trapped and rng.random() < 0.03 else 0,
        "tier": RescueTier.MAINTENANCE_COMPANY if rng.random() < 0.9 else RescueTier.GRID_STATION,
        "cause": rng.choices([c for c, _w in CAUSES], weights=[w for _c, w in CAUSES])[0],
    }


def rescues_write(*, rng: random.Random, today: date, elevators: list[DemoElevator], logins: Logins) -> None:
    """Rescues recorded by the elevators' maintenance companies (rescues_bulk_upsert proposes the
    claims long trappings call for)."""
    by_company: dict[int, list[dict]] = {}
    count = 0
    for elevator in elevators:
        if elevator.company_id is None or not elevator.in_use or rng.random() >= RESCUE_SHARE:
            continue
        count += 1
        by_company.setdefault(elevator.company_id, []).append(
            rescue_item(rng, today=today, number=count, elevator=elevator)
        )
    for company_id, items in by_company.items():
        user = logins.of(company_id)
        for start in range(0, len(items), RESCUES_BATCH_MAX):
            check_results(
                rescues_bulk_upsert(user=user, items=items[start : start + RESCUES_BATCH_MAX]), "rescues"
            )


def feedback_write(*, rng: random.Random, elevators: list[DemoElevator]) -> None:
    """Passengers' ratings on the public card, a few with a complaint."""
    from elevators.models import Elevator

    chosen = [e.pk for e in elevators if rng.random() < FEEDBACK_SHARE]
    complaints = iter(COMPLAINTS)
    for elevator in Elevator.objects.filter(pk__in=chosen).order_by("pk") if chosen else []:
        rating = rng.choices([r for r, _w in RATINGS], weights=[w for _r, w in RATINGS])[0]
        complaint = next(complaints, "") if rating == R.DISSATISFIED else ""
        # The address only feeds the hourly throttle (never stored): one of its own per post, so
        # that seeding again within the hour is not throttled.
        feedback_submit(elevator=elevator, rating=rating, complaint=complaint, address=str(uuid.uuid4()))
