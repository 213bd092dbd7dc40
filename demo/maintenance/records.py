"""A year of maintenance records: half-monthly visits, with the quarterly, half-yearly and yearly
ones at their intervals, by two workers with certificate numbers, scanned in at the elevator.

Most elevators are maintained on time; some stopped being visited a while ago (overdue), a few
have no record at all. A few records carry what sends a record to review (a code typed instead
of the QR scanned, a job shorter than its level's minimum, one worker only), so the review
queue has something to show.
"""

import random
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings

from maintenance.checklists import items_for
from maintenance.models import ItemResult, MaintenanceLevel, ScanMethod
from maintenance.services.records import RECORDS_BATCH_MAX, records_bulk_upsert

from .actors import DemoElevator, Logins, at, check_results

L = MaintenanceLevel
NONE_SHARE = 0.06  # elevators with no record at all
OVERDUE_SHARE = 0.08  # elevators whose visits stopped 20 to 120 days ago
STEP_DAYS = (12, 13, 14)  # between two visits: always inside the 15-day rule
# Every sixth visit is quarterly, every twelfth half-yearly, every 24th yearly (about 13 days apart).
CYCLE = 24
TYPED_SHARE, SHORT_SHARE, ONE_WORKER_SHARE = 0.02, 0.01, 0.01
ITEM_SHARE = 0.05  # records that note an adjusted checklist item
ROUTE = 30  # elevators on one two-worker team's round
SLOT_MINUTES = 115  # the longest job (yearly: 90 minutes and some) fits in a slot
WORKERS = "王建国 李志强 张伟 刘洋 陈磊 杨勇 黄军 赵鹏 吴刚 周涛 徐明 孙辉 马超 朱华 胡平 郭杰".split()
FINDINGS = ["调整厅门门锁啮合深度", "清洁曳引轮及导轨", "更换轿门门刀滚轮", "紧固控制柜接线端子"]


def _level(visit: int, phase: int) -> str:
    position = (visit + phase) % CYCLE
    if position == 0:
        return L.YEARLY
    if position % 12 == 0:
        return L.HALF_YEARLY
    if position % 6 == 0:
        return L.QUARTERLY
    return L.HALF_MONTHLY


def visit_days(rng: random.Random, *, today: date) -> list[tuple[date, str]]:
    """One elevator's visits of the past year and their levels (empty: never maintained)."""
    draw = rng.random()
    if draw < NONE_SHARE:
        return []
    last = today - timedelta(days=1)  # a visit of today would have times still to come
    if draw < NONE_SHARE + OVERDUE_SHARE:
        last = today - timedelta(days=rng.randrange(20, 121))
    day = today - timedelta(days=365 - rng.randrange(14))
    phase = rng.randrange(CYCLE)
    visits = []
    while day <= last:
        visits.append((day, _level(len(visits), phase)))
        day += timedelta(days=rng.choice(STEP_DAYS))
    return visits


def _certificate(company_id: int, team: int, member: int) -> str:
    return f"TS3{company_id:04d}{team:03d}{member}"


def _worker(team: int, member: int) -> str:
    return WORKERS[(team * 2 + member) % len(WORKERS)]


def record_items(rng: random.Random, *, today: date, elevators: list[DemoElevator]) -> dict[int, list[dict]]:
    """The records of every maintained elevator, as records_bulk_upsert items, by company."""
    visits: dict[tuple[int, date, int], list[tuple[DemoElevator, str]]] = defaultdict(list)
    routes: dict[int, int] = defaultdict(int)
    for elevator in elevators:
        if elevator.company_id is None or not elevator.in_use:
            continue
        team = routes[elevator.company_id] // ROUTE
        routes[elevator.company_id] += 1
        for day, level in visit_days(rng, today=today):
            visits[(elevator.company_id, day, team)].append((elevator, level))
    minimum = settings.TIBAO["MAINTENANCE_MIN_MINUTES"]
    items: dict[int, list[dict]] = defaultdict(list)
    for (company_id, day, team), jobs in sorted(visits.items(), key=lambda kv: kv[0]):
        # A team does its day's jobs one after another: no worker is ever in two places at once.
        for slot, (elevator, level) in enumerate(jobs):
            start = at(day, 8, 0) + timedelta(minutes=slot * SLOT_MINUTES + rng.randrange(10))
            minutes = minimum[level] + rng.randrange(5, 20)
            if rng.random() < SHORT_SHARE:
                minutes = minimum[level] - rng.randrange(8, 15)
            typed = rng.random() < TYPED_SHARE
            item = {
                "record_number": f"WB{day:%Y%m%d}{len(items[company_id]) + 1:06d}",
                "equipment_code": elevator.code,
                "performed_on": day,
                "level": level,
                "started_at": start,
                "ended_at": start + timedelta(minutes=minutes),
                "worker_name": _worker(team, 0),
                "worker_certificate": _certificate(company_id, team, 1),
                "second_worker_name": _worker(team, 1),
                "second_worker_certificate": _certificate(company_id, team, 2),
                "scan_in_at": start - timedelta(minutes=rng.randrange(1, 6)),
                "scan_in_method": ScanMethod.TYPED if typed else ScanMethod.QR,
                "scan_out_at": start + timedelta(minutes=minutes + rng.randrange(1, 6)),
                "findings": "",
            }
            if rng.random() < ONE_WORKER_SHARE:
                item["second_worker_name"] = item["second_worker_certificate"] = ""
            if rng.random() < ITEM_SHARE:
                finding = rng.choice(FINDINGS)
                checklist = items_for(elevator.group, level)
                item["findings"] = finding
                item["items"] = [
                    {"item_code": rng.choice(checklist).code, "result": ItemResult.ADJUSTED, "note": finding}
                ]
            items[company_id].append(item)
    return items


def records_write(*, rng: random.Random, today: date, elevators: list[DemoElevator], logins: Logins) -> None:
    """Each company's records through records_bulk_upsert, acting as the company's demo login."""
    for company_id, items in record_items(rng, today=today, elevators=elevators).items():
        user = logins.of(company_id)
        for start in range(0, len(items), RECORDS_BATCH_MAX):  # as many as the API takes in one call
            results = records_bulk_upsert(user=user, items=items[start : start + RECORDS_BATCH_MAX])
            check_results(results, "maintenance records")
