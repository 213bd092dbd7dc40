"""The reporting step of `manage.py seed_demo`: the plan's targets and frozen months for the last
twelve months, so the dashboards' trend and the reports page have a history on the first run.

Every month is frozen by `month_freeze` from the demo's own registry and policies (the policies
started over the past year, so coverage rises month by month towards today's figure); the older
months are approved and published by the city regulator's services, the month just ended is left
approved, waiting for publication. The last published month's eight reports are built after the
seed commits. Idempotent: a month already frozen keeps its figures.

At benchmark scale (from demo.registry.BULK_THRESHOLD elevators on) no month is frozen unless
`--months` asks: freezing computes every reader's coverage in every grouping, minutes a month at
a million elevators, and a stress-test registry needs no history. `manage.py freeze_month`
freezes any month later, and the monthly schedule freezes each month as it ends.
"""

import random
from datetime import date
from decimal import Decimal

from django.utils import timezone

from core.principal import SYSTEM
from reporting.models import MonthStatus
from reporting.months import previous_month
from reporting.services import month_approve, month_freeze, month_publish, target_set

MONTHS = 12
# The plan (襄市监发〔2021〕29号, clause 三): 60% by 2021-06-30; the demo keeps that target for today.
TARGETS = [(date(2021, 6, 30), Decimal("0.60"))]


def months_back(today: date, count: int) -> list[date]:
    """The first days of the `count` months before today's, oldest first."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        month = previous_month(month)
        months.append(month)
    return months[::-1]


def months_wanted(options: dict) -> int:
    """How many past months to freeze: --months, else MONTHS below benchmark scale and none at it."""
    from demo.registry import BULK_THRESHOLD

    if options.get("months") is not None:
        return options["months"]
    return MONTHS if options.get("elevators", 0) < BULK_THRESHOLD else 0


def build(*, rng: random.Random, options: dict, stdout) -> None:
    today = timezone.localdate()
    for due_on, rate in [*TARGETS, (date(today.year, 12, 31), Decimal("0.60"))]:
        target_set(user=SYSTEM, due_on=due_on, rate=rate)
    months = months_back(today, months_wanted(options))
    if not months:
        stdout.write(
            "  未冻结历史月份（大规模演示默认不冻结；需要时加 --months 12，"
            "或之后运行 manage.py freeze_month --month YYYY-MM --publish）。"
        )
    for month in months:
        frozen, computed = month_freeze(user=SYSTEM, month=month)
        if frozen.status == MonthStatus.DRAFT:
            frozen = month_approve(user=SYSTEM, frozen_month=frozen)
        if month != months[-1] and frozen.status == MonthStatus.APPROVED:
            # the reports of the last published month are built (after the seed commits); the
            # older months' would only fill the reports page with history nobody asked for
            frozen = month_publish(user=SYSTEM, frozen_month=frozen, reports=month == months[-2])
        if computed:
            total = frozen.figures.get(scope="city", by="")
            rate = total.rate
            stdout.write(
                f"  {frozen.label}：应投保 {total.in_scope} 台，已投保 {total.insured} 台，"
                f"投保率 {rate:.1%}（{frozen.get_status_display()}）"
                if rate is not None
                else f"  {frozen.label}"
            )
