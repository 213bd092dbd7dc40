"""Browser pages of services: the list (filters, search, sort, Excel export), one service with its
elevators, policies and attachments, and an insurer recording a service on elevators it covers
under insurance+maintenance policies (through maintenance.services)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.filtersets import DATE_INPUT
from core.views import VisibleDetailView, VisibleListView, refusals_on
from elevators.models import Elevator
from insurance.models import InsuranceModel
from insurance.permissions import insurer_of

from ..filtersets.service_records import ServiceRecordFilterSet
from ..models import AssessmentConclusion, ServiceElevator, ServiceKind, ServiceRecord
from ..selectors.service_records import service_export_table
from ..services.attachments import attachment_add
from ..services.service_records import KIND_ONLY_FIELDS, service_record_upsert


class ServiceRecordListView(VisibleListView):
    page_title = gettext_lazy("保险服务")
    queryset = ServiceRecord.objects.select_related("insurer").prefetch_related(
        Prefetch("covered", queryset=ServiceElevator.objects.select_related("elevator").order_by("pk"))
    )
    filterset_class = ServiceRecordFilterSet
    list_filters = ["q", "kind", "insurer", "performed_after", "performed_before"]
    sortable_columns = ("performed_on", "service_number", "kind")
    default_ordering = "-performed_on"
    template_name = "maintenance/service_list.html"
    export_table = staticmethod(service_export_table)
    export_filename = "保险服务-{date:%Y%m%d}.xlsx"
    export_sheet = "保险服务"
    list_url_name = "service-list"
    export_url_name = "service-export"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_create"] = insurer_of(self.request.user) is not None
        return context


class ServiceRecordDetailView(VisibleDetailView):
    queryset = ServiceRecord.objects.select_related("insurer", "maintenance_company")
    template_name = "maintenance/service_detail.html"
    context_object_name = "service"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        links = self.object.covered.select_related("elevator", "policy").order_by("pk")
        # Only the elevators the reader sees are listed (a district regulator sees its district's).
        context["links"] = list(links.filter(elevator__in=Elevator.objects.visible_to(self.request.user)))
        context["attachments"] = list(self.object.attachments.all())
        return context


def elevators_served_by(insurer):
    """The elevators `insurer` covers (or covered) under insurance+maintenance policies: what its
    service form offers; the service decides whether the cover is in force on the day."""
    return Elevator.objects.filter(
        policy_covers__policy__insurer=insurer,
        policy_covers__model=InsuranceModel.INSURANCE_MAINTENANCE,
        policy_covers__is_cancelled=False,
    ).distinct()


class ServiceRecordForm(forms.Form):
    service_number = forms.CharField(label=gettext_lazy("服务编号"), max_length=64)
    kind = forms.ChoiceField(label=gettext_lazy("服务类型"), choices=ServiceKind.choices)
    performed_on = forms.DateField(label=gettext_lazy("服务日期"), widget=DATE_INPUT)
    elevators = forms.ModelMultipleChoiceField(
        label=gettext_lazy("电梯"),
        queryset=Elevator.objects.none(),
        required=False,
        help_text=gettext_lazy("本机构“保险+维保服务”保单承保的电梯。"),
    )
    policy_number = forms.CharField(
        label=gettext_lazy("保单号"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("可不填：按服务日期查找在保的保单；只填服务地点时必填。"),
    )
    site_name = forms.CharField(label=gettext_lazy("服务地点"), max_length=200, required=False)
    findings = forms.CharField(
        label=gettext_lazy("服务内容及发现"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    quality_score = forms.IntegerField(
        label=gettext_lazy("维保质量评分"), min_value=0, max_value=100, required=False
    )
    assessment_grade = forms.CharField(label=gettext_lazy("安全评估等级"), max_length=16, required=False)
    assessment_conclusion = forms.ChoiceField(
        label=gettext_lazy("评估结论"), choices=[("", "—"), *AssessmentConclusion.choices], required=False
    )
    amount = forms.DecimalField(
        label=gettext_lazy("垫付/支付金额（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    repayer = forms.CharField(label=gettext_lazy("偿还方"), max_length=200, required=False)
    repaid = forms.BooleanField(label=gettext_lazy("已偿还"), required=False)
    attendance = forms.IntegerField(label=gettext_lazy("参加人数"), min_value=0, required=False)
    attachment = forms.FileField(
        label=gettext_lazy("附件"), required=False, help_text=gettext_lazy("JPEG、PNG图片或PDF文件。")
    )

    def __init__(self, *args, insurer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elevators"].queryset = elevators_served_by(insurer).order_by("equipment_code")

    def service_data(self) -> dict:
        """The cleaned form as service_record_upsert takes it: the fields of other kinds left out
        (a form shows them all; the service refuses what a kind does not have)."""
        data = dict(self.cleaned_data)
        data.pop("attachment")
        data["equipment_codes"] = [elevator.equipment_code for elevator in data.pop("elevators")]
        if data["kind"] != ServiceKind.THREE_NO_RECTIFICATION:
            data["repaid"] = None
        return {
            name: value
            for name, value in data.items()
            if name not in KIND_ONLY_FIELDS or value not in (None, "")
        }


# The service names its fields as the API does; the form has the elevators as one field.
FORM_FIELDS = {name: name for name in ServiceRecordForm.base_fields} | {
    "equipment_code": "elevators",
    "file": "attachment",
}


@login_required
def service_record_create(request):
    """An insurer records a service on elevators it covers under insurance+maintenance policies."""
    insurer = insurer_of(request.user)
    if insurer is None:
        raise PermissionDenied(_("只有保险机构可以登记保险服务。"))
    form = ServiceRecordForm(request.POST or None, request.FILES or None, insurer=insurer)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, fields=FORM_FIELDS), transaction.atomic():
            service, outcome = service_record_upsert(insurer=insurer, data=form.service_data())
            if form.cleaned_data["attachment"]:
                attachment_add(owner=service, file=form.cleaned_data["attachment"])
            messages.success(request, _("服务 %(number)s 已登记。") % {"number": service.service_number})
            return redirect("service-detail", pk=service.pk)
    return render(request, "maintenance/service_form.html", {"form": form})
