"""An elevator's safety state: the first thing its public card, its sign and the staff pages show.

One ordered list of rules decides it. On a day, the first rule whose condition the elevator meets
gives its state; an elevator meeting none is in use and within its inspection period. The rules are
conditions over one elevator row, so the same decision annotates a list of ten thousand elevators
(ElevatorQuerySet.with_safety) and the one elevator behind a public card.

Other apps add reasons to stop (maintenance: a serious hazard open, GB 45067-2024) with
register_safety_stop, as they add facts to the public card, so elevators never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import PASSING_RESULTS, ElevatorStatus, InspectionResult

INSPECTION_DUE_SOON_DAYS = 30


class SafetyLevel(models.TextChoices):
    STOP = "stop", _("停止使用")
    CAUTION = "caution", _("请注意")
    OK = "ok", _("正常")


LEVEL_TONES = {SafetyLevel.STOP: "danger", SafetyLevel.CAUTION: "warning", SafetyLevel.OK: "success"}


@dataclass(frozen=True)
class SafetyState:
    """What a passenger and the staff are told: a stable key, a short badge, the card's sentence."""

    key: str
    badge: str | Promise  # a word or two, for badges in lists
    message: str | Promise  # one sentence, for the card and the sign
    level: str = SafetyLevel.STOP

    @property
    def is_stop(self) -> bool:
        return self.level == SafetyLevel.STOP

    @property
    def tone(self) -> str:
        """The Bootstrap colour of the state's badge and banner."""
        return LEVEL_TONES[self.level]

    @property
    def headline(self):
        """The card's first words: 在用 for an elevator in service, else the level (停止使用, 请注意)."""
        return self.badge if self.level == SafetyLevel.OK else SafetyLevel(self.level).label


# fn(on=day) -> Q over Elevator. One row per elevator: a rule about related rows uses Exists(...),
# never a join that repeats the elevator.
SafetyCondition = Callable[..., Q]


@dataclass(frozen=True)
class SafetyRule:
    state: SafetyState
    condition: SafetyCondition


IN_SERVICE = SafetyState("in_service", _("在用"), _("在检验有效期内。"), level=SafetyLevel.OK)
SCRAPPED = SafetyState("scrapped", ElevatorStatus.SCRAPPED.label, _("这部电梯已报废，请勿乘坐。"))
CANCELLED = SafetyState("cancelled", _("登记注销"), _("这部电梯的使用登记已注销，请勿乘坐。"))
SUSPENDED = SafetyState("suspended", ElevatorStatus.SUSPENDED.label, _("这部电梯已停用，请勿乘坐。"))
INSPECTION_FAILED = SafetyState(
    "inspection_failed", _("检验不合格"), _("这部电梯最近一次检验结论为不合格，请勿乘坐。")
)
INSPECTION_LAPSED = SafetyState("inspection_lapsed", _("超期未检"), _("这部电梯已超过检验有效期，请勿乘坐。"))
NO_INSPECTION = SafetyState(
    "no_inspection",
    _("无检验记录"),
    _("平台上暂无这部电梯的有效检验记录，请向使用单位核实。"),
    level=SafetyLevel.CAUTION,
)

# The registry's own reasons, most fundamental first; other apps' stops come between the status
# and the inspection (see safety_rules).
STATUS_RULES = [
    SafetyRule(SCRAPPED, lambda *, on: Q(status=ElevatorStatus.SCRAPPED)),
    SafetyRule(CANCELLED, lambda *, on: Q(status=ElevatorStatus.CANCELLED)),
    SafetyRule(SUSPENDED, lambda *, on: Q(status=ElevatorStatus.SUSPENDED)),
]
INSPECTION_RULES = [
    SafetyRule(INSPECTION_FAILED, lambda *, on: Q(inspection_result=InspectionResult.FAIL)),
    SafetyRule(INSPECTION_LAPSED, lambda *, on: Q(next_inspection_due__lt=on)),
    # Not passed (a blank result) or no due date: unknown, not a proven stop.
    SafetyRule(
        NO_INSPECTION,
        lambda *, on: Q(next_inspection_due__isnull=True) | ~Q(inspection_result__in=PASSING_RESULTS),
    ),
]
REGISTERED_STOPS: list[SafetyRule] = []


def register_safety_stop(state: SafetyState) -> Callable[[SafetyCondition], SafetyCondition]:
    """Apps add a reason to stop using an elevator (a decorator on fn(on=day) -> Q over Elevator).

    Example, for maintenance: ``@register_safety_stop(SafetyState("serious_hazard", _("重大隐患"),
    _("这部电梯有未消除的重大事故隐患，请勿乘坐。")))`` on a function returning
    ``Q(Exists(Hazard.objects.open().serious().filter(elevator=OuterRef("pk"))))``.
    """
    if state.key in {rule.state.key for rule in safety_rules()}:
        raise ValueError(f"safety state {state.key!r} is already defined")

    def register(condition: SafetyCondition) -> SafetyCondition:
        REGISTERED_STOPS.append(SafetyRule(state, condition))
        return condition

    return register


def safety_rules() -> list[SafetyRule]:
    """Every rule in the order it decides: status, other apps' stops, inspection."""
    return [*STATUS_RULES, *REGISTERED_STOPS, *INSPECTION_RULES]


def safety_state_expression(*, on: date) -> models.Case:
    """The key of each elevator's safety state on `on`, as one SQL expression (the single decision)."""
    return models.Case(
        *(models.When(rule.condition(on=on), then=models.Value(rule.state.key)) for rule in safety_rules()),
        default=models.Value(IN_SERVICE.key),
        output_field=models.CharField(),
    )


def safety_state_for(key: str) -> SafetyState:
    """The state named `key` (as annotated by safety_state_expression)."""
    for rule in safety_rules():
        if rule.state.key == key:
            return rule.state
    if key == IN_SERVICE.key:
        return IN_SERVICE
    raise KeyError(key)


def inspection_due_soon_condition(*, on: date) -> Q:
    """Within its inspection period, with the next inspection due in INSPECTION_DUE_SOON_DAYS days."""
    return Q(
        next_inspection_due__gte=on, next_inspection_due__lte=on + timedelta(days=INSPECTION_DUE_SOON_DAYS)
    )
