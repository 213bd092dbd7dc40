"""`manage.py import_registry FILE [--dry-run]`: import the provincial registry's elevator list."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.principal import SYSTEM
from core.audit import acting_as
from core.exceptions import ApplicationError
from elevators.importing import CATEGORY_SCHEMES, registry_import


class Command(BaseCommand):
    help = "导入省特种设备登记系统导出的电梯台账（.xlsx 或 .csv）；全部成功才写入，--dry-run 只检查。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--category-scheme",
            choices=sorted(CATEGORY_SCHEMES),
            default="2014",
            help="文件中设备品种代码所用的目录（默认 2014 版特种设备目录；legacy 为旧版省级编码）",
        )
        parser.add_argument("--report", type=Path, help="把被拒绝的行写入此 .xlsx 文件（原行 + 错误原因）")

    def handle(self, *args, file: Path, dry_run: bool, category_scheme: str, report: Path | None, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            with acting_as("command:import_registry", file=file.name), file.open("rb") as source:
                result = registry_import(
                    source=source,
                    filename=file.name,
                    user=SYSTEM,
                    dry_run=dry_run,
                    category_scheme=category_scheme,
                )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        s = result.summary()
        self.stdout.write(
            f"{'预检' if dry_run else '导入'}：共 {s['rows']} 行；新增 {s['created']} 台，更新 {s['updated']} 台，"
            f"无变化 {s['unchanged']} 台，拒绝 {s['refused']} 行；新建单位 {s['organisations_created']} 个。"
        )
        for earlier, later, code in result.duplicates:
            self.stdout.write(f"  第{earlier}行与第{later}行设备代码相同（{code}），以第{later}行为准。")
        for problem in result.problems:
            self.stdout.write(f"  第{problem.row}行【{problem.column}】{problem.reason}")
        if report and result.refused_rows:
            report.write_bytes(result.error_report())
            self.stdout.write(f"错误报告已写入 {report}")
        if result.refused_rows:
            raise CommandError("有被拒绝的行，未写入任何数据。" if not dry_run else "预检发现错误。")
        self.stdout.write(self.style.SUCCESS("预检通过，未写入。" if dry_run else "导入完成。"))
