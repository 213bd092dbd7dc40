"""Browser pages of insurance: policies (list, detail, register, renew, cancel) and products.

Thin views: visibility comes from the base views, rules and prices from insurance.services and
insurance.rating; a rule a user breaks is shown on the page (a form error or a message), never a 500.
"""

from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.imports import IMPORT_KINDS
from core.views import VisibleDetailView, VisibleListView, sort_links
from core.visibility import organisation_of
from elevators.filtersets import ElevatorFilterSet
from elevators.models import PlaceCategory

from .filtersets import PolicyFilterSet, ProductFilterSet
from .forms import (
    CoverFilterForm,
    ElevatorSelectionForm,
    PolicyCancelForm,
    PolicyTermsForm,
    registrable_elevators,
)
from .models import FundingSource, Policy, PolicyElevator, Product, ProductVersion, RatingFactor
from .permissions import insurer_of, may_cancel_policy, may_renew_policy, property_manager_of
from .rating import quote
from .services import policy_cancel, policy_default_end, policy_register, policy_renew

POLICY_LIST_FILTERS = ["q", "status", "model", "insurer", "funding_source", "active_on", "expiring_within"]
POLICY_SORTABLE = ["number", "start_date", "end_date", "total_premium"]
PRODUCT_LIST_FILTERS = ["q", "insurer", "model"]
# The register page lists at most this many elevators at once; more is a sign to filter first.
REGISTER_MAX_ELEVATORS = 500
ELEVATOR_REGISTER_FILTERS = ["q", "district", "place_category", "group", "in_scope"]


FACTOR_COLUMNS = [(factor.value, factor.label) for factor in RatingFactor]
MISSING_FACTOR = {"input": "—", "coefficient": Decimal("1.000")}
COEFFICIENT_PLACES = Decimal("0.001")


def rating_rows(items, *, flags: dict[str, str] | None = None) -> list[dict]:
    """Quote lines or stored covers as rows for includes/rating_table.html: the elevator, the base,
    every factor (label, input, coefficient) and the premium; `flags` marks elevators by code."""
    rows = []
    for elevator, rating, premium in items:
        factors = {
            f["factor"]: {**f, "coefficient": Decimal(f["coefficient"]).quantize(COEFFICIENT_PLACES)}
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
            }
        )
    return rows


# --- policies -------------------------------------------------------------------------------------


