"""The forms of the rescue pages: recording a rescue, deciding a claim proposal, passenger feedback."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import FeedbackRating, PassengerFeedback, RescueCause, RescueTier
from ..services.rescues import rescue_writable_elevators

# A select of the reporter's elevators up to this many; beyond it (a city regulator) codes are typed.
ELEVATOR_SELECT_MAX = 300
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _moment(label, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )


class RescueRecordForm(forms.Form):
    """One rescue as a maintenance company or a regulator records it in the browser."""

    rescue_number = forms.CharField(label=_("救援编号"), max_length=64, help_text=_("本单位自己的编号。"))
    elevator = forms.ModelChoiceField(label=_("电梯"), queryset=None, required=False)
    code = forms.CharField(
        label=_("设备代码或电梯识别码"),
        max_length=40,
        required=False,
        help_text=_("未在上方选择电梯时填写：18/20位设备代码，或轿厢内的6位电梯识别码。"),
    )
    alarm_at = _moment(_("报警时间"), required=True)
    dispatched_at = _moment(_("派单时间"))
    arrived_at = _moment(_("到达时间"))
    released_at = _moment(_("解困时间"))
    people_trapped = forms.IntegerField(label=_("被困人数"), min_value=0, max_value=999, initial=0)
    people_injured = forms.IntegerField(label=_("受伤人数"), min_value=0, max_value=999, initial=0)
    tier = forms.ChoiceField(label=_("救援力量"), choices=[("", "—"), *RescueTier.choices], required=False)
    cause = forms.ChoiceField(label=_("困人原因"), choices=[("", "—"), *RescueCause.choices], required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, reporter, **kwargs):
        super().__init__(*args, **kwargs)
        elevators = rescue_writable_elevators(reporter).order_by("equipment_code")
        self.fields["elevator"].queryset = elevators
        self.fields["elevator"].label_from_instance = lambda e: (
            f"{e.equipment_code} {e.site_name or e.address}"
        )
        if elevators[: ELEVATOR_SELECT_MAX + 1].count() > ELEVATOR_SELECT_MAX:
            del self.fields["elevator"]

    def clean(self):
        data = super().clean()
        if not data.get("elevator") and not data.get("code"):
            self.add_error("code", _("请选择电梯，或填写设备代码或电梯识别码。"))
        return data

    def rescue_data(self) -> dict:
        """The form as rescue_record takes it."""
        data = {key: value for key, value in self.cleaned_data.items() if key not in ("elevator", "code")}
        code = self.cleaned_data.get("code", "")
        if self.cleaned_data.get("elevator"):
            data["elevator"] = self.cleaned_data["elevator"]
        elif len("".join(code.split())) == 6:
            data["rescue_code"] = code
        else:
            data["equipment_code"] = code
        return data


class ProposalDecisionForm(forms.Form):
    claim_number = forms.CharField(
        label=_("理赔编号"), max_length=64, required=False, help_text=_("留空则为 JY-救援编号。")
    )
    note = forms.CharField(label=_("处理说明"), required=False, max_length=2000)


class FeedbackForm(forms.ModelForm):
    """What a passenger says on the card: a rating, optionally a complaint and a way to reach them."""

    rating = forms.ChoiceField(
        label=_("您对这部电梯满意吗？"), choices=FeedbackRating.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = PassengerFeedback
        fields = ["rating", "complaint", "contact"]
        widgets = {"complaint": forms.Textarea(attrs={"rows": 3, "maxlength": 1000})}
        help_texts = {"contact": _("选填。留下电话或邮箱，便于回复您；不填也可以提交。")}
