"""Browser pages of the registry: the list (with its Excel export), one elevator, the public card."""

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import View

from core.views import VisibleDetailView, VisibleListView, sort_links
from core.xlsx import write_xlsx

from .filtersets import ElevatorFilterSet
from .models import Elevator
from .selectors import elevator_export_table, elevator_public_card, elevator_timeline

# The filters the list page offers; the FilterSet's other filters (user unit, maintenance company,
# exact code) serve the API and links, and keep working in the query string.
LIST_FILTERS = [
    "q",
    "district",
    "place_category",
    "group",
    "status",
    "in_scope",
    "insured",
    "old",
    "three_no",
]
SORTABLE_COLUMNS = ["equipment_code", "district", "installed_on", "next_inspection_due"]
DEFAULT_ORDERING = "equipment_code"  # Elevator.Meta.ordering
EXPORT_MAX_ROWS = 100_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PUBLIC_CARD_MAX_AGE = 300


class ElevatorListView(VisibleListView):
    queryset = Elevator.objects.select_related(
        "district", "place_category", "user_unit", "maintenance_company"
    )
    filterset_class = ElevatorFilterSet
    template_name = "elevators/elevator_list.html"
    paginate_by = 25

    def get_queryset(self):
        return super().get_queryset().with_flags(on=timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        context["filter_fields"] = [form[name] for name in LIST_FILTERS]
        # A bad value in a filter the form does not show (from a link or a hand-edited URL) must
        # not pass silently: the page would list everything.
        context["other_filter_errors"] = [
            f"{form[name].label}：{error}"
            for name, errors in form.errors.items()
            if name not in LIST_FILTERS
            for error in errors
        ]
        context["ordering"] = self.request.GET.get("ordering", "")
        context["sort_links"] = sort_links(self.request, SORTABLE_COLUMNS, default=DEFAULT_ORDERING)
        return context


class ElevatorExportView(ElevatorListView):
    """The list page's rows (same visibility, same filters, same order) as an .xlsx the import reads."""

    paginate_by = None

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            # The list page shows what is wrong; an export must never fall back to every row.
            return self.back_to_list(_("筛选条件有误，请修改后再导出。"))
        total = queryset.count()
        if total > EXPORT_MAX_ROWS:
            return self.back_to_list(
                _("筛选结果共 %(total)s 台，超过单次导出上限 %(limit)s 台，请缩小筛选范围后再导出。")
                % {"total": f"{total:,}", "limit": f"{EXPORT_MAX_ROWS:,}"}
            )
        headers, rows = elevator_export_table(queryset=queryset)
        content = write_xlsx(headers, rows, sheet_title="电梯台账")
        filename = f"电梯台账-{timezone.localdate():%Y%m%d}.xlsx"
        return HttpResponse(
            content,
            content_type=XLSX_CONTENT_TYPE,
            headers={"Content-Disposition": content_disposition_header(True, filename)},
        )

    def back_to_list(self, message):
        messages.error(self.request, message)
        query = self.request.GET.urlencode()
        return redirect(reverse("elevator-list") + (f"?{query}" if query else ""))


class ElevatorDetailView(VisibleDetailView):
    queryset = Elevator.objects.select_related(
        "district", "place_category", "user_unit", "owner", "maintenance_company"
    )
    template_name = "elevators/elevator_detail.html"
    context_object_name = "elevator"

    def get_queryset(self):
        return super().get_queryset().with_flags(on=timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timeline"] = elevator_timeline(elevator=self.object, user=self.request.user)
        return context


def qr_svg(url: str) -> str:
    """A QR code (never a Micro QR, which many phones cannot read) for `url`, as inline SVG."""
    return segno.make_qr(url, error="m").svg_inline(border=2, omitsize=True, title=url, svgclass="tb-qr")


class PublicCardView(View):
    """/e/<code>/: the public card, for anyone who scans the sign in the car; no login."""

    template_name = "elevators/public_card.html"

    def get(self, request, code):
        card = elevator_public_card(equipment_code=code)
        if card is None:
            return render(request, self.template_name, {"card": None, "code": code}, status=404)
        response = render(request, self.template_name, self.get_context_data(card))
        patch_cache_control(response, public=True, max_age=PUBLIC_CARD_MAX_AGE)
        return response

    def get_context_data(self, card):
        return {"card": card}


class PublicSignView(PublicCardView):
    """/e/<code>/sign/: the A5 sign to print and put up in the car, with the card's QR code."""

    template_name = "elevators/public_sign.html"

    def get_context_data(self, card):
        card_url = self.request.build_absolute_uri(reverse("elevator-card", args=[card["equipment_code"]]))
        return {
            "card": card,
            "card_url": card_url,
            "qr_svg": mark_safe(qr_svg(card_url)),  # segno's own markup: path data and an escaped title
            "printed_on": timezone.localdate(),
        }
