"""Browser forms of insurance: a property manager's policy registration, cancelling a policy, an
insurer's products and versions of terms, updating a claim."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_not_negative, validate_plausible_date, validate_positive
from core.visibility import organisation_of
from elevators.codes import CategoryGroup
from elevators.models import Elevator, ElevatorStatus, PlaceCategory

from .models import ClaimStatus, CoverageItem, FundingSource, InsuranceModel, Policy, Product, RatingFactor
from .models.products import TRAPPED_PAYOUT_FIELDS
from .services.claims.values import STATUS_DATE_FIELD


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


class ProductTermsForm(forms.Form):
    """The terms of a product version: deductible, a limit per coverage item, a base premium per
    category group (blank: not covered, not quoted). The coefficient rows are a formset beside it
    (CoefficientRowFormSet); `terms_data` puts both in the shape the API validates."""

    deductible = forms.DecimalField(
        label=_("每次事故免赔额（元）"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal("0.00"),
        validators=[validate_not_negative],
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("如变更原因。"))
    trapped_threshold_minutes = forms.IntegerField(
        label=_("困人给付起算时长（分钟）"),
        required=False,
        min_value=0,
        max_value=1440,
        help_text=_("被困超过该时长才给付，如 30；留空表示无困人定额给付。"),
    )
    trapped_payout_per_person = forms.DecimalField(
        label=_("困人给付（元/人，一小时内）"), max_digits=14, decimal_places=2, required=False
    )
    trapped_payout_per_person_over_hour = forms.DecimalField(
        label=_("困人给付（元/人，超过一小时）"), max_digits=14, decimal_places=2, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item, label in CoverageItem.choices:
            self.fields[f"limit_{item}"] = forms.DecimalField(
                label=label, max_digits=14, decimal_places=2, required=False, validators=[validate_positive]
            )
        for group, label in CategoryGroup.choices:
            self.fields[f"base_{group}"] = forms.DecimalField(
                label=label,
                max_digits=14,
                decimal_places=2,
                required=False,
                validators=[validate_not_negative],
            )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"limit_{item}") is not None for item in CoverageItem.values):
            self.add_error(None, _("请至少填写一项保障项目的赔偿限额。"))
        if not any(cleaned.get(f"base_{group}") is not None for group in CategoryGroup.values):
            self.add_error(None, _("请至少填写一个设备类别的基准保费。"))
        return cleaned

    def limit_fields(self):
        return [self[f"limit_{item}"] for item in CoverageItem.values]

    def base_premium_fields(self):
        return [self[f"base_{group}"] for group in CategoryGroup.values]

    def terms_data(self, coefficients) -> dict:
        """The cleaned terms with the formset's rows, as ProductVersionSerializer takes them."""
        data = self.cleaned_data
        trapped = [name for name in TRAPPED_PAYOUT_FIELDS if data.get(name) is not None]
        return {
            "deductible": data["deductible"],
            "note": data.get("note", ""),
            **{name: data[name] for name in trapped},
            "limits": [
                {"item": item, "limit": data[f"limit_{item}"]}
                for item in CoverageItem.values
                if data.get(f"limit_{item}") is not None
            ],
            "base_premiums": [
                {"group": group, "amount": data[f"base_{group}"]}
                for group in CategoryGroup.values
                if data.get(f"base_{group}") is not None
            ],
            "coefficients": [
                {k: row.get(k) for k in ("factor", "lower", "upper", "key", "value")}
                for row in coefficients.cleaned_data
                if row and not row.get("DELETE") and row.get("factor")
            ],
        }

    @staticmethod
    def initial_from(version) -> tuple[dict, list[dict]]:
        """A version's terms as the initial values of the form and of the coefficient formset."""
        initial = {"deductible": version.deductible}
        initial.update({name: getattr(version, name) for name in TRAPPED_PAYOUT_FIELDS})
        initial.update({f"limit_{row.item}": row.limit for row in version.limits.all()})
        initial.update({f"base_{row.group}": row.amount for row in version.base_premiums.all()})
        rows = [
            {"factor": row.factor, "lower": row.lower, "upper": row.upper, "key": row.key, "value": row.value}
            for row in version.coefficients.all()
        ]
        return initial, rows


class ProductCreateForm(ProductTermsForm):
    """A new product of the insurer with its first version of terms."""

    field_order = ["code", "name", "model", "is_on_sale"]

    code = forms.CharField(label=_("产品代码"), max_length=32, help_text=_("在本机构内唯一。"))
    name = forms.CharField(label=_("产品名称"), max_length=100)
    model = forms.ChoiceField(label=_("投保模式"), choices=InsuranceModel.choices)
    is_on_sale = forms.BooleanField(label=_("在售"), required=False, initial=True)


