"""Browser pages of rescues: the list (with its Excel export), one rescue, the record form, the
regulators' rescue board, and the insurer's claim proposals with confirm and decline."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts.models import OrganisationKind
from core.views import VisibleDetailView, VisibleListView, refusals_on, require_kind
from insurance.permissions import insurer_of

from ..filtersets.rescues import ClaimProposalFilterSet, RescueFilterSet
from ..models import ClaimProposal, RescueIncident
from ..selectors.rescues import rescue_board, rescue_figures
from ..services.claim_proposals import claim_proposal_confirm, claim_proposal_decline
from ..services.rescues import REPORTER_REFUSAL, rescue_record, rescue_reporter_of
from .rescue_forms import ProposalDecisionForm, RescueRecordForm

RESCUE_EXPORT_HEADERS = [
    "救援编号", "报告单位", "设备代码", "电梯识别码", "区县", "报警时间", "派单时间", "到达时间", "解困时间",
    "到达用时（分钟）", "现场用时（分钟）", "30分钟内到达", "被困人数", "受伤人数", "救援力量", "困人原因",
]  # fmt: skip
# The service's field names, as the record form shows them (a code typed either way is "code").
RECORD_FORM_FIELDS = {
    **{name: name for name in RescueRecordForm.base_fields},
    "equipment_code": "code",
    "rescue_code": "code",
}
PROPOSAL_EXPORT_HEADERS = [
    "救援编号", "设备代码", "报警时间", "被困人数", "被困分钟", "保险机构", "保单号", "建议金额（元）", "状态", "理赔编号",
]  # fmt: skip
BOARD_KINDS = frozenset({OrganisationKind.CITY_REGULATOR, OrganisationKind.DISTRICT_REGULATOR})


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def export_table_of(headers: list[str], row_of, *, related: tuple[str, ...] = ()):
    """An export_table for VisibleListView: the headers and `row_of(obj)` for each row, streamed."""

    def export_table(*, queryset):
        rows = (
            queryset.select_related(*related).iterator(chunk_size=2000)
            if related
            else queryset.iterator(chunk_size=2000)
        )
        return headers, (row_of(obj) for obj in rows)

    return export_table


def _rescue_row(rescue) -> list:
    within = rescue.arrived_within_limit
    return [
        rescue.rescue_number,
        rescue.reporter.name,
        rescue.elevator.equipment_code,
        rescue.elevator.rescue_code or "",
        rescue.elevator.district.name,
        _when(rescue.alarm_at),
        _when(rescue.dispatched_at),
        _when(rescue.arrived_at),
        _when(rescue.released_at),
        rescue.minutes_to_arrive,
        rescue.minutes_on_site,
        "" if within is None else ("是" if within else "否"),
        rescue.people_trapped,
        rescue.people_injured,
        rescue.get_tier_display(),
        rescue.get_cause_display(),
    ]


def _proposal_row(proposal) -> list:
    rescue = proposal.rescue
    return [
        rescue.rescue_number,
        rescue.elevator.equipment_code,
        _when(rescue.alarm_at),
        rescue.people_trapped,
        rescue.minutes_trapped,
        proposal.insurer.name,
        proposal.policy.number,
        proposal.amount,
        proposal.get_status_display(),
        proposal.claim.claim_number if proposal.claim else "",
    ]


class RescueListView(VisibleListView):
    page_title = gettext_lazy("困人救援")
    queryset = RescueIncident.objects.select_related("reporter", "elevator__district")
    filterset_class = RescueFilterSet
    list_filters = ["q", "district", "tier", "within_limit", "alarm_from", "alarm_to"]
    sortable_columns = ("alarm_at", "rescue_number", "people_trapped")
    default_ordering = "-alarm_at"
    template_name = "maintenance/rescue_list.html"
    export_table = staticmethod(
        export_table_of(RESCUE_EXPORT_HEADERS, _rescue_row, related=("reporter", "elevator__district"))
    )
    export_filename = "困人救援-{date:%Y%m%d}.xlsx"
    export_sheet = "困人救援"
    list_url_name = "rescue-list"
    export_url_name = "rescue-export"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_record"] = rescue_reporter_of(self.request.user) is not None
        return context


class RescueDetailView(VisibleDetailView):
    queryset = RescueIncident.objects.select_related("reporter", "elevator__district")
    template_name = "maintenance/rescue_detail.html"
    context_object_name = "rescue"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proposal"] = (
            ClaimProposal.objects.visible_to(self.request.user)
            .select_related("insurer", "policy")
            .filter(rescue=self.object)
            .first()
        )
        return context


@login_required
def rescue_record_view(request):
    """A maintenance company or a regulator records a rescue (a number sent again updates it)."""
    reporter = rescue_reporter_of(request.user)
    if reporter is None:
        raise PermissionDenied(REPORTER_REFUSAL)
    form = RescueRecordForm(request.POST or None, reporter=reporter)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, fields=RECORD_FORM_FIELDS):
            rescue, outcome = rescue_record(user=request.user, data=form.rescue_data())
            if outcome == "unchanged":
                messages.info(request, _("救援记录 %(number)s 没有变化。") % {"number": rescue.rescue_number})
            else:
                messages.success(
                    request, _("救援记录 %(number)s 已保存。") % {"number": rescue.rescue_number}
                )
            return redirect("rescue-detail", pk=rescue.pk)
    return render(request, "maintenance/rescue_form.html", {"form": form})


def _month(text: str, today: date) -> date:
    """The first day of the month `text` names (YYYY-MM), not after this month; else this month's."""
    try:
        start = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)
    return min(start, today.replace(day=1)) if start.year >= 2000 else today.replace(day=1)


