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

The flags of a batch are decided in the database, from the stored rows: one query decides every
check but the overlap for all the records (`_decided`), one finds the overlapping pairs
(`_overlapping`); only the texts of the details are written here. The stored flags are read
only for records stored before the batch.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
from django.utils.translation import gettext as _

from core.audit import log_bulk
from core.pgcopy import any_of, rows_insert

from ..models import Attachment, MaintenanceRecord, RecordFlag, ReviewFlag

EARTH_RADIUS_M = 6_371_000


def _haversine_m(lat1, lon1, lat2, lon2):
    """The great-circle distance in metres between two points in degrees, as an expression (null
    when a coordinate is)."""
    phi1, phi2 = (Radians(Cast(v, FloatField())) for v in (lat1, lat2))
    dphi = phi2 - phi1
    dlambda = Radians(Cast(lon2, FloatField())) - Radians(Cast(lon1, FloatField()))
    a = Power(Sin(dphi / 2), 2) + Cos(phi1) * Cos(phi2) * Power(Sin(dlambda / 2), 2)
    return Value(2.0 * EARTH_RADIUS_M) * ASin(Sqrt(a))


def _named(name: str, certificate: str) -> Case:
    return Case(
        When(~Q(**{name: ""}) | ~Q(**{certificate: ""}), then=1), default=0, output_field=IntegerField()
    )


def _decided(ids: list[int]) -> list[dict]:
    """Every check but the overlap, decided for the records `ids` in one query: a row per record
    with a yes/no per flag and the figures their details name."""
    minimum = Case(
        *(When(level=level, then=Value(m)) for level, m in settings.TIBAO["MAINTENANCE_MIN_MINUTES"].items()),
        output_field=IntegerField(),
    )
    other_use = Attachment.objects.filter(sha256=OuterRef("sha256"), record__isnull=False).exclude(
        record_id=OuterRef("record_id")
    )
    bool_of = {"output_field": BooleanField()}
    return list(
        MaintenanceRecord.objects.filter(any_of("pk", ids))
        .annotate(
            metres=_haversine_m(
                F("scan_in_latitude"),
                F("scan_in_longitude"),
                F("elevator__latitude"),
                F("elevator__longitude"),
            ),
            minutes=ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField()),
            minimum=minimum,
            workers=_named("worker_name", "worker_certificate")
            + _named("second_worker_name", "second_worker_certificate"),
            has_photo=Exists(Attachment.objects.filter(record=OuterRef("pk"))),
            reused=Exists(Attachment.objects.filter(Exists(other_use), record=OuterRef("pk"))),
        )
        .annotate(
            typed=Case(When(scan_in_method="typed", then=True), default=False, **bool_of),
            outside=Case(
                When(metres__gt=settings.TIBAO["MAINTENANCE_SCAN_RADIUS_M"], then=True),
                default=False,
                **bool_of,
            ),
            bare=Case(
                When(
                    Q(scan_in_at__isnull=True, scan_out_at__isnull=True, scan_in_latitude__isnull=True)
                    & Q(scan_in_longitude__isnull=True, has_photo=False),
                    then=True,
                ),
                default=False,
                **bool_of,
            ),
        )
        .values("pk", "typed", "outside", "metres", "reused", "minutes", "minimum", "workers", "bare")
    )


def _overlapping(ids: list[int]) -> dict[int, set[str]]:
    """For each record of `ids`, and each other record sharing a worker with one of them during an
    overlapping job, the numbers of the records it overlaps (one query: the records joined to the
    others on a shared certificate number and overlapping times).

    The join is one equi-join per pair of certificate columns (theirs named as mine), so that each
    reads the other records by the index on that certificate and start (maintenance 0002); one join
    on "either certificate is one of mine" can use no index and read every stored record for each
    of the batch's (on SQLite, which `make run` uses, that made the demo's records quadratic)."""
    table = MaintenanceRecord._meta.db_table
    certificates = ("worker_certificate", "second_worker_certificate")
    placeholders = ", ".join(["%s"] * len(ids))
    joins = " UNION ALL ".join(
        f"SELECT r.id, r.record_number, o.id, o.record_number FROM {table} r JOIN {table} o "
        f"ON o.{theirs} = r.{mine} AND o.{theirs} <> '' AND o.id <> r.id "
        f"AND o.started_at < r.ended_at AND r.started_at < o.ended_at "
        f"WHERE r.started_at IS NOT NULL AND r.id IN ({placeholders})"
        for mine in certificates
        for theirs in certificates
    )
    found: dict[int, set[str]] = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(joins, ids * len(certificates) ** 2)
        for record_id, record_number, other_id, other_number in cursor.fetchall():
            found[record_id].add(other_number)
            found[other_id].add(record_number)
    return found


