"""The maintenance figures beside coverage (the dashboard's "维保与服务" panel and the monthly
report's sheet of that name): services delivered by kind and insurer, the on-time rate (按期维保率,
docs/decisions/0009-maintenance-on-time-rate.md), hazards and rescues.

Every figure is the maintenance app's own selector read through the reader's visibility; this
module only narrows them to the reader's slice and lays them out. Five queries, whatever the size.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elevators.models import Elevator, ElevatorStatus
from maintenance.models import MaintenanceState, RescueIncident, ServiceKind
from maintenance.selectors.hazards import hazard_figures
from maintenance.selectors.records import maintenance_state_expression
from maintenance.selectors.rescues import rescue_figures
from maintenance.selectors.service_records import service_figures

from .workbook import Column

RATE_PLACES = Decimal("0.0001")  # the places of CompanyScore.on_time_rate


@dataclass
class MaintenanceFigures:
    """The figures of one reader's slice: services and rescues over start..end, the on-time rate
    and the hazards on `on` (the period's last day)."""

    start: date
    end: date
    services: list[dict]  # service_figures rows
    on_time: int
    overdue: int
    no_record: int
    hazards: dict  # hazard_figures
    rescues: dict  # rescue_figures

    @property
    def on_time_rate(self) -> Decimal | None:
        """On time / elevators in use with a record (ADR 0009), four places; None without any."""
        with_records = self.on_time + self.overdue
        if not with_records:
            return None
        return (Decimal(self.on_time) / with_records).quantize(RATE_PLACES, ROUND_HALF_UP)

    @property
    def services_by_kind(self) -> list[dict]:
        """The services summed over insurers: [{"kind", "kind_label", "services"}], in kind order."""
        kinds: dict[str, dict] = {}
        for row in self.services:
            kind = kinds.setdefault(
                row["kind"], {"kind": row["kind"], "kind_label": row["kind_label"], "services": 0}
            )
            kind["services"] += row["services"]
        return sorted(kinds.values(), key=lambda k: ServiceKind.values.index(k["kind"]))

    @property
    def services_total(self) -> int:
        return sum(row["services"] for row in self.services)


def in_use_states(elevators, *, on: date):
    """The elevators of `elevators` in use, each annotated with its maintenance state on `on` (a
    MaintenanceState value): what the on-time rate counts (ADR 0009)."""
    return (
        elevators.filter(status=ElevatorStatus.IN_USE)
        .annotate(state=maintenance_state_expression(on=on))
        .order_by()
    )


def maintenance_figures(
    *, user, start: date, end: date, district=None, place_category=None, states: dict | None = None
) -> MaintenanceFigures:
    """The maintenance figures `user` sees, optionally of one district or place category: services
    performed and rescues alarmed on start..end, the maintenance states and hazards on `end`.
    `states`: the elevators per MaintenanceState on `end` already counted (a kept day's), else
    counted here."""
    elevators = Elevator.objects.visible_to(user)
    sliced = district is not None or place_category is not None
    if district is not None:
        elevators = elevators.filter(district=district)
    if place_category is not None:
        elevators = elevators.filter(place_category=place_category)
    if states is None:
        states = dict(in_use_states(elevators, on=end).values_list("state").annotate(n=Count("pk")))
    rescues = RescueIncident.objects.visible_to(user)
    if sliced:
        rescues = rescues.filter(elevator__in=elevators)
    return MaintenanceFigures(
        start=start,
        end=end,
        services=service_figures(user=user, start=start, end=end, elevators=elevators if sliced else None),
        on_time=states.get(MaintenanceState.OK, 0),
        overdue=states.get(MaintenanceState.OVERDUE, 0),
        no_record=states.get(MaintenanceState.NONE, 0),
        hazards=hazard_figures(user=user, on=end, district=district, place_category=place_category),
        rescues=rescue_figures(rescues=rescues, start=start, end=end),
    )


# --- the report's sheet ------------------------------------------------------------------------

SERVICE_HEADERS = (
    gettext_lazy("保险机构"),
    gettext_lazy("服务类型"),
    gettext_lazy("服务次数"),
    gettext_lazy("服务电梯（台）"),
)


def figure_rows(figures: MaintenanceFigures) -> list[tuple]:
    """The sheet's (label, value, kind) rows: the on-time rate, hazards and rescues."""
    hazards, rescues = figures.hazards, figures.rescues
    return [
        (_("按期维保率"), figures.on_time_rate, "percent"),
        (_("按期维保电梯（台）"), figures.on_time, "int"),
        (_("维保超期电梯（台）"), figures.overdue, "int"),
        (_("无维保记录电梯（台）"), figures.no_record, "int"),
        (_("累计发现隐患（项）"), hazards["found"], "int"),
        (_("未整改隐患（项）"), hazards["open"], "int"),
        (_("其中重大隐患（项）"), hazards["serious"], "int"),
        (_("其中逾期未整改（项）"), hazards["overdue"], "int"),
        (_("隐患整改率"), hazards["rectification_rate"], "percent"),
        (_("困人救援（次）"), rescues["count"], "int"),
        (_("平均到达时间（分钟）"), rescues["mean_minutes_to_arrive"], "money"),
        (_("30分钟到达率"), rescues["within_limit_rate"], "percent"),
    ]


def maintenance_sheet(book, figures: MaintenanceFigures) -> None:
    """The "维保与服务" sheet: the figures live from the registry for the month (as the claims
    sheet is), then the month's services by insurer and kind."""

    sheet = book.sheet(_("维保与服务"))
    sheet.note(
        _(
            "按生成报表时的数据统计：服务与困人救援为 %(start)s 至 %(end)s；维保状态与隐患为 %(end)s 当日（不属冻结数据）。"
        )
        % {"start": figures.start.isoformat(), "end": figures.end.isoformat()}
    )
    header = book.formats["header"]
    for col, title in enumerate((_("指标"), _("数值"))):
        sheet.text(col, title, header)
    sheet.row += 1
    for label, value, kind in figure_rows(figures):
        sheet.text(0, label)
        sheet.value(1, value, kind)
        sheet.row += 1
    sheet.row += 1
    columns = [
        Column(SERVICE_HEADERS[0]),
        Column(SERVICE_HEADERS[1]),
        *(Column(h, "int") for h in SERVICE_HEADERS[2:]),
    ]
    total = str(_("合计"))
    rows = [(r["insurer_name"], r["kind_label"], r["services"], r["elevators"]) for r in figures.services]
    rows += [(total, k["kind_label"], k["services"], None) for k in figures.services_by_kind]
    sheet.table(columns, rows, freeze=False)
