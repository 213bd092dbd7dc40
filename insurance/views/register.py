"""The browser page where a property manager insures its elevators (policy_register_view).

Three steps, each posting the previous steps' choices along: elevators, then terms (insurer,
product, start), then the quote with every factor, to confirm. Prices come from insurance.rating,
the rules from insurance.services.policy_register.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Max, OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.views import refusals_on
from elevators.filtersets import ElevatorFilterSet
from elevators.models import in_scope_condition

from ..forms import CoverFilterForm, ElevatorSelectionForm, PolicyTermsForm, registrable_elevators
from ..models import FundingSource, InsuranceModel, Policy, PolicyElevator
from ..permissions import property_manager_of
from ..rating import quote
from ..services import policy_default_end, policy_register
from .policies import FACTOR_COLUMNS, rating_rows

# The register page lists at most this many elevators at once; more is a sign to filter first.
REGISTER_MAX_ELEVATORS = 500
ELEVATOR_REGISTER_FILTERS = ["q", "district", "place_category", "group", "in_scope"]


def _covered_until(model: str | None = None):
    """The last day of the cover of this elevator (under `model`, if given) that is in force today
    or later, if any."""
    covers = PolicyElevator.objects.in_force_during(timezone.localdate()).filter(elevator=OuterRef("pk"))
    if model is not None:
        covers = covers.filter(model=model)
    return Subquery(covers.order_by().values("elevator").annotate(last=Max("end_date")).values("last"))


def _with_cover_by_model(elevators: list) -> None:
    """Set `cover_by_model` on each elevator: (model label, last day) of each model it is insured
    under today or later; an elevator may hold one cover per model (policy_register's rule)."""
    for elevator in elevators:
        elevator.cover_by_model = [
            (label, getattr(elevator, f"covered_until_{model}"))
            for model, label in InsuranceModel.choices
            if getattr(elevator, f"covered_until_{model}")
        ]


def _clashes(*, user, elevators, model: str, start, end) -> dict[str, str]:
    """The chosen elevators already covered under `model` on some day of start..end, by code, with
    the policy that covers them (its number only when `user` may see it, as the refusal says)."""
    covers = list(
        PolicyElevator.objects.in_force_during(start, end)
        .filter(elevator__in=elevators, model=model)
        .select_related("policy", "elevator")
    )
    visible = set(
        Policy.objects.visible_to(user)
        .filter(pk__in={c.policy_id for c in covers})
        .values_list("pk", flat=True)
    )
    return {
        cover.elevator.equipment_code: (
            _("已由保单 %(policy)s 承保") % {"policy": cover.policy.number}
            if cover.policy_id in visible
            else _("已由其他保险机构的保单承保")
        )
        for cover in covers
    }


def _step_elevators(request, *, selected=(), errors=()):
    """Step 1: the user's own elevators, filtered, grouped by site, each site selectable at once."""
    queryset = registrable_elevators(request.user)
    filterset = ElevatorFilterSet(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound:  # a bad filter value shows its error and no rows, as on every list
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
    queryset = queryset.annotate(
        covered_until=_covered_until(),
        in_scope_today=ExpressionWrapper(
            in_scope_condition(on=timezone.localdate()), output_field=BooleanField()
        ),
        **{f"covered_until_{model}": _covered_until(model) for model in InsuranceModel.values},
    )
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
    _with_cover_by_model(elevators)
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
    with refusals_on(form, fields={"product": "product", "elevators": "product"}) as refused:
        end_date = policy_default_end(data["start_date"])
        priced = quote(version=version, elevators=data["elevators"], start=data["start_date"])
    if refused:
        return _step_terms(request, form)
    # A clash is shown with the quote, before the user confirms, not as the confirmation's refusal.
    flags = _clashes(
        user=request.user,
        elevators=data["elevators"],
        model=data["product"].model,
        start=data["start_date"],
        end=end_date,
    )
    flags.update(_flags(problem))
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
        with refusals_on(form, fields={}) as refused:
            policy = policy_register(
                user=request.user,
                version=data["product"].current_version,
                policyholder=form.policyholder,
                elevators=list(data["elevators"]),
                start_date=data["start_date"],
                funding_source=data["funding_source"],
                declared_premiums=form.declared_premiums(request.POST),
            )
        if refused:
            return _step_quote(request, form, problem=refused.error)
        messages.success(
            request,
            _("投保成功：保单 %(number)s，%(n)d 台电梯，保费 %(total)s 元。")
            % {"number": policy.number, "n": len(data["elevators"]), "total": policy.total_premium},
        )
        return redirect("policy-detail", pk=policy.pk)
    return _step_quote(request, form)
