"""The insurance regulator's view: each insurer's cover, premium, claims and loss ratio."""

from django.views.generic import TemplateView

from core.dbrouter import ReplicaReadsMixin

from ..selectors import insurer_performance, loss_window
from .access import INSURER_FIGURE_READERS, ReadersOnlyMixin, slice_of


class InsurerFiguresView(ReplicaReadsMixin, ReadersOnlyMixin, TemplateView):
    """/coverage/insurers/?on=: one row per insurer (reporting.selectors.insurer_performance)."""

    reader_kinds = INSURER_FIGURE_READERS
    template_name = "reporting/insurer_figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, slice_ = slice_of(self.request)
        on = slice_["on"]
        rows = insurer_performance(user=self.request.user, on=on)
        start, end = loss_window(on)
        context.update(
            form=form,
            on=on,
            window_start=start,
            rows=rows,
            chart_data={
                "insurers": [
                    {
                        "key": row.key,
                        "label": row.label,
                        "loss_ratio": float(row.loss_ratio) if row.loss_ratio is not None else None,
                        "elevators": row.elevators_covered,
                    }
                    for row in rows
                ]
            },
        )
        return context