class RescueBoardView(LoginRequiredMixin, TemplateView):
    """The regulators' rescue board: this month's incidents, mean arrival minutes and the
    30-minute rate, for the whole visible slice and by district."""

    template_name = "maintenance/rescue_board.html"

    def get(self, request, *args, **kwargs):
        require_kind(request.user, BOARD_KINDS, _("救援看板仅供市场监管部门使用。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        start = _month(self.request.GET.get("month", ""), today)
        end = min(today, (start + timedelta(days=31)).replace(day=1) - timedelta(days=1))
        rescues = RescueIncident.objects.visible_to(self.request.user)
        context.update(
            start=start,
            end=end,
            month=start.strftime("%Y-%m"),
            totals=rescue_figures(rescues=rescues, start=start, end=end),
            rows=rescue_board(rescues=rescues, start=start, end=end),
        )
        return context


class ClaimProposalListView(VisibleListView):
    page_title = gettext_lazy("救援理赔建议")
    queryset = ClaimProposal.objects.select_related("rescue__elevator", "policy", "insurer", "claim")
    filterset_class = ClaimProposalFilterSet
    list_filters = ["status", "equipment_code"]
    sortable_columns = ("created_at", "amount")
    default_ordering = "-created_at"
    template_name = "maintenance/claim_proposal_list.html"
    export_table = staticmethod(export_table_of(PROPOSAL_EXPORT_HEADERS, _proposal_row))
    export_filename = "救援理赔建议-{date:%Y%m%d}.xlsx"
    export_sheet = "救援理赔建议"
    list_url_name = "claim-proposal-list"
    export_url_name = "claim-proposal-export"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        insurer = insurer_of(self.request.user)
        context["insurer_id"] = insurer.pk if insurer else None
        return context


def _decide(request, pk, decide, done_message):
    proposal = get_object_or_404(ClaimProposal.objects.visible_to(request.user), pk=pk)
    form = ProposalDecisionForm(request.POST)
    form.is_valid()
    with refusals_on(form) as refusal:
        proposal = decide(proposal, form.cleaned_data)
        messages.success(request, done_message % {"number": proposal.rescue.rescue_number})
    if refusal:
        messages.error(request, refusal.error.message)
    return redirect("claim-proposal-list")


@login_required
@require_POST
def claim_proposal_confirm_view(request, pk):
    return _decide(
        request,
        pk,
        lambda proposal, data: claim_proposal_confirm(
            user=request.user,
            proposal=proposal,
            claim_number=data.get("claim_number", ""),
            note=data.get("note", ""),
        ),
        _("救援 %(number)s 的理赔建议已确认立案。"),
    )


@login_required
@require_POST
def claim_proposal_decline_view(request, pk):
    return _decide(
        request,
        pk,
        lambda proposal, data: claim_proposal_decline(
            user=request.user, proposal=proposal, note=data.get("note", "")
        ),
        _("救援 %(number)s 的理赔建议已拒绝。"),
    )
