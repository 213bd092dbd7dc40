"""Reads about elevators that cross relations: the timeline, the public card."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import normalise_code

from .codes import ELEVATOR_CATEGORIES
from .importing import RESULT_WORDS, STATUS_WORDS
from .models import Elevator
from .rescue_codes import is_rescue_code


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to an elevator, whatever app recorded it."""

    on: date
    kind: str  # a stable key, e.g. "inspection", "status_change", "maintenance"
    title: str
    detail: str = ""
    source: str = ""  # the app or body that recorded it
    icon: str = "dot"
    tone: str = "secondary"  # a Bootstrap colour: success, warning, danger, info, secondary


# fn(elevator, user): the entries of one app that `user` may see (each app applies its own visibility).
TimelineSource = Callable[[Elevator, object], Iterable[TimelineEntry]]
TIMELINE_SOURCES: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    """Apps add their events (maintenance, hazards, rescue, policies, claims) to every timeline."""
    TIMELINE_SOURCES.append(source)
    return source


@register_timeline_source
def _inspections(elevator: Elevator, user) -> Iterable[TimelineEntry]:
    for inspection in elevator.inspections.all():
        passed = inspection.result != "fail"
        detail = [inspection.get_result_display()]
        if inspection.next_due:
            detail.append(_("下次检验 %(date)s") % {"date": inspection.next_due.isoformat()})
        if inspection.report_number:
            detail.append(_("报告 %(no)s") % {"no": inspection.report_number})
        yield TimelineEntry(
            on=inspection.inspected_on,
            kind="inspection",
            title=inspection.get_kind_display(),
            detail="；".join(str(d) for d in detail),
            source=inspection.inspection_body,
            icon="clipboard-check" if passed else "clipboard-x",
            tone="success" if passed else "danger",
        )


LIFECYCLE_ICONS = {
    "install_notice": ("tools", "info"),
    "modification_notice": ("wrench", "info"),
    "major_repair_notice": ("wrench-adjustable", "warning"),
    "registration": ("card-checklist", "primary"),
    "registration_change": ("pencil-square", "primary"),
    "status_change": ("toggle-on", "warning"),
}


@register_timeline_source
def _lifecycle(elevator: Elevator, user) -> Iterable[TimelineEntry]:
    for event in elevator.events.all():
        icon, tone = LIFECYCLE_ICONS.get(event.kind, ("dot", "secondary"))
        detail = "；".join(part for part in (event.description, event.reference) if part)
        yield TimelineEntry(
            on=event.occurred_on,
            kind=event.kind,
            title=event.get_kind_display(),
            detail=detail,
            icon=icon,
            tone=tone,
        )


def elevator_timeline(*, elevator: Elevator, user) -> list[TimelineEntry]:
    """Everything that happened to `elevator`, newest first, from every registered source.

    The caller has already checked that `user` may see the elevator (visible_to); each source shows
    only facts about this one elevator that `user` may see (a policy holder sees its policies, not
    the insurer's claims).
    """
    entries = [entry for source in TIMELINE_SOURCES for entry in source(elevator, user)]
    return sorted(entries, key=lambda entry: entry.on, reverse=True)


# --- The public card (/e/<code>/): what anyone may read about one elevator, without signing in ----

# Exactly these facts, and nothing else, reach the public: no premiums, claims, registration
# numbers, credit codes, phone numbers or people (DESIGN.md section 2, "the public").
PUBLIC_CARD_KEYS = frozenset(
    {
        "safety",  # the SafetyState the card leads with (elevators.safety)
        "equipment_code",
        "rescue_code",
        "category",
        "address",
        "user_unit",
        "maintenance_company",
        "last_maintenance",  # date of the latest maintenance, from the maintenance app
        "maintenance_state",  # {"key", "label"} of the maintenance state today, from the maintenance app
        "next_inspection_due",
        "insurer",  # name of the insurer of the policy in force, from the insurance app
        "policy_start",
        "policy_end",
        "rescue_phone",
    }
)
# Facts other apps own: {"last_maintenance": date} or {"insurer": name, "policy_start": date,
# "policy_end": date}. With nothing registered the card says 暂无记录 and 未投保.
CONTRIBUTED_CARD_KEYS = frozenset(
    {"last_maintenance", "maintenance_state", "insurer", "policy_start", "policy_end"}
)

PublicCardFacts = Callable[[Elevator], dict]
PUBLIC_CARD_FACTS: list[PublicCardFacts] = []


def register_public_card_facts(source: PublicCardFacts) -> PublicCardFacts:
    """Apps add their facts to the public card (maintenance: last maintenance; insurance: insurer
    and policy period). A source may return only keys of CONTRIBUTED_CARD_KEYS."""
    PUBLIC_CARD_FACTS.append(source)
    return source


