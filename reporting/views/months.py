"""The city regulator's page of frozen months and targets: freeze a month, approve and publish it,
re-freeze it with a reason, and set the coverage targets. Every action is a service's."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import District
from core.views import ObjectHistoryView, VisibleListView

from ..models import FrozenMonth, Target
from ..months import parse_month
from ..services import month_approve, month_freeze, month_publish, target_set
from .reports import runs_reports

CONTROL = {"class": "form-control form-control-sm"}


class FreezeForm(forms.Form):
    month = forms.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        label=gettext_lazy("月份"),
        widget=forms.TextInput(attrs={**CONTROL, "placeholder": "YYYY-MM", "type": "month"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("重新冻结原因"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={**CONTROL, "placeholder": gettext_lazy("已冻结的月份才需要")}),
    )


class TargetForm(forms.Form):
    due_on = forms.DateField(
        label=gettext_lazy("目标日期"), widget=forms.DateInput(attrs={**CONTROL, "type": "date"})
    )
    percent = forms.DecimalField(
        label=gettext_lazy("目标投保率（%）"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**CONTROL, "step": "0.01"}),
    )
    district = forms.ModelChoiceField(
        District.objects.all(),
        label=gettext_lazy("区县"),
        required=False,
        empty_label=gettext_lazy("全市"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class CityRegulatorOnly:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not runs_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MonthsPageHistoryView(CityRegulatorOnly, ObjectHistoryView):
    """The change history of a frozen month (with its re-freezes) or a target, for this page's readers."""

    list_url_name = "frozen-months"


class FrozenMonthListView(CityRegulatorOnly, VisibleListView):
    page_title = gettext_lazy("月度冻结数据")
    queryset = FrozenMonth.objects.select_related(
        "approved_by", "published_by", "frozen_by"
    ).prefetch_related("refreezes")
    template_name = "reporting/month_list.html"
    paginate_by = 24

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["freeze_form"] = FreezeForm()
        context["target_form"] = TargetForm()
        context["targets"] = Target.objects.visible_to(self.request.user).select_related("district")
        return context


def _city_regulator(request):
    """Only the city regulator acts here; a refusal is shown on the months page."""
    if not runs_reports(request.user):
        raise PermissionDenied
    request.refusal_redirect = reverse("frozen-months")


@login_required
@require_POST
def month_freeze_view(request):
    _city_regulator(request)
    form = FreezeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("月份格式应为 YYYY-MM，如 2021-06。"))
        return redirect("frozen-months")
    frozen, computed = month_freeze(
        user=request.user, month=parse_month(form.cleaned_data["month"]), reason=form.cleaned_data["reason"]
    )
    if computed:
        messages.success(request, _("%(month)s 已冻结，待审核。") % {"month": frozen.label})
    else:
        messages.info(
            request,
            _("%(month)s 已冻结过，数字未改变；如需更正请填写重新冻结原因。") % {"month": frozen.label},
        )
    return redirect("frozen-months")


def _month_step(request, pk, step, done: str):
    """A city regulator moves a frozen month on (`step`: month_approve or month_publish); `done` is
    the message, with the month's label."""
    _city_regulator(request)
    frozen = step(user=request.user, frozen_month=get_object_or_404(FrozenMonth, pk=pk))
    messages.success(request, done % {"month": frozen.label})
    return redirect("frozen-months")


@login_required
@require_POST
def month_approve_view(request, pk):
    return _month_step(request, pk, month_approve, _("%(month)s 已审核。"))


@login_required
@require_POST
def month_publish_view(request, pk):
    return _month_step(request, pk, month_publish, _("%(month)s 已发布，各部门的月度报表正在生成。"))


@login_required
@require_POST
def target_set_view(request):
    _city_regulator(request)
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写目标日期和 0 到 100 之间的目标投保率。"))
        return redirect("frozen-months")
    data = form.cleaned_data
    target = target_set(
        user=request.user, due_on=data["due_on"], rate=data["percent"] / 100, district=data["district"]
    )
    messages.success(request, _("已设定目标：%(target)s。") % {"target": target})
    return redirect("frozen-months")
