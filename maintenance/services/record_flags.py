"""The review flags of maintenance records (假维保 signs), computed again on every save.

A flag sends a record to the review queue; a flagged record still counts for the maintenance state.
The reasons (maintenance.models.ReviewFlag):
- code_typed: the scan-in read a code typed by hand instead of the QR on the sign;
- outside_radius: the scan-in position is farther than MAINTENANCE_SCAN_RADIUS_M from the
  elevator's registered location (great-circle distance; skipped when either is unknown);
- photo_reused: a photo of the record has the SHA-256 of a photo of another record;
- worker_overlap: a worker (by certificate number) is on another record whose job overlaps this
  one in time (both records are flagged: either visit may be the false one);
- too_short: the job (start to end) is shorter than MAINTENANCE_MIN_MINUTES of its level;
- one_worker: fewer than two workers are named (TSG T5002 asks for two);
- no_evidence: no scan-in, no scan-out, no position and no photo at all.
Evidence never present is never assumed: a check whose facts are missing is skipped, except the
two that are about missing facts (one_worker, no_evidence).
"""

import math
from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from core.audit import log_bulk

from ..models import Attachment, MaintenanceRecord, RecordFlag, ReviewFlag

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Haversine distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi, dlambda = phi2 - phi1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def certificates(record: MaintenanceRecord) -> set[str]:
    return {c for c in (record.worker_certificate, record.second_worker_certificate) if c}


def _overlaps(a: MaintenanceRecord, b: MaintenanceRecord) -> bool:
    return a.started_at < b.ended_at and b.started_at < a.ended_at


def _timed(record: MaintenanceRecord) -> bool:
    return record.started_at is not None and record.ended_at is not None


def _overlapping(records: Sequence[MaintenanceRecord]) -> dict[int, set[MaintenanceRecord]]:
    """For each record (by pk), the other records sharing a worker during an overlapping job."""
    timed = [r for r in records if _timed(r) and certificates(r)]
    if not timed:
        return {}
    numbers = set().union(*(certificates(r) for r in timed))
    start, end = min(r.started_at for r in timed), max(r.ended_at for r in timed)
    others = list(
        MaintenanceRecord.objects.filter(
            Q(worker_certificate__in=numbers) | Q(second_worker_certificate__in=numbers),
            started_at__lt=end,
            ended_at__gt=start,
        ).only(
            "pk", "record_number", "started_at", "ended_at", "worker_certificate", "second_worker_certificate"
        )
    )
    by_number = defaultdict(list)
    for other in others:
        for number in certificates(other):
            by_number[number].append(other)
    found: dict[int, set[MaintenanceRecord]] = defaultdict(set)
    for record in timed:
        for number in certificates(record):
            for other in by_number[number]:
                if other.pk != record.pk and _overlaps(record, other):
                    found[record.pk].add(other)
                    found[other.pk].add(record)
    return found


def _photo_hashes(records: Sequence[MaintenanceRecord]) -> tuple[dict[int, set[str]], set[tuple[int, str]]]:
    """The photo hashes of each record, and the (record, hash) pairs also seen on another record."""
    own = defaultdict(set)
    for record_id, sha in Attachment.objects.filter(record__in=[r.pk for r in records]).values_list(
        "record_id", "sha256"
    ):
        own[record_id].add(sha)
    hashes = set().union(*own.values()) if own else set()
    reused = set()
    if hashes:
        users = defaultdict(set)
        for record_id, sha in Attachment.objects.filter(sha256__in=hashes, record__isnull=False).values_list(
            "record_id", "sha256"
        ):
            users[sha].add(record_id)
        reused = {(rid, sha) for rid, shas in own.items() for sha in shas if users[sha] - {rid}}
    return own, reused


