"""`manage.py import_policies FILE [--dry-run] [--report errors.xlsx]`: import a policy list (保单清单)."""

from core.management.imports import ImportCommand
from insurance.importing import policy_list_import


class Command(ImportCommand):
    help = (
        "导入保单清单（.xlsx 或 .csv，每行一台承保电梯，保单号相同的行为同一份保单）；"
        "保险机构取自“保险机构”列。全部成功才写入，--dry-run 只检查。"
    )

    def run_import(self, **kwargs):
        return policy_list_import(**kwargs)

    def summary_line(self, s: dict, *, dry_run: bool) -> str:
        return (
            f"{'预检' if dry_run else '导入'}：共 {s['rows']} 行；新增保单 {s['created']} 份"
            f"（{s['elevators']} 台电梯，保费 {s['premium']} 元），已登记无变化 {s['unchanged']} 份，"
            f"拒绝 {s['refused']} 行。"
        )

    def duplicate_line(self, earlier: int, later: int, code: str) -> str:
        return f"  第{earlier}行与第{later}行是同一保单的同一电梯（{code}），以第{later}行为准。"
