"""The shape every import command shares: FILE [--dry-run] [--report errors.xlsx], acting as the system."""

from pathlib import Path

from django.core.management.base import CommandError

from core.principal import SYSTEM

from .base import ServiceCommand


class ImportCommand(ServiceCommand):
    """Subclasses name the import (`run_import`), say what it did (`summary_line`) and how a
    repeated row reads (`duplicate_line`); the rest — options, attribution, report file, exit — is here.
    Options of their own that the import takes are named in `import_options`."""

    import_options: tuple[str, ...] = ()

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--report", type=Path, help="把被拒绝的行写入此 .xlsx 文件（原行 + 错误原因）")

    def run_import(self, *, source, filename: str, user, dry_run: bool, **options):
        raise NotImplementedError

    def summary_line(self, summary: dict, *, dry_run: bool) -> str:
        raise NotImplementedError

    def duplicate_line(self, earlier: int, later: int, code: str) -> str:
        return f"  第{earlier}行与第{later}行重复（{code}），以第{later}行为准。"

    def attribution(self, options: dict) -> dict:
        return {"file": options["file"].name}

    def handle(self, *args, file: Path, dry_run: bool, report: Path | None, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        with file.open("rb") as source:
            own = {name: options[name] for name in self.import_options}
            result = self.run_import(source=source, filename=file.name, user=SYSTEM, dry_run=dry_run, **own)
        self.stdout.write(self.summary_line(result.summary(), dry_run=dry_run))
        for earlier, later, code in result.duplicates:
            self.stdout.write(self.duplicate_line(earlier, later, code))
        for problem in result.problems:
            self.stdout.write(f"  第{problem.row}行【{problem.column}】{problem.reason}")
        if report and result.refused_rows:
            report.write_bytes(result.error_report())
            self.stdout.write(f"错误报告已写入 {report}")
        if result.refused_rows:
            raise CommandError("有被拒绝的行，未写入任何数据。" if not dry_run else "预检发现错误。")
        self.stdout.write(self.style.SUCCESS("预检通过，未写入。" if dry_run else "导入完成。"))
