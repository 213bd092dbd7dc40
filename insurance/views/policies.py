"""Browser pages of policies: the list, one policy with its covers and rating, renew and cancel.

Thin views: visibility comes from the base views, rules and prices from insurance.services and
insurance.rating; a rule a user breaks is shown on the page (a form error or a message), never a 500.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.imports import IMPORT_KINDS
from core.views import VisibleDetailView, VisibleListView, refusals_return_to
from core.visibility import organisation_of

from ..filtersets import PolicyFilterSet
from ..forms import PolicyCancelForm
from ..models import Policy, Product, RatingFactor
from ..models.products import premium_deviation
from ..permissions import CANCEL_POLICY, RENEW_POLICY, property_manager_of
from ..rating import factor_input_shown
from ..selectors import policy_export_table
from ..services import policy_cancel, policy_renew

FACTOR_COLUMNS = [(factor.value, factor.label) for factor in RatingFactor]
MISSING_FACTOR = {"input": "—", "coefficient": Decimal("1.000")}
COEFFICIENT_PLACES = Decimal("0.001")


def rating_rows(
    items, *, flags: dict[str, str] | None = None, declared: dict[int, Decimal] | None = None
) -> list[dict]:
    """Quote lines or stored covers as rows for includes/rating_table.html: the elevator, the base,
    every factor (label, input, coefficient) and the rated premium; `flags` marks elevators by code;
    `declared` (a policy's covers, by elevator id) adds the contract's premium and its deviation."""
    rows = []
    for elevator, rating, premium in items:
        contract = (declared or {}).get(elevator.pk)
        factors = {
            f["factor"]: {
                **f,
                "input": factor_input_shown(f["factor"], f["input"]),
                "coefficient": Decimal(f["coefficient"]).quantize(COEFFICIENT_PLACES),
            }
            for f in rating.get("factors", [])
        }
        rows.append(
            {
                "elevator": elevator,
                "base": rating.get("base"),
                "factor_list": [factors.get(key, MISSING_FACTOR) for key, _label in FACTOR_COLUMNS],
                "premium": premium,
                "premium_field": f"premium-{elevator.pk}",
                "flag": (flags or {}).get(elevator.equipment_code, ""),
                "declared": contract,
                "deviation": premium_deviation(contract, premium) if contract is not None else None,
            }
        )
    return rows


class PolicyListView(VisibleListView):
    page_title = gettext_lazy("保单")
    queryset = Policy.objects.select_related("insurer", "policyholder", "product_version__product")
    filterset_class = PolicyFilterSet
    list_filters = [
        "q",
        "status",
        "model",
        "insurer",
        "funding_source",
        "active_on",
        "expiring_within",
        "premium_outside_band",
        "premium_deviation_at_least",
    ]
    sortable_columns = ("number", "start_date", "end_date", "total_premium", "premium_deviation")
    default_ordering = "-start_date"
    template_name = "insurance/policy_list.html"
    export_table = staticmethod(policy_export_table)
    export_filename = "保单-{date:%Y%m%d}.xlsx"
    export_sheet = "保单"
    list_url_name = "policy-list"
    export_url_name = "policy-export"

    def get_queryset(self):
        # A reader who sees only part of a policy is shown that part (with_visible_share).
        return super().get_queryset().with_elevator_count().with_visible_share(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_register"] = property_manager_of(user) is not None
        context["today"] = timezone.localdate()  # a policy not yet begun is shown "未生效"
        context["can_import"] = (
            IMPORT_KINDS["policies"].may_import(user) and organisation_of(user) is not None
        )
        return context


class PolicyDetailView(VisibleDetailView):
    queryset = Policy.objects.select_related(
        "insurer", "policyholder", "product_version__product", "renewed_from", "renewal"
    )
    template_name = "insurance/policy_detail.html"
    context_object_name = "policy"

    def get_queryset(self):
        user = self.request.user
        return super().get_queryset().with_visible_links(user).with_visible_share(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy, user = self.object, self.request.user
        # Only the covered elevators the viewer may see (a district regulator: its district's).
        covers = (
            policy.covered.of_elevators_visible_to(user)
            .select_related("elevator__place_category", "elevator__district")
            .order_by("elevator__equipment_code")
        )
        covers = list(covers)
        context["rating_rows"] = rating_rows(
            ((c.elevator, c.rating, c.rated_premium) for c in covers),
            declared={c.elevator_id: c.premium for c in covers},
        )
        context["factor_columns"] = FACTOR_COLUMNS
        context["renewal"] = policy.renewal_or_none if policy.visible_renewal_id else None
        context["renewed_from"] = policy.renewed_from if policy.visible_renewed_from_id else None
        context["product_visible"] = (
            Product.objects.visible_to(user).filter(pk=policy.product_version.product_id).exists()
        )
        today = timezone.localdate()
        context["may_renew"] = RENEW_POLICY(user, policy) and policy.status != Policy.Status.CANCELLED
        context["can_renew"] = context["may_renew"] and policy.can_renew(today)
        context["today"] = today
        context["band"] = (
            policy.product_version.premium_band_lower,
            policy.product_version.premium_band_upper,
        )
        cancel_form = PolicyCancelForm(policy=policy)
        context["can_cancel"] = CANCEL_POLICY(user, policy) and policy.can_cancel(
            cancel_form.fields["on"].initial
        )
        if context["can_cancel"]:
            context["cancel_form"] = cancel_form
        return context


def _visible_policy(request, pk) -> Policy:
    return get_object_or_404(Policy.objects.visible_to(request.user), pk=pk)


@login_required
@require_POST
@refusals_return_to("policy-detail")
def policy_renew_view(request, pk):
    """Renew in one step (same elevators, the product's current terms, the next period); the
    service decides who may (the insurer or the policyholder) and whether (Policy.can_renew)."""
    policy = _visible_policy(request, pk)
    renewal = policy_renew(user=request.user, policy=policy)
    messages.success(
        request,
        _("已续保：新保单 %(number)s，%(start)s 至 %(end)s，保费 %(total)s 元。")
        % {
            "number": renewal.number,
            "start": renewal.start_date.isoformat(),
            "end": renewal.end_date.isoformat(),
            "total": renewal.total_premium,
        },
    )
    return redirect("policy-detail", pk=renewal.pk)


@login_required
@require_POST
@refusals_return_to("policy-detail")
def policy_cancel_view(request, pk):
    """Cancel from a date; only the insurer may (the service checks that and Policy.can_cancel)."""
    policy = _visible_policy(request, pk)
    CANCEL_POLICY.require(request.user, policy)
    form = PolicyCancelForm(request.POST, policy=policy)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("policy-detail", pk=policy.pk)
    policy_cancel(user=request.user, policy=policy, on=form.cleaned_data["on"])
    messages.success(request, _("保单 %(number)s 已退保。") % {"number": policy.number})
    return redirect("policy-detail", pk=policy.pk)
