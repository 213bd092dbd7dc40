"""The registry step of `manage.py seed_demo`: Xiangyang's elevators, inspections and timelines.

`--elevators N` (default 3,000) elevators spread over the twelve divisions, the place categories
and the elevator categories in plausible proportions (`data`), generated as a deterministic
stream (`generator`, from the organisations in `context`) and written by `loading`: with full
timelines (`history`) below BULK_THRESHOLD, bulk loaded with one inspection each from it on (a
million in well under a minute on PostgreSQL, bench/seed_scale.py).

Idempotent: when the registry already holds N elevators nothing is written; a larger N adds the
missing ones (the same seed's stream begins with the elevators written before). The step adds
the property managers and maintenance companies a realistic registry needs beyond the accounts
step's (hospitals, schools, malls, each division's residential managers).
"""

import random

from django.utils import timezone

from accounts.models import District, OrganisationKind
from demo.accounts import DemoOrganisation, organisation_details, organisations_ensure
from demo.bulkload import BULK_THRESHOLD  # from this many elevators on: no histories, COPY
from elevators.models import Elevator

from . import data
from .context import context_load
from .generator import RegistryStream, elevators_generate
from .history import elevator_history
from .loading import LoadResult, demo_elevators_bulk_load, demo_elevators_create

__all__ = [
    "BULK_THRESHOLD",
    "LoadResult",
    "RegistryStream",
    "build",
    "context_load",
    "demo_elevators_bulk_load",
    "demo_elevators_create",
    "elevator_history",
    "elevators_generate",
    "registry_organisations_ensure",
]


def registry_organisations_ensure(*, rng: random.Random) -> int:
    """Create the registry's extra property managers and maintenance companies (data.EXTRA_*)
    unless they exist (by credit code or name). Returns how many were created."""
    districts = {d.code: d for d in District.objects.all()}
    if not districts:
        return 0
    plan = [
        DemoOrganisation(
            key=f"pm-r{n}",
            kind=OrganisationKind.PROPERTY_MANAGER,
            name=name,
            short_name=short,
            district_code=code if code in districts else None,
            registration=registration,
            has_login=False,
            places=places,
        )
        for n, (name, short, code, registration, places) in enumerate(data.EXTRA_PROPERTY_MANAGERS, start=1)
    ]
    plan += [
        DemoOrganisation(
            key=f"maint-r{n}",
            kind=OrganisationKind.MAINTENANCE_COMPANY,
            name=name,
            short_name=short,
            district_code=code if code in districts else None,
            has_login=False,
        )
        for n, (name, short, code) in enumerate(data.EXTRA_MAINTENANCE_COMPANIES, start=1)
    ]
    details = organisation_details(rng=rng, plan=plan, districts=districts)
    _organisations, created = organisations_ensure(plan=plan, details=details, districts=districts)
    return created


def build(*, rng: random.Random, options: dict, stdout) -> None:
    """The registry step of seed_demo: options["elevators"] elevators in all (see module docstring)."""
    wanted = options["elevators"]
    if wanted <= 0:
        stdout.write("  未生成电梯（--elevators 0）。")
        return
    existing = Elevator.objects.count()
    if existing >= wanted:
        stdout.write(f"  登记簿已有 {existing:,} 台电梯（不少于 {wanted:,} 台），本次未新建。")
        return
    stream_seed = rng.getrandbits(64)
    organisations_created = registry_organisations_ensure(rng=random.Random(rng.getrandbits(64)))
    load = demo_elevators_bulk_load if wanted >= BULK_THRESHOLD else demo_elevators_create
    result = load(
        count=wanted - existing,
        seed=stream_seed,
        today=timezone.localdate(),
        context=context_load(),
        stdout=stdout,
    )
    stdout.write(
        f"  电梯新建 {result.elevators:,} 台（登记簿共 {existing + result.elevators:,} 台），"
        f"检验记录 {result.inspections:,} 条，生命周期事件 {result.events:,} 条；"
        f"补充使用单位/维保单位 {organisations_created} 个；"
        f"{result.method} 用时 {result.seconds:.1f} 秒（{result.rows / max(result.seconds, 1e-9):,.0f} 行/秒）"
    )
