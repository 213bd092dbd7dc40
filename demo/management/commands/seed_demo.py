"""`manage.py seed_demo [--elevators N] [--seed S]`: the deterministic Xiangyang demo dataset."""

import random
import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from core.audit import acting_as
from demo.accounts import DEMO_PASSWORD, demo_logins

# The demo is built by one step per app, in this order (a later step uses the earlier ones' data):
# (label, key, path of the step's build function). A step is `build(*, rng, options, stdout)`; it
# must be idempotent. Each step draws from its own generator, seeded from --seed and the step's
# key, so a change in one step leaves the others' data as it was. The registry step honours
# --elevators.
DEMO_STEPS = [
    ("机构与用户", "accounts", "demo.accounts.build"),
    ("电梯登记簿", "registry", "demo.registry.build"),
    ("保险产品、保单与理赔", "insurance", "demo.insurance.build"),
    ("维保记录、保险服务、隐患与救援", "maintenance", "demo.maintenance.build"),
    ("月度冻结数据与报表", "reporting", "demo.reporting.build"),
]


def step_rng(*, seed: int, key: str) -> random.Random:
    """The generator of one step (bench/seed_scale.py runs the registry step with the same one)."""
    return random.Random(f"{seed}:{key}")


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


class Command(BaseCommand):
    help = "生成襄阳市演示数据（可重复运行，不会重复创建），并列出各角色的演示账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--elevators",
            type=int,
            default=3000,
            metavar="N",
            help=(
                "生成的电梯台数（默认 3000；0 表示不生成电梯；可达百万台，用于压力测试；"
                "维保、服务、隐患与救援数据最多为前 5000 台生成）"
            ),
        )
        parser.add_argument("--seed", type=int, default=2021, metavar="S", help="随机种子（默认 2021）")
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            metavar="M",
            help="冻结最近 M 个月的月度数据（默认 12；电梯达 10 万台起默认 0，因每月需计算全部口径）",
        )
        parser.add_argument(
            "--skip",
            action="append",
            default=[],
            choices=[key for _label, key, _path in DEMO_STEPS if key not in ("accounts", "registry")],
            metavar="STEP",
            help="跳过某一步（可重复）：insurance、maintenance 或 reporting；后面的步骤照常运行",
        )

    def handle(self, *args, **options):
        if options["elevators"] < 0:
            raise CommandError("--elevators 不能为负数。")
        if options["months"] is not None and options["months"] < 0:
            raise CommandError("--months 不能为负数。")
        step_options = {key: options[key] for key in ("elevators", "seed", "months")}
        self.stdout.write(f"正在生成襄阳市演示数据（随机种子 {options['seed']}）……")
        with acting_as("command:seed_demo"), transaction.atomic():
            for label, key, path in DEMO_STEPS:
                if key in options["skip"]:
                    self.stdout.write(f"· {label}：跳过")
                    continue
                self.stdout.write(f"· {label}")
                started = time.perf_counter()
                build = import_string(path)
                build(rng=step_rng(seed=options["seed"], key=key), options=step_options, stdout=self.stdout)
                self.stdout.write(f"  （{label}用时 {time.perf_counter() - started:.1f} 秒）")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.write_logins()

    def write_logins(self):
        logins = demo_logins()
        header = ("用户名", "角色", "机构")
        rows = [(login.username, login.role, login.organisation) for login in logins]
        widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(2)]
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"演示账号（{len(logins)} 个，密码均为 {DEMO_PASSWORD}）")
        )
        self.stdout.write(f"  {pad(header[0], widths[0])}  {pad(header[1], widths[1])}  {header[2]}")
        for username, role, organisation in rows:
            self.stdout.write(f"  {pad(username, widths[0])}  {pad(role, widths[1])}  {organisation}")
        self.stdout.write(
            f"密码：{DEMO_PASSWORD}（重复运行不会重置已修改的密码；仅供演示，切勿用于生产环境）"
        )
