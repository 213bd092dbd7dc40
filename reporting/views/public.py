"""The public page: the published monthly figures of the city and its districts, without login.

Aggregates only, and only what the city regulator has published (FrozenFigure.open_data): the
open-data face of the plan's goal.
"""

from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ..models import FrozenFigure, FrozenMonth, ScopeKind
from ..months import TOTAL
from ..selectors import CoverageFigure
from .access import coverage_target

PUBLIC_MONTHS = 12


class PublicCoverageView(TemplateView):
    """/open-data/coverage/: the last twelve published months, the latest by district."""

    template_name = "reporting/public_coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = list(FrozenMonth.objects.published().order_by("-month")[:PUBLIC_MONTHS])[::-1]
        figures = (
            FrozenFigure.objects.open_data()
            .of_scope(ScopeKind.CITY)
            .filter(frozen_month__in=months, by__in=[TOTAL, "district"])
            .order_by("pk")
        )
        totals, districts = {}, {}
        for f in figures:
            figure = CoverageFigure(f.key, f.label, f.in_scope, f.insured)
            if f.by == TOTAL:
                totals[f.frozen_month_id] = figure
            else:
                districts.setdefault(f.frozen_month_id, []).append(figure)
        rows = [(month, totals[month.pk]) for month in months if month.pk in totals]
        latest = rows[-1][0] if rows else None
        latest_districts = districts.get(latest.pk, []) if latest else []
        target = coverage_target(on=latest.on) if latest else None
        context.update(
            months=rows,
            latest=latest,
            latest_total=rows[-1][1] if rows else None,
            districts=[(row, "") for row in latest_districts],
            target=target,
            chart_data={
                "target": target,
                "charts": {"districts": [{**row.as_dict(), "url": ""} for row in latest_districts]},
                "trend": [{"month": m.label, "rate": t.as_dict()["rate"], "target": target} for m, t in rows],
                "words": {"rate": _("投保率"), "target": _("目标")},
            }
            if rows
            else {},
        )
        return context
