"""The maintenance step of `manage.py seed_demo`: a year of maintenance records, the
insurance+maintenance services, hazards, rescues (with the claim proposals long trappings call
for) and passenger feedback.

Everything is written through maintenance's services, as the API would write it: records by
`records_bulk_upsert` acting as each maintenance company's demo login, services by
`service_records_bulk_upsert` for each insurer, hazards by `hazards_bulk_report` then
`hazard_rectify` / `hazard_close`, rescues by `rescues_bulk_upsert` (which proposes the claims),
feedback by `feedback_submit`. So the demo can never hold what the rules forbid.

At benchmark scale a bounded sample is written: only the first SAMPLE_ELEVATORS elevators (in
registry order) get maintenance data, so a million-elevator run costs what the default one does.
At that scale the records are written without audit entries (decision 0025), as the registry and
the policies are. Idempotent: when maintenance records exist, nothing is written again.
"""

import random

from django.utils import timezone

from maintenance.models import MaintenanceRecord

from ..bulkload import unaudited_at_benchmark_scale
from .actors import Logins, sample_elevators
from .incidents import feedback_write, hazards_write, rescues_write, trapped_payout_ensure
from .records import records_write
from .services import services_write
from .summary import maintenance_summary

# The most elevators the step writes data for (the default demo's 3,000 are all written).
SAMPLE_ELEVATORS = 5000


def build(*, rng: random.Random, options: dict, stdout) -> None:
    """Records, services, hazards, rescues and feedback for the registry's elevators, once."""
    today = timezone.localdate()
    if MaintenanceRecord.objects.exists():
        stdout.write("  维保数据已存在，跳过。")
    else:
        elevators, total = sample_elevators(limit=SAMPLE_ELEVATORS)
        if total > len(elevators):
            stdout.write(
                f"  电梯较多（{total:,} 台），仅为前 {len(elevators):,} 台生成维保、服务、隐患与救援演示数据。"
            )
        logins = Logins()
        # A generator per part: the services follow the policies, so they must not shift the rest.
        base = rng.getrandbits(64)
        part = {
            name: random.Random(f"{base}:{name}")
            for name in ("records", "services", "hazards", "rescues", "feedback")
        }
        trapped_payout_ensure()
        with unaudited_at_benchmark_scale():  # ~120,000 records at any scale beyond the default
            records_write(rng=part["records"], today=today, elevators=elevators, logins=logins)
        services_write(rng=part["services"], today=today, elevators=elevators)
        hazards_write(rng=part["hazards"], today=today, elevators=elevators, logins=logins)
        rescues_write(rng=part["rescues"], today=today, elevators=elevators, logins=logins)
        feedback_write(rng=part["feedback"], elevators=elevators)
    stdout.write(maintenance_summary(today=today, elevators=options.get("elevators", 0)))