class PolicyListView(VisibleListView):
    queryset = Policy.objects.select_related("insurer", "policyholder", "product_version__product")
    filterset_class = PolicyFilterSet
    template_name = "insurance/policy_list.html"

    def get_queryset(self):
        return super().get_queryset().with_elevator_count()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        context["filter_fields"] = [form[name] for name in POLICY_LIST_FILTERS]
        context["ordering"] = self.request.GET.get("ordering", "")
        context["sort_links"] = sort_links(self.request, POLICY_SORTABLE, default="-start_date")
        user = self.request.user
        context["can_register"] = property_manager_of(user) is not None
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
        return super().get_queryset().with_visible_links(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy, user = self.object, self.request.user
        # Only the covered elevators the viewer may see (a district regulator: its district's).
        covers = (
            policy.covered.of_elevators_visible_to(user)
            .select_related("elevator__place_category", "elevator__district")
            .order_by("elevator__equipment_code")
        )
        context["rating_rows"] = rating_rows((c.elevator, c.rating, c.premium) for c in covers)
        context["factor_columns"] = FACTOR_COLUMNS
        context["renewal"] = policy.renewal_or_none if policy.visible_renewal_id else None
        context["renewed_from"] = policy.renewed_from if policy.visible_renewed_from_id else None
        context["product_visible"] = (
            Product.objects.visible_to(user).filter(pk=policy.product_version.product_id).exists()
        )
        context["can_renew"] = may_renew_policy(user, policy) and policy.can_renew()
        cancel_form = PolicyCancelForm(policy=policy)
        context["can_cancel"] = may_cancel_policy(user, policy) and policy.can_cancel(
            cancel_form.fields["on"].initial
        )
        if context["can_cancel"]:
            context["cancel_form"] = cancel_form
        return context


def _visible_policy(request, pk) -> Policy:
    return get_object_or_404(Policy.objects.visible_to(request.user), pk=pk)


@login_required
@require_POST
def policy_renew_view(request, pk):
    """Renew in one step (same elevators, the product's current terms, the next period); the
    service decides who may (the insurer or the policyholder) and whether (Policy.can_renew)."""
    policy = _visible_policy(request, pk)
    try:
        renewal = policy_renew(user=request.user, policy=policy)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("policy-detail", pk=policy.pk)
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
def policy_cancel_view(request, pk):
    """Cancel from a date; only the insurer may (the service checks that and Policy.can_cancel)."""
    policy = _visible_policy(request, pk)
    if not may_cancel_policy(request.user, policy):
        raise PermissionDenied
    form = PolicyCancelForm(request.POST, policy=policy)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("policy-detail", pk=policy.pk)
    try:
        policy_cancel(user=request.user, policy=policy, on=form.cleaned_data["on"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("保单 %(number)s 已退保。") % {"number": policy.number})
    return redirect("policy-detail", pk=policy.pk)


# --- registering a policy (property managers) -------------------------------------------------------


def _covered_until():
    """The last day of the cover of this elevator that is in force today or later, if any."""
    return Subquery(
        PolicyElevator.objects.in_force_during(timezone.localdate())
        .filter(elevator=OuterRef("pk"))
        .order_by()
        .values("elevator")
        .annotate(last=Max("end_date"))
        .values("last")
    )


def _step_elevators(request, *, selected=(), errors=()):
    """Step 1: the user's own elevators, filtered, grouped by site, each site selectable at once."""
    queryset = registrable_elevators(request.user)
    filterset = ElevatorFilterSet(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound:  # a bad filter value shows its error and no rows, as on every list
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
    queryset = queryset.annotate(covered_until=_covered_until())
    cover_form = CoverFilterForm(request.GET or None)
    cover = cover_form.cleaned_data.get("cover") if cover_form.is_valid() else ""
    if cover:
        queryset = queryset.filter(covered_until__isnull=cover == "uninsured")
    elevators = list(
        queryset.select_related("district", "place_category").order_by(
            "site_name", "address", "equipment_code"
        )[: REGISTER_MAX_ELEVATORS + 1]
    )
    truncated = len(elevators) > REGISTER_MAX_ELEVATORS
    elevators = elevators[:REGISTER_MAX_ELEVATORS]
    sites = [
        {"index": index, "name": name, "elevators": list(group)}
        for index, (name, group) in enumerate(groupby(elevators, key=lambda e: e.site_name))
    ]
    form = filterset.form
    return render(
        request,
        "insurance/policy_register.html",
        {
            "step": 1,
            "filter_fields": [*(form[name] for name in ELEVATOR_REGISTER_FILTERS), cover_form["cover"]],
            "sites": sites,
            "shown": len(elevators),
            "truncated": truncated,
            "limit": REGISTER_MAX_ELEVATORS,
            "selected": {str(pk) for pk in selected},
            "errors": errors,
        },
    )


def _step_terms(request, form):
    return render(request, "insurance/policy_register.html", {"step": 2, "form": form})


def _flags(problem: ApplicationError | None) -> dict[str, str]:
    """The elevators a refused registration names, by code, with what is wrong with each."""
    extra = problem.extra if problem is not None else {}
    flags = {code: _("投保人不是该电梯的产权单位或使用单位") for code in extra.get("elevators", [])}
    for conflict in extra.get("conflicts", []):
        flags[conflict["elevator"]] = (
            _("已由保单 %(policy)s 承保") % conflict
            if conflict["policy"]
            else _("已由其他保险机构的保单承保")
        )
    return flags


def _step_quote(request, form, *, problem: ApplicationError | None = None):
    """Step 3: the quote per elevator with every factor, and the total, to confirm. After a refused
    confirmation the elevators at fault are marked and can be dropped in one click."""
    data = form.cleaned_data
    version = data["product"].current_version  # the form refuses a product without one
    try:
        end_date = policy_default_end(data["start_date"])
        priced = quote(version=version, elevators=data["elevators"], start=data["start_date"])
    except ApplicationError as exc:
        form.add_error("product" if exc.field in ("product", "elevators") else None, exc.message)
        return _step_terms(request, form)
    flags = _flags(problem)
    rows = rating_rows(
        ((line.elevator, line.as_dict(), line.premium) for line in priced.lines),
        flags=flags,
    )
    rows.sort(key=lambda row: (not row["flag"], row["elevator"].equipment_code))
    remaining = [e.pk for e in data["elevators"] if e.equipment_code not in flags] if flags else []
    return render(
        request,
        "insurance/policy_register.html",
        {
            "step": 3,
            "form": form,
            "version": version,
            "product": data["product"],
            "end_date": end_date,
            "funding_source": FundingSource(data["funding_source"]).label,
            "rating_rows": rows,
            "factor_columns": FACTOR_COLUMNS,
            "total": priced.total,
            "remaining": remaining,
            "flagged": bool(flags),
        },
    )


@login_required
def policy_register_view(request):
    """A property manager insures its elevators: choose elevators, then insurer, product and start,
    see the quote (every factor), confirm. Each step posts the previous steps' choices along."""
    if property_manager_of(request.user) is None:
        raise PermissionDenied(_("只有使用单位/产权单位可以在门户中投保。"))
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step in ("", "elevators"):
        return _step_elevators(request, selected=request.POST.getlist("elevators"))
    selection = ElevatorSelectionForm(request.POST, user=request.user)
    if not selection.is_valid():
        errors = [error for errors in selection.errors.values() for error in errors]
        return _step_elevators(request, selected=request.POST.getlist("elevators"), errors=errors)
    if step == "terms":
        if "product" in request.POST:  # back from the quote: keep what was chosen
            return _step_terms(request, PolicyTermsForm(request.POST, user=request.user))
        initial = {"elevators": [e.pk for e in selection.cleaned_data["elevators"]]}
        return _step_terms(request, PolicyTermsForm(initial=initial, user=request.user))
    form = PolicyTermsForm(request.POST, user=request.user)
    if not form.is_valid():
        return _step_terms(request, form)
    if step == "confirm":
        data = form.cleaned_data
        try:
            policy = policy_register(
                user=request.user,
                version=data["product"].current_version,
                policyholder=form.policyholder,
                elevators=list(data["elevators"]),
                start_date=data["start_date"],
                funding_source=data["funding_source"],
                declared_premiums=form.declared_premiums(request.POST),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return _step_quote(request, form, problem=exc)
        messages.success(
            request,
            _("投保成功：保单 %(number)s，%(n)d 台电梯，保费 %(total)s 元。")
            % {"number": policy.number, "n": len(data["elevators"]), "total": policy.total_premium},
        )
        return redirect("policy-detail", pk=policy.pk)
    return _step_quote(request, form)


# --- products -------------------------------------------------------------------------------------


class ProductListView(VisibleListView):
    queryset = Product.objects.select_related("insurer").with_versions()
    filterset_class = ProductFilterSet
    template_name = "insurance/product_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        names = list(PRODUCT_LIST_FILTERS)
        if insurer_of(self.request.user) is not None:
            names.remove("insurer")  # an insurer sees its own products only
            names.append("is_on_sale")
        context["filter_fields"] = [form[name] for name in names]
        return context


def _band(row) -> str:
    lower, upper = row.lower, row.upper

    def number(value) -> str:
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text

    if lower is not None and upper is not None:
        return _("%(lower)s 至 %(upper)s（不含）") % {"lower": number(lower), "upper": number(upper)}
    if lower is not None:
        return _("%(lower)s 及以上") % {"lower": number(lower)}
    if upper is not None:
        return _("低于 %(upper)s") % {"upper": number(upper)}
    return _("全部")


def version_terms(version: ProductVersion, places: dict[str, str]) -> dict:
    """A version's terms ready to show: limits, base premiums, and one table per rating factor."""
    tables = []
    for factor, label in RatingFactor.choices:
        rows = [row for row in version.coefficients.all() if row.factor == factor]
        if factor == RatingFactor.PLACE:
            entries = sorted(((places.get(r.key, r.key), r.value) for r in rows), key=lambda e: e[0])
        else:
            rows.sort(key=lambda r: (r.lower is not None, r.lower or 0))
            entries = [(_band(r), r.value) for r in rows]
        tables.append({"factor": factor, "label": label, "rows": entries})
    return {
        "version": version,
        "limits": list(version.limits.all()),
        "base_premiums": list(version.base_premiums.all()),
        "tables": tables,
    }


class ProductDetailView(VisibleDetailView):
    queryset = Product.objects.select_related("insurer").with_versions()
    template_name = "insurance/product_detail.html"
    context_object_name = "product"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        places = dict(PlaceCategory.objects.values_list("code", "name"))
        versions = list(self.object.versions.all())
        counts = dict(
            Policy.objects.visible_to(self.request.user)
            .filter(product_version__product=self.object)
            .values("product_version")
            .annotate(n=Count("pk"))
            .values_list("product_version", "n")
        )
        context["current"] = version_terms(versions[0], places) if versions else None
        context["history"] = [
            {**version_terms(version, places), "policy_count": counts.get(version.pk, 0)}
            for version in versions
        ]
        context["is_owner"] = insurer_of(self.request.user) == self.object.insurer
        return context
