"""`manage.py import_policies FILE [--dry-run] [--report errors.xlsx]`: import a policy list (保单清单)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.principal import SYSTEM
from core.audit import acting_as
from core.exceptions import ApplicationError
from insurance.importing import policy_list_import


class Command(BaseCommand):
    help = (
        "导入保单清单（.xlsx 或 .csv，每行一台承保电梯，保单号相同的行为同一份保单）；"
        "保险机构取自“保险机构”列。全部成功才写入，--dry-run 只检查。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--report", type=Path, help="把被拒绝的行写入此 .xlsx 文件（原行 + 错误原因）")

    def handle(self, *args, file: Path, dry_run: bool, report: Path | None, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            with acting_as("command:import_policies", file=file.name), file.open("rb") as source:
                result = policy_list_import(source=source, filename=file.name, user=SYSTEM, dry_run=dry_run)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        s = result.summary()
        self.stdout.write(
            f"{'预检' if dry_run else '导入'}：共 {s['rows']} 行；新增保单 {s['created']} 份"
            f"（{s['elevators']} 台电梯，保费 {s['premium']} 元），已登记无变化 {s['unchanged']} 份，"
            f"拒绝 {s['refused']} 行。"
        )
        for earlier, later, code in result.duplicates:
            self.stdout.write(
                f"  第{earlier}行与第{later}行是同一保单的同一电梯（{code}），以第{later}行为准。"
            )
        for problem in result.problems:
            self.stdout.write(f"  第{problem.row}行【{problem.column}】{problem.reason}")
        if report and result.refused_rows:
            report.write_bytes(result.error_report())
            self.stdout.write(f"错误报告已写入 {report}")
        if result.refused_rows:
            raise CommandError("有被拒绝的行，未写入任何数据。" if not dry_run else "预检发现错误。")
        self.stdout.write(self.style.SUCCESS("预检通过，未写入。" if dry_run else "导入完成。"))