def elevator_public_card(*, code: str, on: date | None = None) -> dict | None:
    """The public card of the elevator whose equipment code or 6-digit rescue code is `code` (any
    case, spaces, full width), or None.

    Returns exactly PUBLIC_CARD_KEYS: the safety state on `on` (today) first, the codes, category
    name, address (site name and address), user unit and maintenance company names, last
    maintenance, next inspection due, the insurer and policy period (None when uninsured) and the
    rescue phone number. Anyone may read it, so a registered source that returns any other key is a
    programming error and raises ValueError.
    """
    code = normalise_code(code)
    if not code:
        return None
    by_code = Q(rescue_code=code) if is_rescue_code(code) else Q(equipment_code=code)
    elevator = (
        Elevator.objects.select_related("user_unit", "maintenance_company")
        .with_safety(on=on or timezone.localdate())
        .filter(by_code)
        .first()
    )
    if elevator is None:
        return None
    card = {
        "safety": elevator.safety,
        "equipment_code": elevator.equipment_code,
        "rescue_code": elevator.rescue_code or "",
        "category": elevator.category_info.name,
        "address": " ".join(part for part in (elevator.site_name, elevator.address) if part),
        "user_unit": elevator.user_unit.name if elevator.user_unit else "",
        "maintenance_company": elevator.maintenance_company.name if elevator.maintenance_company else "",
        "last_maintenance": None,
        "maintenance_state": None,
        "next_inspection_due": elevator.next_inspection_due,
        "insurer": None,
        "policy_start": None,
        "policy_end": None,
        "rescue_phone": settings.TIBAO["RESCUE_PHONE"],
    }
    for source in PUBLIC_CARD_FACTS:
        facts = source(elevator)
        unexpected = set(facts) - CONTRIBUTED_CARD_KEYS
        if unexpected:
            raise ValueError(f"public card source {source!r} returned keys not for the public: {unexpected}")
        card.update(facts)
    return card


# --- The registry export (/elevators/export.xlsx) ----------------------------------------------

# (field or lookup, header). Headers are the registry import's own column names, so an export can
# be corrected and imported again; "电梯识别码" and "有维修资金" are extra and the import ignores
# them (the portal assigns rescue codes itself).
ELEVATOR_EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("equipment_code", "设备代码"),
    ("registration_number", "使用登记证编号"),
    ("category", "设备品种"),
    ("manufacturer", "制造单位"),
    ("model_number", "产品型号"),
    ("factory_serial", "出厂编号"),
    ("manufactured_on", "制造日期"),
    ("installed_on", "安装日期"),
    ("registered_on", "登记日期"),
    ("user_unit__name", "使用单位"),
    ("user_unit__credit_code", "使用单位统一社会信用代码"),
    ("owner__name", "产权单位"),
    ("owner__credit_code", "产权单位统一社会信用代码"),
    ("maintenance_company__name", "维保单位"),
    ("maintenance_company__credit_code", "维保单位统一社会信用代码"),
    ("district__name", "所在区县"),
    ("address", "使用地点"),
    ("site_name", "楼盘名称"),
    ("place_category__name", "场所类别"),
    ("status", "设备状态"),
    ("last_inspected_on", "最近检验日期"),
    ("inspection_result", "检验结论"),
    ("next_inspection_due", "下次检验日期"),
    ("has_repair_funds", "有维修资金"),
    ("rescue_code", "电梯识别码"),
]
EXPORT_CHUNK_ROWS = 2000


# Stored values written as the words the import reads back, whatever the user's language.
EXPORT_WORDS: dict[str, dict] = {
    "category": {c.code: c.name for c in ELEVATOR_CATEGORIES},
    "status": {value: word for word, value in STATUS_WORDS.items()},
    "inspection_result": {value: word for word, value in RESULT_WORDS.items()},
    "has_repair_funds": {True: "是", False: "否"},
}


def elevator_export_table(*, queryset) -> tuple[list[str], Iterator[list]]:
    """Headers and a row iterator for `queryset` (already visible to the user and filtered).

    Rows stream from the database in chunks of plain values, so an export of a whole city's
    registry does not hold model instances in memory.
    """
    fields = [field for field, _header in ELEVATOR_EXPORT_COLUMNS]
    headers = [header for _field, header in ELEVATOR_EXPORT_COLUMNS]
    translators = [EXPORT_WORDS.get(field) for field in fields]

    def rows() -> Iterator[list]:
        values = queryset.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK_ROWS)
        for record in values:
            yield [
                words.get(value, value) if words is not None else value
                for words, value in zip(translators, record, strict=True)
            ]

    return headers, rows()
