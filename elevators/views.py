"""Browser pages of the registry: the list (with its Excel export), one elevator, the public card."""

import segno
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from core.views import VisibleDetailView, VisibleListView

from .filtersets import ElevatorFilterSet
from .models import Elevator
from .selectors import elevator_export_table, elevator_public_card, elevator_timeline

PUBLIC_CARD_MAX_AGE = 300


class ElevatorListView(VisibleListView):
    """The registry the user may see; `as_view(export=True)` is its Excel export, which re-imports."""

    page_title = _("电梯")
    queryset = Elevator.objects.select_related(
        "district", "place_category", "user_unit", "maintenance_company"
    )
    filterset_class = ElevatorFilterSet
    # The FilterSet's other filters (user unit, maintenance company, exact code) serve the API and
    # links, and keep working in the query string.
    list_filters = [
        "q",
        "district",
        "place_category",
        "group",
        "status",
        "in_scope",
        "insured",
        "old",
        "three_no",
        "maintenance",
    ]
    sortable_columns = ("equipment_code", "district", "installed_on", "next_inspection_due")
    default_ordering = "equipment_code"  # Elevator.Meta.ordering
    template_name = "elevators/elevator_list.html"
    export_table = staticmethod(elevator_export_table)
    export_filename = "电梯台账-{date:%Y%m%d}.xlsx"
    export_sheet = "电梯台账"
    list_url_name = "elevator-list"
    export_url_name = "elevator-export"

    def get_queryset(self):
        today = timezone.localdate()
        return super().get_queryset().with_flags(on=today).with_safety(on=today)


class ElevatorDetailView(VisibleDetailView):
    queryset = Elevator.objects.select_related(
        "district", "place_category", "user_unit", "owner", "maintenance_company"
    )
    template_name = "elevators/elevator_detail.html"
    context_object_name = "elevator"

    def get_queryset(self):
        today = timezone.localdate()
        return super().get_queryset().with_flags(on=today).with_safety(on=today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timeline"] = elevator_timeline(elevator=self.object, user=self.request.user)
        return context


def qr_svg(url: str) -> str:
    """A QR code (never a Micro QR, which many phones cannot read) for `url`, as inline SVG."""
    return segno.make_qr(url, error="m").svg_inline(border=2, omitsize=True, title=url, svgclass="tb-qr")


class PublicCardView(View):
    """/e/<code>/: the public card, for anyone who scans the sign in the car or types the equipment
    code or the 6-digit rescue code; no login."""

    template_name = "elevators/public_card.html"

    def get(self, request, code):
        card = elevator_public_card(code=code)
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
