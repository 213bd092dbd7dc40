"""`manage.py import_registry FILE [--dry-run]`: import the provincial registry's elevator list."""

from core.management.imports import ImportCommand
from elevators.importing import CATEGORY_SCHEMES, registry_import


class Command(ImportCommand):
    help = "导入省特种设备登记系统导出的电梯台账（.xlsx 或 .csv）；全部成功才写入，--dry-run 只检查。"
    import_options = ("category_scheme",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--category-scheme",
            choices=sorted(CATEGORY_SCHEMES),
            default="2014",
            help="文件中设备品种代码所用的目录（默认 2014 版特种设备目录；legacy 为旧版省级编码）",
        )

    def run_import(self, *, category_scheme: str, **kwargs):
        return registry_import(category_scheme=category_scheme, **kwargs)

    def summary_line(self, s: dict, *, dry_run: bool) -> str:
        return (
            f"{'预检' if dry_run else '导入'}：共 {s['rows']} 行；新增 {s['created']} 台，更新 {s['updated']} 台，"
            f"无变化 {s['unchanged']} 台，拒绝 {s['refused']} 行；新建单位 {s['organisations_created']} 个。"
        )

    def duplicate_line(self, earlier: int, later: int, code: str) -> str:
        return f"  第{earlier}行与第{later}行设备代码相同（{code}），以第{later}行为准。"
