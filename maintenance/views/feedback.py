"""Passenger feedback: the public form behind the card (/e/<code>/feedback/, no login) and the list
regulators and maintenance companies read."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from core.views import VisibleListView, refusals_on

from ..filtersets.rescues import FeedbackFilterSet
from ..models import PassengerFeedback
from ..services.feedback import FeedbackThrottled, feedback_elevator, feedback_submit
from .rescue_forms import FeedbackForm
from .rescues import export_table_of


def client_address(request) -> str:
    """The sender's address for throttling: REMOTE_ADDR, which the proxy in front sets (a
    forwarded-for header is the sender's own word and is not trusted)."""
    return request.META.get("REMOTE_ADDR", "")


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def feedback_submit_view(request, code):
    """A passenger rates the elevator of the card: the form, then thanks, or why it was refused
    (429 past the hourly limits, 400 for a form in error). Anyone, no login."""
    elevator = feedback_elevator(code)
    if elevator is None:
        raise Http404
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    status, done = 200, False
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with refusals_on(form) as refusal:
                feedback_submit(elevator=elevator, address=client_address(request), **form.cleaned_data)
                status, done = 200, True
            if isinstance(refusal.error, FeedbackThrottled):
                status = 429
    context = {"form": form, "done": done, "equipment_code": elevator.equipment_code}
    return render(request, "maintenance/feedback_form.html", context, status=status)


class FeedbackListView(VisibleListView):
    page_title = gettext_lazy("乘客评价")
    queryset = PassengerFeedback.objects.select_related("elevator__district", "elevator__maintenance_company")
    filterset_class = FeedbackFilterSet
    list_filters = ["q", "rating", "has_complaint", "district", "equipment_code"]
    sortable_columns = ("created_at",)
    default_ordering = "-created_at"
    template_name = "maintenance/feedback_list.html"
    export_filename = "乘客评价-{date:%Y%m%d}.xlsx"
    export_sheet = "乘客评价"
    list_url_name = "feedback-list"
    export_url_name = "feedback-export"

    export_table = staticmethod(
        export_table_of(
            ["提交时间", "设备代码", "区县", "维保单位", "评价", "投诉内容", "联系方式"],
            lambda feedback: [
                timezone.localtime(feedback.created_at).strftime("%Y-%m-%d %H:%M"),
                feedback.elevator.equipment_code,
                feedback.elevator.district.name,
                feedback.elevator.maintenance_company.name if feedback.elevator.maintenance_company else "",
                feedback.get_rating_display(),
                feedback.complaint,
                feedback.contact,
            ],
        )
    )
