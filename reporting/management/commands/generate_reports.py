"""`manage.py generate_reports --month YYYY-MM [--department CODE]`: build a frozen month's reports
now, in this process (a re-run replaces each report)."""

from django.core.management.base import CommandError

from accounts.models import Department
from core.management.base import ServiceCommand
from core.principal import SYSTEM
from reporting.models import FrozenMonth, ReportStatus
from reporting.months import parse_month
from reporting.services import report_generate, reports_request


class Command(ServiceCommand):
    help = "生成某个已冻结月份的月度报表（默认八个部门，每部门一份 .xlsx；重新生成会替换原报表）。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份 YYYY-MM（须已冻结）")
        parser.add_argument("--department", choices=Department.values, help="只生成这个部门的报表")

    def handle(self, *args, **options):
        month = parse_month(options["month"])
        frozen = FrozenMonth.objects.filter(month=month).first()
        if frozen is None:
            raise CommandError(f"{month:%Y-%m} 尚未冻结：请先运行 freeze_month --month {month:%Y-%m}。")
        departments = [options["department"]] if options["department"] else None
        runs = reports_request(user=SYSTEM, frozen_month=frozen, departments=departments, enqueue=False)
        failed = 0
        for run in runs:
            try:
                run = report_generate(report_run_id=run.pk)
            except Exception as exc:  # one department's failure does not stop the others
                failed += 1
                self.stderr.write(f"{run.department}：生成失败（{exc}）")
                continue
            self.stdout.write(
                f"{run.department}：{run.file.name}（{run.size} 字节，SHA-256 {run.checksum[:12]}…）"
            )
        if failed:
            raise CommandError(f"{failed} 份报表生成失败。")
        done = sum(1 for run in runs if run.status != ReportStatus.FAILED)
        self.stdout.write(self.style.SUCCESS(f"{frozen.label}：已生成 {done} 份报表。"))
