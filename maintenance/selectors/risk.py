"""The risk score of one elevator (docs/decisions/0010-risk-score.md): one function of the facts the
platform holds about it, returned with its parts so that people see why.

Each factor reads one fact and turns it into points with the weights below (data, not branches);
the caps add up to 100, so the total is a share of the worst case. "The 12 months up to D" run
from the same day a year before D through D, both included:

| factor               | fact on day D                                                | points                 |
|----------------------|--------------------------------------------------------------|------------------------|
| old_elevator         | 15 years or more since installation (elevators' old rule)    | 15                     |
| rescues              | rescue incidents, alarm in the 12 months up to D             | 5 each, at most 20     |
| open_hazards         | general hazards still open (open or being rectified)         | 5 each, at most 10     |
| serious_hazards      | serious hazards still open (GB 45067-2024)                   | 20 each, at most 20    |
| maintenance_state    | the 15-day state: overdue / no record / ok                   | 15 / 10 / 0            |
| maintenance_quality  | latest maintenance_quality score in the 12 months up to D    | (100 − score) × 0.1    |
| failed_inspections   | inspections concluded 不合格 in the 24 months up to D         | 10 each, at most 10    |

No score means no points for quality (as the rating reads "no score" as ×1.000): the platform
does not punish an elevator for a service nobody delivered yet.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elevators.choices import InspectionResult
from elevators.models import Elevator, years_before

from ..models import Hazard, HazardSeverity, MaintenanceState, RescueIncident
from .records import elevator_maintenance
from .service_records import maintenance_quality_scores

TENTH = Decimal("0.1")

# The weights, as data: change them here and in the decision record together.
RISK_WEIGHTS = {
    "old_elevator": {"points": Decimal(15)},
    "rescues": {"each": Decimal(5), "cap": Decimal(20), "months": 12},
    "open_hazards": {"each": Decimal(5), "cap": Decimal(10)},
    "serious_hazards": {"each": Decimal(20), "cap": Decimal(20)},
    "maintenance_state": {
        MaintenanceState.OVERDUE: Decimal(15),
        MaintenanceState.NONE: Decimal(10),
        MaintenanceState.OK: Decimal(0),
    },
    "maintenance_quality": {"per_point_below_100": TENTH, "cap": Decimal(10)},
    "failed_inspections": {"each": Decimal(10), "cap": Decimal(10), "months": 24},
}
RISK_LABELS = {
    "old_elevator": _("老旧电梯（使用15年及以上）"),
    "rescues": _("近12个月困人救援"),
    "open_hazards": _("未整改一般隐患"),
    "serious_hazards": _("未整改重大隐患"),
    "maintenance_state": _("维保状态"),
    "maintenance_quality": _("维保质量评分"),
    "failed_inspections": _("近24个月检验不合格"),
}


@dataclass(frozen=True)
class RiskPart:
    key: str
    label: str
    value: str  # the fact, as shown ("3起", "超期", "72分")
    points: Decimal


@dataclass(frozen=True)
class RiskScore:
    total: Decimal
    parts: tuple[RiskPart, ...]


def _counted(count: int, weights: dict) -> Decimal:
    return min(count * weights["each"], weights["cap"])


def _part(key: str, value, points: Decimal) -> RiskPart:
    return RiskPart(key, str(RISK_LABELS[key]), str(value), points.quantize(TENTH, rounding=ROUND_HALF_UP))


def elevator_risk(*, elevator: Elevator, on: date | None = None) -> RiskScore:
    """The risk score of `elevator` on `on` (today): total 0-100 and its parts, by the weights of
    RISK_WEIGHTS (see the module's docstring). The caller has checked that its user may see the
    elevator; the parts are counts, never the rows behind them."""
    on = on or timezone.localdate()
    w = RISK_WEIGHTS
    parts = []
    old = elevator.is_old(on=on)
    parts.append(
        _part("old_elevator", _("是") if old else _("否"), w["old_elevator"]["points"] if old else Decimal(0))
    )
    since = years_before(on, w["rescues"]["months"] // 12)
    rescues = RescueIncident.objects.filter(
        elevator=elevator, alarm_at__date__gte=since, alarm_at__date__lte=on
    ).count()
    parts.append(_part("rescues", _("%(n)d起") % {"n": rescues}, _counted(rescues, w["rescues"])))
    hazards = Hazard.objects.filter(elevator=elevator, found_on__lte=on).open()
    general = hazards.exclude(severity=HazardSeverity.SERIOUS).count()
    serious = hazards.filter(severity=HazardSeverity.SERIOUS).count()
    parts.append(_part("open_hazards", _("%(n)d项") % {"n": general}, _counted(general, w["open_hazards"])))
    parts.append(
        _part("serious_hazards", _("%(n)d项") % {"n": serious}, _counted(serious, w["serious_hazards"]))
    )
    state = elevator_maintenance(elevator=elevator, on=on)
    parts.append(_part("maintenance_state", state["state_label"], w["maintenance_state"][state["state"]]))
    score = maintenance_quality_scores([elevator.pk], on).get(elevator.pk)
    quality = w["maintenance_quality"]
    quality_points = (
        Decimal(0) if score is None else min((100 - score) * quality["per_point_below_100"], quality["cap"])
    )
    parts.append(
        _part(
            "maintenance_quality",
            _("无评分") if score is None else _("%(s)s分") % {"s": score},
            quality_points,
        )
    )
    failed = _failed_inspections(elevator, on)
    parts.append(
        _part("failed_inspections", _("%(n)d次") % {"n": failed}, _counted(failed, w["failed_inspections"]))
    )
    return RiskScore(total=sum((part.points for part in parts), Decimal("0.0")), parts=tuple(parts))


def _failed_inspections(elevator: Elevator, on: date) -> int:
    since = years_before(on, RISK_WEIGHTS["failed_inspections"]["months"] // 12)
    failed = elevator.inspections.filter(
        result=InspectionResult.FAIL, inspected_on__gte=since, inspected_on__lte=on
    ).count()
    # A registry import may carry only the latest conclusion, with no inspection row behind it.
    if (
        not failed
        and elevator.inspection_result == InspectionResult.FAIL
        and elevator.last_inspected_on
        and since <= elevator.last_inspected_on <= on
    ):
        failed = 1
    return failed