def place_choices():
    return [("", "—")] + [(c.code, str(c)) for c in PlaceCategory.objects.all()]


class CoefficientRowForm(forms.Form):
    """One row of a coefficient table: a band [lower, upper) of a number, or a place category."""

    factor = forms.ChoiceField(label=_("因子"), choices=[("", "—"), *RatingFactor.choices], required=False)
    lower = forms.DecimalField(label=_("下限（含）"), max_digits=8, decimal_places=2, required=False)
    upper = forms.DecimalField(label=_("上限（不含）"), max_digits=8, decimal_places=2, required=False)
    key = forms.ChoiceField(label=_("场所类别"), choices=place_choices, required=False)
    value = forms.DecimalField(
        label=_("系数"), max_digits=6, decimal_places=3, required=False, validators=[validate_positive]
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("factor") and cleaned.get("value") is None:
            self.add_error("value", _("请填写系数。"))
        return cleaned


CoefficientRowFormSet = forms.formset_factory(CoefficientRowForm, extra=10)


def coefficient_formset(data=None, *, initial=None) -> forms.BaseFormSet:
    """The coefficient rows of a version form: the given rows and ten blank ones."""
    return CoefficientRowFormSet(data, initial=initial, prefix="coefficients")


class ClaimUpdateForm(forms.Form):
    """An insurer moves its claim on: a status the claim's rules allow next (with that status's
    date), the amounts claimed and reserved. Payments are a formset beside it (claim_payment_formset);
    they replace the claim's payments and the amount paid is their sum (insurance.services.claims)."""

    status = forms.ChoiceField(label=_("状态"))
    status_date = forms.DateField(
        label=_("状态日期"),
        widget=DateInput(),
        required=False,
        help_text=_("改变状态时必填：受理、赔付、拒赔、撤案或结案的日期。"),
        validators=[validate_plausible_date],
    )
    amount_claimed = forms.DecimalField(
        label=_("索赔金额（元）"), max_digits=14, decimal_places=2, validators=[validate_not_negative]
    )
    amount_reserved = forms.DecimalField(
        label=_("估损金额（元）"), max_digits=14, decimal_places=2, validators=[validate_not_negative]
    )

    def __init__(self, *args, claim, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "status": claim.status,
                "status_date": timezone.localdate(),
                "amount_claimed": claim.amount_claimed,
                "amount_reserved": claim.amount_reserved,
            },
        )
        super().__init__(*args, **kwargs)
        self.claim = claim
        self.fields["status"].choices = [
            (value, label) for value, label in ClaimStatus.choices if claim.can_transition_to(value)
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") not in (None, self.claim.status) and cleaned.get("status_date") is None:
            self.add_error("status_date", _("改变状态时请填写该状态的日期。"))
        return cleaned

    def claim_data(self, payments) -> dict:
        """What changes, keyed as claim_upsert takes it (its rules check dates, sums and transitions)."""
        data = self.cleaned_data
        values = {
            "claim_number": self.claim.claim_number,
            "status": data["status"],
            "amount_claimed": data["amount_claimed"],
            "amount_reserved": data["amount_reserved"],
            "payments": [
                {
                    "paid_on": row["paid_on"],
                    "amount": row["amount"],
                    "payee": row["payee"],
                    "reference": row["reference"],
                }
                for row in payments.cleaned_data
                if row and row.get("paid_on") is not None
            ],
        }
        if data["status"] != self.claim.status:
            values[STATUS_DATE_FIELD[data["status"]]] = data["status_date"]
        return values


PAYMENT_FIELDS = ("paid_on", "amount", "payee", "reference")


class ClaimPaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("支付日期"), widget=DateInput(), required=False, validators=[validate_plausible_date]
    )
    amount = forms.DecimalField(
        label=_("金额（元）"), max_digits=14, decimal_places=2, required=False, validators=[validate_positive]
    )
    payee = forms.CharField(label=_("收款人"), max_length=100, required=False)
    reference = forms.CharField(label=_("支付流水号"), max_length=64, required=False)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("paid_on") is None) != (cleaned.get("amount") is None):
            self.add_error(None, _("每笔支付须同时填写支付日期和金额。"))
        return cleaned


ClaimPaymentFormSet = forms.formset_factory(ClaimPaymentForm, extra=3)


def claim_payment_formset(data=None, *, claim) -> forms.BaseFormSet:
    """The claim's payments and three blank rows."""
    initial = [{k: getattr(p, k) for k in PAYMENT_FIELDS} for p in claim.payments.all()]
    return ClaimPaymentFormSet(data, initial=initial, prefix="payments")
