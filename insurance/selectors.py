"""Reads about insurance that other apps show (the elevator timeline, the public card) and the claim
totals sector departments see in place of claims."""

from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Case, Count, F, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from elevators.models import Elevator
from elevators.selectors import TimelineEntry, register_public_card_facts, register_timeline_source

from .models import Claim, ClaimStatus, FundingSource, InsuranceModel, Policy, PolicyElevator


@register_timeline_source
def _policy_and_claim_events(elevator: Elevator, user) -> Iterable[TimelineEntry]:
    covers = (
        PolicyElevator.objects.visible_to(user)
        .filter(elevator=elevator)
        .select_related("policy__insurer", "policy__policyholder")
    )
    for cover in covers:
        policy = cover.policy
        yield TimelineEntry(
            on=cover.start_date,
            kind="policy",
            title=_("投保：%(model)s") % {"model": policy.get_model_display()},
            detail=_("保单 %(number)s，%(start)s 至 %(end)s，%(status)s")
            % {
                "number": policy.number,
                "start": cover.start_date.isoformat(),
                "end": cover.end_date.isoformat(),
                "status": policy.status_label(timezone.localdate()),
            },
            source=policy.insurer.name,
            icon="shield-check",
            tone="success" if policy.status == policy.Status.ACTIVE else "secondary",
        )
    for claim in Claim.objects.visible_to(user).filter(elevator=elevator).select_related("insurer"):
        yield TimelineEntry(
            on=timezone.localtime(claim.incident_at).date(),
            kind="claim",
            title=_("出险：%(kind)s") % {"kind": claim.get_kind_display()},
            detail=_("理赔 %(number)s，%(status)s")
            % {"number": claim.claim_number, "status": claim.get_status_display()},
            source=claim.insurer.name,
            icon="exclamation-octagon",
            tone="danger" if claim.people_dead or claim.people_injured else "warning",
        )


@register_public_card_facts
def _insurer_in_force(elevator: Elevator) -> dict:
    """The insurer and period of the cover in force today, for the public card (no premium)."""
    cover = (
        PolicyElevator.objects.in_force_on(timezone.localdate())
        .filter(elevator=elevator)
        .select_related("policy__insurer")
        .order_by("start_date")
        .first()
    )
    if cover is None:
        return {}
    return {
        "insurer": cover.policy.insurer.name,
        "policy_start": cover.start_date,
        "policy_end": cover.end_date,
    }


def claim_totals_for_sector(*, user) -> list[dict]:
    """Claims on the elevators `user` (a sector department) may see, in aggregate only (DESIGN.md 2):
    per status the number of claims and the amounts claimed and paid, and a total row last.

    Departments never see claim rows (Claim.objects.visible_to gives them none); this reads Claim
    through the elevators they see instead, and returns no identifying detail.
    """
    rows = {
        row["status"]: row
        for row in Claim.objects.filter(elevator__in=Elevator.objects.visible_to(user))
        .values("status")
        .annotate(count=Count("pk"), claimed=Sum("amount_claimed"), paid=Sum("amount_paid"))
        .order_by()
    }
    zero = Decimal("0.00")
    totals = [
        {
            "status": status,
            "label": label,
            "count": rows.get(status, {}).get("count", 0),
            "claimed": (rows.get(status, {}).get("claimed") or zero).quantize(zero),
            "paid": (rows.get(status, {}).get("paid") or zero).quantize(zero),
        }
        for status, label in ClaimStatus.choices
    ]
    totals.append(
        {
            "status": "",
            "label": _("合计"),
            "count": sum(row["count"] for row in totals),
            "claimed": sum((row["claimed"] for row in totals), zero),
            "paid": sum((row["paid"] for row in totals), zero),
        }
    )
    return totals


# The policy list's export: (field, header); the premium columns let a regulator sort and sum the
# premiums outside their band (who, how far off) in the workbook.
POLICY_EXPORT_COLUMNS = [
    ("number", "保单号"),
    ("insurer__name", "保险机构"),
    ("product_version__product__code", "产品代码"),
    ("product_version__product__name", "保险产品"),
    ("model", "投保模式"),
    ("policyholder__name", "投保人"),
    ("policyholder__credit_code", "投保人统一社会信用代码"),
    ("start_date", "保险起期"),
    ("end_date", "保险止期"),
    ("elevator_count", "承保电梯台数"),
    ("total_premium", "保费（元）"),
    ("rated_total_premium", "费率计算保费（元）"),
    ("premium_deviation", "保费偏离"),
    ("premium_outside_band", "超出费率浮动区间"),
    ("funding_source", "资金来源"),
    ("status", "状态"),
]
POLICY_EXPORT_WORDS: dict[str, dict] = {
    "model": {value: str(label) for value, label in InsuranceModel.choices},
    "funding_source": {value: str(label) for value, label in FundingSource.choices},
    "status": {value: str(label) for value, label in Policy.Status.choices},
    "premium_outside_band": {True: "是", False: "否"},
}


# The whole policy's figures, and the part a reader sees of them (with_visible_share; a sum over
# no covers is null).
SHARE_OF = {
    "elevator_count": F("visible_elevator_count"),
    "total_premium": Coalesce(F("visible_premium"), Decimal("0.00")),
    "rated_total_premium": Coalesce(F("visible_rated_premium"), Decimal("0.00")),
}


def policy_export_table(*, queryset) -> tuple[list[str], Iterator[list]]:
    """Headers and a row iterator for the policies of `queryset` (visible to the user, filtered and
    ordered by the list page); the deviation is a ratio (0.35 is 35% above the rating)."""
    fields = [field for field, _header in POLICY_EXPORT_COLUMNS]
    headers = [header for _field, header in POLICY_EXPORT_COLUMNS]
    translators = [POLICY_EXPORT_WORDS.get(field) for field in fields]
    if "elevator_count" not in queryset.query.annotations:
        queryset = queryset.with_elevator_count()
    if "seen_in_part" in queryset.query.annotations:
        # A reader who sees only part of a policy exports that part, as the list shows it
        # (PolicyQuerySet.with_visible_share), never the whole policy's figures.
        queryset = queryset.annotate(
            **{
                f"exported_{whole}": Case(When(seen_in_part=True, then=part), default=F(whole))
                for whole, part in SHARE_OF.items()
            }
        )
        fields = [f"exported_{field}" if field in SHARE_OF else field for field in fields]
        fields.append("seen_in_part")
        headers.append(_("仅含您可查看的电梯"))
        translators.append({True: _("是"), False: _("否")})

    def rows() -> Iterator[list]:
        for record in queryset.values_list(*fields).iterator(chunk_size=2_000):
            yield [
                words.get(value, value) if words is not None else value
                for words, value in zip(translators, record, strict=True)
            ]

    return headers, rows()
