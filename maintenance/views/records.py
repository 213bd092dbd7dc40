"""Browser pages of maintenance records: the list (with its export), one record (confirm and
review), the form a maintenance company records with, the review queue, the company ranking."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import OrganisationKind
from core.views import VisibleDetailView, VisibleListView, refusals_on, require_kind
from core.visibility import organisation_of
from elevators.models import Elevator

from ..checklists import ITEMS_BY_CODE
from ..filtersets.records import MaintenanceRecordFilterSet
from ..models import MaintenanceLevel, MaintenanceRecord, PhotoMoment, PhotoSpot, ReviewOutcome
from ..selectors.companies import company_scores
from ..selectors.records import records_for_review
from ..services.records import may_review, record_confirm, record_photo_add, record_review, record_upsert

REGULATORS = {OrganisationKind.CITY_REGULATOR, OrganisationKind.DISTRICT_REGULATOR}
EXPORT_HEADERS = [
    gettext_lazy("维保记录编号"), gettext_lazy("设备代码"), gettext_lazy("维保单位"), gettext_lazy("维保日期"),
    gettext_lazy("维保类别"), gettext_lazy("疑点"), gettext_lazy("使用单位确认"), gettext_lazy("复核结果"),
]  # fmt: skip


def records_export_table(*, queryset):
    """Headers and rows of the list's export: the columns on the screen."""
    rows = queryset.select_related("elevator", "company").prefetch_related("flags")

    def row(r):
        flags = "、".join(str(f.get_flag_display()) for f in r.flags.all())
        confirmed = timezone.localtime(r.confirmed_at).strftime("%Y-%m-%d %H:%M") if r.confirmed_at else ""
        return [
            r.record_number, r.elevator.equipment_code, r.company.name, r.performed_on, r.get_level_display(),
            flags, confirmed, r.get_review_outcome_display(),
        ]  # fmt: skip

    return [str(h) for h in EXPORT_HEADERS], (row(r) for r in rows.iterator(chunk_size=2_000))


class RecordListView(VisibleListView):
    page_title = gettext_lazy("维保记录")
    queryset = MaintenanceRecord.objects.select_related("elevator", "company").prefetch_related("flags")
    filterset_class = MaintenanceRecordFilterSet
    list_filters = ["q", "level", "performed_after", "performed_before", "flagged"]
    sortable_columns = ("performed_on", "record_number")
    default_ordering = "-performed_on"
    template_name = "maintenance/records_list.html"
    export_table = staticmethod(records_export_table)
    export_filename = "维保记录-{date:%Y%m%d}.xlsx"
    export_sheet = "维保记录"
    list_url_name = "maintenance-record-list"
    export_url_name = "maintenance-record-export"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = organisation_of(self.request.user)
        context["may_record"] = org is not None and org.kind == OrganisationKind.MAINTENANCE_COMPANY
        return context


