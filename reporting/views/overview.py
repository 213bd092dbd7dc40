"""The coverage overview and its drill-down: the city, a district, a place category within it.

One page at every level, scoped by the viewer's visibility alone (a district regulator's city is
its district, a department's its sector). Figures come from the coverage engine; the page only
orders them and links each row one level down.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.dbrouter import ReplicaReadsMixin
from core.views import may_read

from ..models import MonthStatus, ScopeKind
from ..months import coverage_trend, month_start, scope_of
from ..reports.maintenance import maintenance_figures
from ..selectors import coverage_change
from ..selectors.daily import (
    coverage_kept,
    forecast_kept,
    insurance_kept,
    kept_coverage,
    maintenance_states_kept,
)
from ..selectors.summaries import ENDING_POLICIES_KEPT
from .access import INSURER_FIGURE_READERS, ReadersOnlyMixin, coverage_target, slice_of
from .maps import city_map

ENDING_POLICIES_SHOWN = ENDING_POLICIES_KEPT


def ranked(rows):
    """Highest rate first; rows with nothing in scope last."""
    return sorted(rows, key=lambda row: (row.rate is None, -(row.rate or 0), row.key))


def query(**params) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def chart_rows(rows, link=None) -> list[dict]:
    """Rows for the page's chart data: the engine's figures, each with where a click leads."""
    return [{**row.as_dict(), "url": link(row) if link else ""} for row in rows]


def maintenance_panel(*, user, on, district, place, states=None) -> dict:
    """The "维保与服务" panel: the maintenance figures of the slice (services and rescues of the
    month up to `on`, states and hazards on `on`; `states` kept, or counted), each with the list a
    reader opens next."""
    figures = maintenance_figures(
        user=user, start=month_start(on), end=on, district=district, place_category=place, states=states
    )
    where = {"district": district.pk if district else None}
    hazards = reverse("hazard-list")
    services = reverse("service-list") + query(performed_after=figures.start, performed_before=on)
    return {
        "figures": figures,
        "kinds": [{**k, "url": f"{services}&kind={k['kind']}"} for k in figures.services_by_kind],
        "services_url": services,
        "overdue_url": reverse("elevator-list")
        + query(maintenance="overdue", **where, place_category=place.pk if place else None),
        "open_url": hazards + query(open="true", **where),
        "serious_url": hazards + query(open="true", severity="serious", **where),
        "overdue_hazards_url": hazards + query(overdue="true", **where),
        "rescue_url": reverse("rescue-board") + query(month=f"{on:%Y-%m}"),
    }


class CoverageOverviewView(ReplicaReadsMixin, ReadersOnlyMixin, TemplateView):
    """/coverage/?on=&district=&place_category=: rate against the target, the rankings below the
    level shown, the renewal cliff and the insurance figures of the slice."""

    template_name = "reporting/coverage_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, slice_ = slice_of(self.request)
        user, on = self.request.user, slice_["on"]
        district, place = slice_["district"], slice_["place_category"]
        filters = {
            key: value
            for key, value in (
                ("district", district.code if district else None),
                ("place_category", place.code if place else None),
            )
            if value
        }
        here = {"on": on.isoformat(), "district": district.code if district else None}
        overview = reverse("coverage-overview")
        worklist = reverse("coverage-uninsured")

        # the day's kept figures when the slice is one of theirs (selectors.daily), else counted
        kept = kept_coverage(user=user, on=on, filters=filters)
        sections = []
        if district is None:
            by_district = coverage_kept(user=user, on=on, kept=kept, by="district", filters=filters)
            total = by_district.total
            sections.append(
                (
                    "districts",
                    _("各区县投保率"),
                    ranked(by_district.rows),
                    lambda row: overview + query(**{**here, "district": row.key}),
                )
            )
        else:
            total = None
        if place is None:
            by_place = coverage_kept(user=user, on=on, kept=kept, by="place_category", filters=filters)
            total = total or by_place.total
            link_place = (
                (lambda row: overview + query(**here, place_category=row.key))
                if district
                else (lambda row: worklist + query(**here, place_category=row.key))
            )
            sections.append(("places", _("按场所类别"), ranked(by_place.rows), link_place))
        by_group = coverage_kept(user=user, on=on, kept=kept, by="category_group", filters=filters)
        total = total or by_group.total
        sections.append(("groups", _("按设备类别"), by_group.rows, None))
        by_model = coverage_kept(user=user, on=on, kept=kept, by="model", filters=filters)
        sections.append(("models", _("按投保模式"), by_model.rows, None))

        points, ending = forecast_kept(user=user, on=on, filters=filters, kept=kept)
        ending_policies = list(ending[:ENDING_POLICIES_SHOWN])
        target = coverage_target(on=on, district=district)
        trend = self.trend(on=on, district=district) if place is None else []
        worklist_url = worklist + query(**here, place_category=place.code if place else None)
        context.update(
            form=form,
            on=on,
            district=district,
            place_category=place,
            total=total,
            target=target,
            computed_at=by_group.computed_at,
            sections=[
                {"key": key, "title": title, "rows": [(row, link(row) if link else "") for row in rows]}
                for key, title, rows, link in sections
            ],
            forecast=points,
            ending_policies=ending_policies,
            ending_policies_more=len(ending_policies) == ENDING_POLICIES_SHOWN,
            insurance=insurance_kept(user=user, on=on, filters=filters, kept=kept),
            worklist_url=worklist_url,
            show_insurers=may_read(user, INSURER_FIGURE_READERS),
            maintenance=maintenance_panel(
                user=user, on=on, district=district, place=place, states=maintenance_states_kept(kept)
            ),
            trend=trend,
            changes=coverage_change(months=trend),
            city_url=overview + query(on=on.isoformat()),
            district_url=overview + query(**here) if district else "",
            chart_data={
                "target": target,
                "total": total.as_dict(),
                "charts": {key: chart_rows(rows, link) for key, title, rows, link in sections},
                "forecast": [
                    {
                        "key": str(p.days),
                        "label": p.figure.label,
                        "on": p.on.isoformat(),
                        **p.figure.as_dict(),
                    }
                    for p in points
                ],
                "map": city_map() if district is None else None,
                "trend": [
                    {
                        "month": m["month"],
                        "rate": m["total"]["rate"],
                        "target": m["target"],
                        "status": m["status"],
                    }
                    for m in trend
                ],
                "words": {"rate": _("投保率"), "target": _("目标"), "now": _("当前")},
            },
        )
        return context

    def trend(self, *, on, district) -> list[dict]:
        """The frozen months up to `on` of the viewer's own scope, or of the district drilled into
        (the frozen figures the viewer may read: published ones, all for the city regulator)."""
        user = self.request.user
        own = scope_of(user)
        if district is None:
            scope = own
        elif own in ((ScopeKind.CITY, ""), (ScopeKind.DISTRICT, district.code)):
            scope = (ScopeKind.DISTRICT, district.code)
        else:  # a department's frozen scope is its sector, not a district's part of it
            return []
        months = coverage_trend(user=user, end=month_start(on), scope=scope)["months"]
        configured = coverage_target(on=on) if any(m["target"] is None for m in months) else None
        return [
            {
                **m,
                "status_label": MonthStatus(m["status"]).label,
                "target": m["target"] if m["target"] is not None else configured,
            }
            for m in months
        ]
