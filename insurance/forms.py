"""Browser forms of insurance: a property manager's policy registration, cancelling a policy."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_plausible_date
from core.visibility import organisation_of
from elevators.models import Elevator, ElevatorStatus

from .models import FundingSource, Policy, Product


def registrable_elevators(user):
    """The elevators a property manager may insure in the browser: in use, and its own (it is their
    owner or user unit — exactly what it sees of the registry). Nothing else is ever offered."""
    return Elevator.objects.visible_to(user).filter(status=ElevatorStatus.IN_USE)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, product: Product) -> str:
        return f"{product.insurer.short_name or product.insurer.name} · {product.name}（{product.get_model_display()}）"


class ElevatorSelectionForm(forms.Form):
    """The elevators chosen in step 1 of registering; only the user's own elevators validate.

    They travel along as hidden fields through the later steps.
    """

    elevators = forms.ModelMultipleChoiceField(
        queryset=Elevator.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("请至少选择一台电梯。"),
            "invalid_choice": _("所选电梯不存在或不能由本单位投保。"),
            "invalid_pk_value": _("所选电梯不存在或不能由本单位投保。"),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["elevators"].queryset = registrable_elevators(user)


class PolicyTermsForm(ElevatorSelectionForm):
    """Steps 2 and 3 of registering: the chosen elevators, the product, the start date and who pays."""

    product = ProductChoiceField(
        queryset=Product.objects.none(),
        label=_("保险机构和产品"),
        empty_label=_("请选择"),
        help_text=_("在售的保险产品；报价按产品当前条款计算。"),
    )
    start_date = forms.DateField(
        label=_("保险起期"),
        widget=DateInput(),
        help_text=_("保险期间为一年，止期为一年后的前一天。"),
        validators=[validate_plausible_date],
    )
    funding_source = forms.ChoiceField(
        label=_("资金来源"), choices=FundingSource.choices, initial=FundingSource.SELF
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["product"].queryset = (
            Product.objects.visible_to(user)
            .on_sale()
            .select_related("insurer")
            .order_by("insurer__name", "code")
        )
        self.fields["start_date"].initial = timezone.localdate()

    def clean_product(self):
        product = self.cleaned_data["product"]
        if product.current_version is None:
            raise forms.ValidationError(_("该产品还没有条款版本。"))
        return product

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start < timezone.localdate():
            raise forms.ValidationError(_("保险起期不能早于今天。"))
        return start

    def clean(self):
        cleaned = super().clean()
        for elevator in cleaned.get("elevators", []):
            text = self.data.get(f"premium-{elevator.pk}", "")
            if text and not _is_finite_amount(text):
                self.add_error(
                    None,
                    _("电梯 %(code)s 的保费“%(value)s”不是有效的金额。")
                    % {"code": elevator.equipment_code, "value": text},
                )
        return cleaned

    @property
    def policyholder(self):
        return organisation_of(self.user)

    def declared_premiums(self, data) -> dict[int, Decimal]:
        """The premiums the user saw on the quote page (premium-<elevator id>), to confirm them."""
        premiums = {}
        for elevator in self.cleaned_data.get("elevators", []):
            try:
                premium = Decimal(data.get(f"premium-{elevator.pk}", ""))
            except InvalidOperation:
                continue
            if premium.is_finite():
                premiums[elevator.pk] = premium
        return premiums


def _is_finite_amount(text: str) -> bool:
    """Whether a posted premium is a number of yuan (NaN and Infinity parse as Decimals, but are not)."""
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


class CoverFilterForm(forms.Form):
    """Step 1's extra filter: elevators with or without cover in force today or later."""

    cover = forms.ChoiceField(
        label=_("保险状态"),
        required=False,
        choices=[("", _("不限")), ("uninsured", _("未投保")), ("insured", _("已投保"))],
    )


class PolicyCancelForm(forms.Form):
    on = forms.DateField(
        label=_("退保日期"),
        widget=DateInput(),
        help_text=_("自该日起电梯不再计为已投保。"),
        validators=[validate_plausible_date],
    )

    def __init__(self, *args, policy: Policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = min(max(timezone.localdate(), policy.start_date), policy.end_date)