class ReviewQueueView(RecordListView):
    page_title = gettext_lazy("维保记录复核")
    list_url_name = "maintenance-record-review-queue"
    export_url_name = ""

    def get_queryset(self):
        require_kind(
            self.request.user,
            {*REGULATORS, OrganisationKind.MAINTENANCE_COMPANY},
            _("复核队列仅供监管部门和维保单位使用。"),
        )
        queue = records_for_review(user=self.request.user)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queue, request=self.request)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queue


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("复核结果"),
        choices=[
            (ReviewOutcome.ACCEPTED, ReviewOutcome.ACCEPTED.label),
            (ReviewOutcome.REJECTED, ReviewOutcome.REJECTED.label),
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("复核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PhotoForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("照片"))
    spot = forms.ChoiceField(
        label=gettext_lazy("拍摄部位"), choices=[("", "—"), *PhotoSpot.choices], required=False
    )
    moment = forms.ChoiceField(
        label=gettext_lazy("拍摄时点"), choices=[("", "—"), *PhotoMoment.choices], required=False
    )


class RecordDetailView(VisibleDetailView):
    queryset = MaintenanceRecord.objects.select_related(
        "elevator__user_unit", "company", "confirmed_by", "reviewed_by"
    )
    template_name = "maintenance/records_detail.html"
    context_object_name = "record"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record, user = self.object, self.request.user
        org = organisation_of(user)
        context["items"] = [(item, ITEMS_BY_CODE.get(item.item_code)) for item in record.items.all()]
        context["flags"] = list(record.flags.all())
        context["photos"] = list(record.attachments.all())
        context["may_confirm"] = (
            record.confirmed_at is None and org is not None and record.elevator.user_unit_id == org.pk
        )
        context["may_review"] = may_review(user, record)
        context.setdefault("review_form", ReviewForm())
        context["may_add_photo"] = org is not None and org.pk == record.company_id
        context.setdefault("photo_form", PhotoForm())
        return context

    def post(self, request, *args, **kwargs):
        self.object = record = self.get_object()
        if "file" in request.FILES:
            return self._add_photo(request, record)
        form = ReviewForm(request.POST) if "outcome" in request.POST else None
        with refusals_on(form or forms.Form()) as refusal:
            if form is None:
                record_confirm(user=request.user, record=record)
                messages.success(request, _("已确认该维保记录。"))
            elif form.is_valid():
                record_review(user=request.user, record=record, **form.cleaned_data)
                messages.success(request, _("已保存复核结果。"))
            else:
                return self.render_to_response(self.get_context_data(review_form=form))
            return redirect("maintenance-record-detail", pk=record.pk)
        messages.error(request, str(refusal.error.message))
        return self.render_to_response(self.get_context_data(review_form=form or ReviewForm()))

    def _add_photo(self, request, record):
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            with refusals_on(form):
                record_photo_add(user=request.user, record=record, **form.cleaned_data)
                messages.success(request, _("已添加现场照片。"))
                return redirect("maintenance-record-detail", pk=record.pk)
        return self.render_to_response(self.get_context_data(photo_form=form))


class RecordForm(forms.Form):
    elevator = forms.ModelChoiceField(label=gettext_lazy("电梯"), queryset=Elevator.objects.none())
    record_number = forms.CharField(label=gettext_lazy("维保记录编号"), max_length=64)
    performed_on = forms.DateField(
        label=gettext_lazy("维保日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    level = forms.ChoiceField(label=gettext_lazy("维保类别"), choices=MaintenanceLevel.choices)
    worker_name = forms.CharField(label=gettext_lazy("作业人员1"), max_length=50, required=False)
    worker_certificate = forms.CharField(
        label=gettext_lazy("作业人员1证书编号"), max_length=64, required=False
    )
    second_worker_name = forms.CharField(label=gettext_lazy("作业人员2"), max_length=50, required=False)
    second_worker_certificate = forms.CharField(
        label=gettext_lazy("作业人员2证书编号"), max_length=64, required=False
    )
    findings = forms.CharField(
        label=gettext_lazy("发现问题及处理"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the elevators the company maintains (which it also sees).
        self.fields["elevator"].queryset = Elevator.objects.filter(maintenance_company=company).order_by(
            "equipment_code"
        )


@login_required
def record_create(request):
    """A maintenance company records a visit on one of the elevators it maintains."""
    org = require_kind(
        request.user,
        {OrganisationKind.MAINTENANCE_COMPANY},
        _("只有维保单位可以报送维保记录。"),
        back_office=False,
    )
    form = RecordForm(request.POST or None, company=org)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "equipment_code": form.cleaned_data.pop("elevator").equipment_code}
        with refusals_on(form, fields={"equipment_code": "elevator", **{n: n for n in form.fields}}):
            record, _outcome = record_upsert(user=request.user, data=data)
            messages.success(request, _("已保存维保记录 %(no)s。") % {"no": record.record_number})
            return redirect("maintenance-record-detail", pk=record.pk)
    return render(request, "maintenance/records_form.html", {"form": form})


@login_required
def company_ranking(request):
    """Maintenance companies scored and ranked today (selectors/companies.py), for regulators."""
    require_kind(request.user, REGULATORS, _("维保单位排名仅供监管部门查看。"))
    today = timezone.localdate()
    return render(
        request, "maintenance/records_ranking.html", {"scores": company_scores(on=today), "on": today}
    )