def _overlap_detail(numbers: set[str]) -> str:
    return _("同一作业人员同时在记录%(numbers)s中作业") % {"numbers": "、".join(sorted(numbers))}


def _flags(row: dict, overlap: set[str]) -> dict[str, str]:
    """The flags of one record as {flag: detail}, from its row of `_decided`."""
    flags = {}
    if row["typed"]:
        flags[ReviewFlag.CODE_TYPED] = _("签到时手工输入设备码")
    if row["outside"]:
        flags[ReviewFlag.OUTSIDE_RADIUS] = _("签到位置距电梯登记位置%(m)d米") % {"m": round(row["metres"])}
    if row["reused"]:
        flags[ReviewFlag.PHOTO_REUSED] = _("照片与其他维保记录的照片相同")
    if overlap:
        flags[ReviewFlag.WORKER_OVERLAP] = _overlap_detail(overlap)
    if row["minutes"] is not None:
        minutes = row["minutes"].total_seconds() / 60
        if minutes < row["minimum"]:
            flags[ReviewFlag.TOO_SHORT] = _("作业%(minutes)d分钟，少于%(minimum)d分钟") % {
                "minutes": int(minutes),
                "minimum": row["minimum"],
            }
    if row["workers"] < 2:
        flags[ReviewFlag.ONE_WORKER] = _("仅记录%(count)d名作业人员") % {"count": row["workers"]}
    if row["bare"]:
        flags[ReviewFlag.NO_EVIDENCE] = _("无签到、签退、定位或照片")
    return flags


def record_flags_refresh(
    *, records: Sequence[MaintenanceRecord], new: Sequence[MaintenanceRecord] = ()
) -> None:
    """Compute the flags of `records` (saved) from what is stored, and store what changed.

    Flags of other records that share an overlapping worker are added too (never removed here: they
    are recomputed when those records are saved). New flags are inserted at once (COPY on
    PostgreSQL) and audited with log_bulk; stale ones are deleted through the ORM (audited).
    `new` are those of `records` the caller inserted in this transaction: they have no flags stored
    yet, and are not looked for.
    """
    if not records:
        return
    ids = [r.pk for r in records]
    overlaps = _overlapping(ids)
    wanted = {row["pk"]: _flags(row, overlaps.get(row["pk"], set())) for row in _decided(ids)}
    for other_pk in set(overlaps) - set(wanted):
        wanted[other_pk] = {ReviewFlag.WORKER_OVERLAP: _overlap_detail(overlaps[other_pk])}
    stored = defaultdict(dict)
    flagged = sorted(set(wanted) - {r.pk for r in new})  # those that may have flags stored
    if flagged:
        for pk, record_id, name, detail in RecordFlag.objects.filter(
            any_of("record_id", flagged)
        ).values_list("pk", "record_id", "flag", "detail"):
            stored[record_id][name] = (pk, detail)
    stale = {
        pk
        for record_id in ids
        for name, (pk, detail) in stored[record_id].items()
        if name not in wanted[record_id] or detail != wanted[record_id][name][:300]
    }
    if stale:
        RecordFlag.objects.filter(pk__in=stale).delete()
    new_flags = [
        RecordFlag(record_id=record_id, flag=name, detail=detail[:300])
        for record_id, flags in wanted.items()
        for name, detail in flags.items()
        if name not in stored[record_id] or stored[record_id][name][0] in stale
    ]
    log_bulk(created=rows_insert(new_flags), just_inserted=True)