def flags_of(
    record: MaintenanceRecord, *, elevator, photos: set[str], reused: bool, overlap
) -> dict[str, str]:
    """The flags of one record as {flag: detail} (see the module docstring)."""
    flags = {}
    if record.scan_in_method == "typed":
        flags[ReviewFlag.CODE_TYPED] = _("签到时手工输入设备码")
    known = None not in (
        record.scan_in_latitude, record.scan_in_longitude, elevator.latitude, elevator.longitude
    )  # fmt: skip
    if known:
        metres = distance_m(
            record.scan_in_latitude, record.scan_in_longitude, elevator.latitude, elevator.longitude
        )
        if metres > settings.TIBAO["MAINTENANCE_SCAN_RADIUS_M"]:
            flags[ReviewFlag.OUTSIDE_RADIUS] = _("签到位置距电梯登记位置%(m)d米") % {"m": round(metres)}
    if reused:
        flags[ReviewFlag.PHOTO_REUSED] = _("照片与其他维保记录的照片相同")
    if overlap:
        numbers = "、".join(sorted(other.record_number for other in overlap))
        flags[ReviewFlag.WORKER_OVERLAP] = _("同一作业人员同时在记录%(numbers)s中作业") % {"numbers": numbers}
    if _timed(record):
        minutes = (record.ended_at - record.started_at).total_seconds() / 60
        minimum = settings.TIBAO["MAINTENANCE_MIN_MINUTES"][record.level]
        if minutes < minimum:
            flags[ReviewFlag.TOO_SHORT] = _("作业%(minutes)d分钟，少于%(minimum)d分钟") % {
                "minutes": int(minutes),
                "minimum": minimum,
            }
    workers = sum(
        1
        for name, number in (
            (record.worker_name, record.worker_certificate),
            (record.second_worker_name, record.second_worker_certificate),
        )
        if name or number
    )
    if workers < 2:
        flags[ReviewFlag.ONE_WORKER] = _("仅记录%(count)d名作业人员") % {"count": workers}
    evidence = (record.scan_in_at, record.scan_out_at, record.scan_in_latitude, record.scan_in_longitude)
    if all(fact is None for fact in evidence) and not photos:
        flags[ReviewFlag.NO_EVIDENCE] = _("无签到、签退、定位或照片")
    return flags


def record_flags_refresh(*, records: Sequence[MaintenanceRecord]) -> None:
    """Compute the flags of `records` (saved, with `elevator` loaded) and store what changed.

    Flags of other records that share an overlapping worker are added too (never removed here: they
    are recomputed when those records are saved). Written with bulk inserts, audited with log_bulk.
    """
    if not records:
        return
    photos, reused = _photo_hashes(records)
    overlaps = _overlapping(records)
    wanted: dict[int, dict[str, str]] = {}
    for record in records:
        own = photos.get(record.pk, set())
        wanted[record.pk] = flags_of(
            record,
            elevator=record.elevator,
            photos=own,
            reused=any((record.pk, sha) in reused for sha in own),
            overlap=overlaps.get(record.pk, set()),
        )
    for other_pk in set(overlaps) - set(wanted):
        numbers = "、".join(sorted(r.record_number for r in overlaps[other_pk]))
        wanted[other_pk] = {
            ReviewFlag.WORKER_OVERLAP: _("同一作业人员同时在记录%(numbers)s中作业") % {"numbers": numbers}
        }
    stored = defaultdict(dict)
    for flag in RecordFlag.objects.filter(record__in=list(wanted)):
        stored[flag.record_id][flag.flag] = flag
    recomputed = {r.pk for r in records}
    stale = [
        flag.pk
        for record_id in recomputed
        for name, flag in stored[record_id].items()
        if name not in wanted[record_id] or flag.detail != wanted[record_id][name]
    ]
    if stale:
        RecordFlag.objects.filter(pk__in=stale).delete()
    stale_set = set(stale)
    new = [
        RecordFlag(record_id=record_id, flag=name, detail=detail[:300])
        for record_id, flags in wanted.items()
        for name, detail in flags.items()
        if name not in stored[record_id] or stored[record_id][name].pk in stale_set
    ]
    log_bulk(created=RecordFlag.objects.bulk_create(new))
