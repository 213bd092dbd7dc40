"""`manage.py freeze_month --month YYYY-MM [--publish] [--reason ...]`: freeze a month by hand."""

from django.db import transaction

from core.management.base import ServiceCommand
from core.principal import SYSTEM
from reporting.models import MonthStatus
from reporting.months import parse_month
from reporting.services import month_approve, month_freeze, month_publish


class Command(ServiceCommand):
    help = (
        "冻结某月的投保数字（该月最后一天，全市、各区县、各部门的全部分组）。已冻结的月份不变，"
        "除非给出 --reason 重新冻结（记录原因和前后数字，月份回到草稿）。--publish 同时审核并发布，"
        "发布后生成各部门的月度报表。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--publish", action="store_true", help="冻结后审核并发布")
        parser.add_argument("--reason", default="", help="重新冻结的原因（已冻结的月份才需要）")

    def handle(self, *args, **options):
        month = parse_month(options["month"])
        with transaction.atomic():
            frozen, computed = month_freeze(user=SYSTEM, month=month, reason=options["reason"])
            if options["publish"] and frozen.status == MonthStatus.DRAFT:
                frozen = month_approve(user=SYSTEM, frozen_month=frozen)
            if options["publish"] and frozen.status == MonthStatus.APPROVED:
                frozen = month_publish(user=SYSTEM, frozen_month=frozen)
        verb = "已冻结" if computed else "已冻结过，未改变"
        self.stdout.write(
            self.style.SUCCESS(
                f"{frozen.label} {verb}：统计日 {frozen.on}，{frozen.figures.count()} 行数字，"
                f"状态 {frozen.get_status_display()}。"
            )
        )
