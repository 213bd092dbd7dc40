"""The monthly reports page: a department's own reports (of published months), every report for
the city regulator, who also runs them now and previews a workbook in the browser."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Department, OrganisationKind
from core.views import VisibleListView, refusals_return_to
from core.visibility import organisation_of

from ..api.reports import report_file_response
from ..filtersets import ReportRunFilterSet
from ..models import FrozenMonth, ReportRun
from ..reports.preview import workbook_preview
from ..services import reports_request


def runs_reports(user) -> bool:
    """The city regulator (and back-office staff) run reports and preview them."""
    organisation = organisation_of(user)
    if organisation is None:
        return bool(user.is_superuser)
    return organisation.kind == OrganisationKind.CITY_REGULATOR


class RunNowForm(forms.Form):
    frozen_month = forms.ModelChoiceField(
        FrozenMonth.objects.order_by("-month"),
        label=gettext_lazy("月份"),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    department = forms.ChoiceField(
        label=gettext_lazy("部门"),
        choices=[("", gettext_lazy("全部八个部门"))] + list(Department.choices),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class ReportRunListView(VisibleListView):
    page_title = gettext_lazy("月度报表")
    queryset = ReportRun.objects.select_related("frozen_month")
    filterset_class = ReportRunFilterSet
    list_filters = ["month", "department", "status"]
    sortable_columns = ("month", "department", "finished_at")
    default_ordering = "-month"
    template_name = "reporting/report_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if runs_reports(self.request.user):
            context["run_now_form"] = RunNowForm()
            context["may_run"] = True
        return context


@login_required
def report_download_view(request, pk):
    """The workbook of a report the user may see (404 otherwise)."""
    run = get_object_or_404(ReportRun.objects.visible_to(request.user), pk=pk)
    return report_file_response(run)


@login_required
@require_POST
@refusals_return_to("reports")
def report_run_now_view(request):
    """Queue a month's reports (one department or all eight) now; the city regulator only."""
    if not runs_reports(request.user):
        raise PermissionDenied
    form = RunNowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择已冻结的月份和部门。"))
        return redirect("reports")
    department = form.cleaned_data["department"]
    runs = reports_request(
        user=request.user,
        frozen_month=form.cleaned_data["frozen_month"],
        departments=[department] if department else None,
    )
    messages.success(request, _("已提交 %(n)d 份报表的生成任务。") % {"n": len(runs)})
    return redirect("reports")


@login_required
def report_preview_view(request, pk):
    """The first rows of each sheet of a report, in the browser (the city regulator only)."""
    if not runs_reports(request.user):
        raise PermissionDenied
    run = get_object_or_404(ReportRun.objects.visible_to(request.user).select_related("frozen_month"), pk=pk)
    sheets = workbook_preview(run.file) if run.file else []
    return render(request, "reporting/report_preview.html", {"run": run, "sheets": sheets})
