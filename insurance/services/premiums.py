"""The premium of a policy is the contract's fact (DESIGN.md section 3): what the insurer declares
is stored; the portal's rating is stored beside it, and a premium outside the product version's
band (费率浮动区间) is flagged, never refused. Only what cannot be a premium is refused."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

from ..models import ProductVersion
from ..models.products import premium_deviation
from ..rating import ElevatorQuote

# Larger than any elevator's yearly premium: a figure above it is a typing or unit error (分, not 元).
MAX_PREMIUM_PER_ELEVATOR = Decimal("1000000.00")


@dataclass(frozen=True)
class PolicyPremium:
    """A policy's premiums: declared (the contract's) and rated, per elevator and in total, and how
    far the total lies from the rating; `outside_band` flags it for the insurance regulator."""

    declared: dict[int, Decimal]
    rated: dict[int, Decimal]
    total: Decimal
    rated_total: Decimal
    deviation: Decimal | None
    outside_band: bool

    def policy_fields(self) -> dict:
        """The Policy fields these premiums fill."""
        return {
            "total_premium": self.total,
            "rated_total_premium": self.rated_total,
            "premium_deviation": self.deviation,
            "premium_outside_band": self.outside_band,
        }


def _impossible(code: str, declared: Decimal, rated: Decimal) -> str | None:
    """Why `declared` cannot be an elevator's premium, or None when it can."""
    if declared < 0:
        return _("电梯 %(code)s 的保费 %(declared)s 元为负数，保费不能为负。") % {
            "code": code,
            "declared": declared,
        }
    if declared == 0 and rated > 0:
        return _("电梯 %(code)s 的保费为0元，但该产品收费（按费率计算为 %(rated)s 元），保费不能为0。") % {
            "code": code,
            "rated": rated,
        }
    if declared > MAX_PREMIUM_PER_ELEVATOR:
        return _(
            "电梯 %(code)s 的保费 %(declared)s 元超过每台每年 %(limit)s 元的上限，请核对金额和单位。"
        ) % {
            "code": code,
            "declared": declared,
            "limit": f"{MAX_PREMIUM_PER_ELEVATOR:,.0f}",
        }
    return None


def policy_premium(
    *, version: ProductVersion, priced: Mapping[int, ElevatorQuote], declared: Mapping[int, Decimal] | None
) -> PolicyPremium:
    """The premiums of a policy priced by `rating.quote` (`priced`, by elevator id), with the premiums
    the insurer declares (`declared`, by elevator id; an elevator without one takes its rating).

    Raises ApplicationError naming every elevator whose declared premium cannot be a premium
    (negative, zero for a product that charges, above MAX_PREMIUM_PER_ELEVATOR), with
    `extra["premiums"]` listing them, so that a file or a bulk request is corrected in one pass.
    """
    declared = declared or {}
    rated = {pk: line.premium for pk, line in priced.items()}
    premiums = {pk: declared.get(pk, rated[pk]) for pk in rated}
    problems = [
        (priced[pk].elevator.equipment_code, premiums[pk], rated[pk], reason)
        for pk in sorted(rated)
        if (reason := _impossible(priced[pk].elevator.equipment_code, premiums[pk], rated[pk]))
    ]
    if problems:
        raise ApplicationError(
            "；".join(reason for *_values, reason in problems),
            field="premium",
            extra={
                "premiums": [
                    {"elevator": code, "declared": str(value), "rated": str(expected), "reason": reason}
                    for code, value, expected, reason in problems
                ]
            },
        )
    total = sum(premiums.values(), Decimal("0.00"))
    rated_total = sum(rated.values(), Decimal("0.00"))
    deviation = premium_deviation(total, rated_total)
    return PolicyPremium(
        declared=premiums,
        rated=rated,
        total=total,
        rated_total=rated_total,
        deviation=deviation,
        outside_band=not version.premium_in_band(deviation),
    )
