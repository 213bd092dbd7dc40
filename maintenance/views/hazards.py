"""Browser pages of hazards: the list (filters, search, sort, export), one hazard with its steps and
the rectify / close forms, the report form (elevators the user sees) and the regulators' board.
Every write goes through maintenance.services.hazards."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import OrganisationKind
from core.views import VisibleDetailView, VisibleListView, refusals_on, require_kind
from elevators.models import Elevator

from ..filtersets.hazards import HazardFilterSet
from ..models import Hazard, HazardSeverity, HazardSource, HazardStatus, SeriousHazardCriterion
from ..selectors.hazards import hazard_board
from ..services.hazards import (
    RECTIFY_HAZARD,
    REPORTER_REFUSAL,
    VERIFY_HAZARD,
    hazard_close,
    hazard_rectify,
    hazard_report,
    hazard_reporter_of,
)

BOARD_KINDS = {OrganisationKind.CITY_REGULATOR, OrganisationKind.DISTRICT_REGULATOR}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HazardReportForm(forms.Form):
    elevator = forms.ModelChoiceField(
        queryset=Elevator.objects.none(),
        to_field_name="equipment_code",
        widget=forms.TextInput(attrs={"class": "font-monospace"}),
        label=gettext_lazy("设备代码"),
        error_messages={"invalid_choice": gettext_lazy("未找到该设备代码的电梯，或您无权查看。")},
    )
    hazard_number = forms.CharField(max_length=64, label=gettext_lazy("隐患编号"))
    found_on = forms.DateField(widget=DATE, label=gettext_lazy("发现日期"))
    found_by = forms.ChoiceField(
        choices=[("", gettext_lazy("按本单位类型")), *HazardSource.choices],
        required=False,
        label=gettext_lazy("发现途径"),
    )
    severity = forms.ChoiceField(choices=HazardSeverity.choices, label=gettext_lazy("隐患等级"))
    criterion = forms.ChoiceField(
        choices=[("", "—"), *SeriousHazardCriterion.choices],
        required=False,
        label=gettext_lazy("重大隐患判定依据"),
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("隐患描述"))
    deadline = forms.DateField(widget=DATE, required=False, label=gettext_lazy("整改期限"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elevator"].queryset = Elevator.objects.visible_to(user)

    def report_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "elevator"}
        return {**data, "equipment_code": self.cleaned_data["elevator"].equipment_code}


class HazardRectifyForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, HazardStatus(s).label) for s in (HazardStatus.RECTIFYING, HazardStatus.RECTIFIED)],
        label=gettext_lazy("整改状态"),
    )
    rectification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=gettext_lazy("整改情况")
    )


class HazardCloseForm(forms.Form):
    send_back = forms.TypedChoiceField(
        choices=[("0", gettext_lazy("核销")), ("1", gettext_lazy("退回整改"))],
        coerce=lambda value: value == "1",
        label=gettext_lazy("核销结论"),
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=gettext_lazy("说明")
    )


def hazard_export_table(*, queryset):
    headers = [
        _("隐患编号"), _("报告单位"), _("设备代码"), _("区县"), _("发现日期"), _("发现途径"), _("隐患等级"),
        _("判定依据"), _("隐患描述"), _("整改期限"), _("状态"), _("整改情况"),
    ]  # fmt: skip

    def rows():
        for hazard in queryset.iterator(chunk_size=2000):
            yield [
                hazard.hazard_number, hazard.reporter.name, hazard.elevator.equipment_code,
                hazard.elevator.district.name, hazard.found_on, hazard.get_found_by_display(),
                hazard.get_severity_display(), hazard.get_criterion_display(), hazard.description,
                hazard.deadline, hazard.get_status_display(), hazard.rectification,
            ]  # fmt: skip

    return headers, rows()


class HazardListView(VisibleListView):
    page_title = gettext_lazy("隐患")
    queryset = Hazard.objects.select_related("reporter", "elevator__district")
    filterset_class = HazardFilterSet
    list_filters = [
        "q",
        "status",
        "severity",
        "criterion",
        "district",
        "overdue",
        "found_after",
        "found_before",
    ]
    sortable_columns = ("hazard_number", "found_on", "deadline")
    default_ordering = "-found_on"
    template_name = "maintenance/hazard_list.html"
    export_table = staticmethod(hazard_export_table)
    export_filename = "隐患_{date}.xlsx"
    export_sheet = "隐患"
    list_url_name = "hazard-list"
    export_url_name = "hazard-export"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_report"] = hazard_reporter_of(self.request.user) is not None
        context["today"] = timezone.localdate()
        return context


class HazardDetailView(VisibleDetailView):
    queryset = Hazard.objects.select_related("reporter", "elevator__district")
    template_name = "maintenance/hazard_detail.html"
    context_object_name = "hazard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hazard, user = self.object, self.request.user
        context["steps"] = list(hazard.steps.select_related("by_organisation", "by_user"))
        rectifiable = hazard.status in (HazardStatus.OPEN, HazardStatus.RECTIFYING)
        if rectifiable and RECTIFY_HAZARD(user, hazard):
            context["rectify_form"] = kwargs.get("rectify_form") or HazardRectifyForm()
        if hazard.status == HazardStatus.RECTIFIED and VERIFY_HAZARD(user, hazard):
            context["close_form"] = kwargs.get("close_form") or HazardCloseForm()
        return context


def _visible_hazard(request, pk) -> Hazard:
    return get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)


def _detail_again(request, hazard: Hazard, **forms_shown):
    view = HazardDetailView(request=request, kwargs={"pk": hazard.pk}, object=hazard)
    return render(
        request, view.template_name, view.get_context_data(object=hazard, **forms_shown), status=400
    )


def _hazard_action(request, pk, *, rule, form_class, form_key: str, act):
    """POST of one of the detail page's forms: who may (the rule; PermissionDenied), the form, the
    service `act(hazard, cleaned_data)` returning the message; refused, the detail page again."""
    hazard = _visible_hazard(request, pk)
    if request.method != "POST":
        return redirect("hazard-detail", pk=pk)
    rule.require(request.user, hazard)
    form = form_class(request.POST)
    if form.is_valid():
        with refusals_on(form):
            messages.success(request, act(hazard, form.cleaned_data))
            return redirect("hazard-detail", pk=pk)
    return _detail_again(request, hazard, **{form_key: form})


@login_required
def hazard_rectify_view(request, pk):
    """POST: record rectifying or rectified (the reporter, the maintenance company, the user unit)."""

    def act(hazard, data):
        hazard_rectify(user=request.user, hazard=hazard, **data)
        return _("已登记整改。")

    return _hazard_action(
        request,
        pk,
        rule=RECTIFY_HAZARD,
        form_class=HazardRectifyForm,
        form_key="rectify_form",
        act=act,
    )


@login_required
def hazard_close_view(request, pk):
    """POST: the regulator closes a rectified hazard or sends it back."""

    def act(hazard, data):
        hazard = hazard_close(user=request.user, hazard=hazard, **data)
        return _("隐患已%(status)s。") % {"status": hazard.get_status_display()}

    return _hazard_action(
        request,
        pk,
        rule=VERIFY_HAZARD,
        form_class=HazardCloseForm,
        form_key="close_form",
        act=act,
    )


@login_required
def hazard_report_view(request):
    """Report a hazard on an elevator the user sees (insurers, maintenance companies, regulators)."""
    if hazard_reporter_of(request.user) is None:
        raise PermissionDenied(REPORTER_REFUSAL)
    initial = {"found_on": timezone.localdate(), "elevator": request.GET.get("elevator", "")}
    form = HazardReportForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, fields={"equipment_code": "elevator", **{n: n for n in form.fields}}):
            hazard, outcome = hazard_report(user=request.user, data=form.report_data())
            if outcome == "unchanged":
                messages.info(request, _("隐患 %(number)s 没有变化。") % {"number": hazard.hazard_number})
            else:
                messages.success(request, _("隐患 %(number)s 已报告。") % {"number": hazard.hazard_number})
            return redirect("hazard-detail", pk=hazard.pk)
    return render(request, "maintenance/hazard_form.html", {"form": form})


@login_required
def hazard_board_view(request):
    """The regulators' board: open, serious and overdue hazards by district, linked to the list."""
    require_kind(request.user, BOARD_KINDS, _("隐患看板供市场监管部门使用。"))
    rows = hazard_board(user=request.user)
    totals = {key: sum(row[key] for row in rows) for key in ("open", "serious", "overdue")}
    return render(request, "maintenance/hazard_board.html", {"rows": rows, "totals": totals})
