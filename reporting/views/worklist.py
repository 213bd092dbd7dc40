"""The work list: uninsured elevators in scope on a day, with who should insure each, and its export."""

from django.utils.translation import gettext_lazy as _

from core.views import VisibleListView
from elevators.filtersets import ElevatorFilterSet
from elevators.models import Elevator

from ..selectors import coverage_worklist, worklist_cells, worklist_export_table, worklist_headers
from .access import ReadersOnlyMixin, slice_of


class UninsuredListView(ReadersOnlyMixin, VisibleListView):
    """/coverage/uninsured/?on=&district=&place_category=: the elevators behind an uninsured figure;
    `as_view(export=True)` writes the same rows, in the same columns, to .xlsx."""

    page_title = _("未投保电梯清单")
    queryset = Elevator.objects.select_related("district", "place_category", "user_unit", "owner")
    filterset_class = ElevatorFilterSet
    list_filters = ["q", "district", "place_category", "group"]
    sortable_columns = ("equipment_code", "district", "next_inspection_due")
    default_ordering = "equipment_code"
    template_name = "reporting/uninsured_list.html"
    export_table = staticmethod(worklist_export_table)
    export_filename = "未投保电梯清单-{date:%Y%m%d}.xlsx"
    export_sheet = "未投保电梯"
    list_url_name = "coverage-uninsured"
    export_url_name = "coverage-uninsured-export"

    def get_queryset(self):
        self.slice_form, slice_ = slice_of(self.request)
        self.on = slice_["on"]
        return coverage_worklist(elevators=super().get_queryset(), on=self.on)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            on=self.on,
            headers=worklist_headers(),
            rows=[{"pk": e.pk, "cells": worklist_cells(e)} for e in context["object_list"]],
        )
        return context
