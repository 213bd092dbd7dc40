"""Browser pages of claims: the list (insurers their own, regulators per visibility; sector
departments a table of totals without rows), one claim with its payments and status history, and
its insurer updating it (status, payments, reserve) through the claims service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import OrganisationKind
from core.views import VisibleDetailView, VisibleListView, refusals_on
from core.visibility import organisation_of

from ..filtersets import ClaimFilterSet
from ..forms import ClaimUpdateForm, claim_payment_formset
from ..importing import may_import_claims
from ..models import Claim
from ..permissions import insurer_of
from ..selectors import claim_totals_for_sector
from ..services.claims import claim_upsert
from ..services.claims.values import STATUS_DATE_FIELD


class ClaimListView(VisibleListView):
    page_title = gettext_lazy("理赔")
    queryset = Claim.objects.select_related("insurer", "policy", "elevator")
    filterset_class = ClaimFilterSet
    template_name = "insurance/claim_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = organisation_of(self.request.user)
        context["may_import"] = may_import_claims(self.request.user)
        context["show_insurer"] = insurer_of(self.request.user) is None
        if org is not None and org.kind == OrganisationKind.SECTOR_DEPARTMENT:
            context["sector_totals"] = claim_totals_for_sector(user=self.request.user)
        return context


class ClaimDetailView(VisibleDetailView):
    queryset = Claim.objects.select_related("insurer", "policy__product_version__product", "elevator")
    template_name = "insurance/claim_detail.html"
    context_object_name = "claim"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["payments"] = list(self.object.payments.all())
        context["status_changes"] = list(self.object.status_changes.all())
        context["may_update"] = insurer_of(self.request.user) == self.object.insurer
        return context


# The claim service names a status's date by its own field; the form has one date for the status.
UPDATE_FORM_FIELDS = {
    **dict.fromkeys(STATUS_DATE_FIELD.values(), "status_date"),
    "status": "status",
    "amount_claimed": "amount_claimed",
    "amount_reserved": "amount_reserved",
}


@login_required
def claim_update_view(request, pk):
    """The claim's insurer records what happened since: a status its rules allow, payments, reserve."""
    claim = get_object_or_404(Claim.objects.visible_to(request.user).select_related("insurer"), pk=pk)
    if insurer_of(request.user) != claim.insurer:
        raise PermissionDenied(_("只有承保的保险机构可以更新理赔。"))
    data = request.POST if request.method == "POST" else None
    form = ClaimUpdateForm(data, claim=claim)
    payments = claim_payment_formset(data, claim=claim)
    if data is not None and form.is_valid() and payments.is_valid():
        with refusals_on(form, fields=UPDATE_FORM_FIELDS) as refusal:
            _claim, outcome = claim_upsert(insurer=claim.insurer, data=form.claim_data(payments))
            if outcome == "unchanged":
                messages.info(request, _("没有修改。"))
            else:
                messages.success(request, _("理赔 %(number)s 已更新。") % {"number": claim.claim_number})
            return redirect("claim-detail", pk=claim.pk)
        for field_name, reasons in refusal.error.extra.get("errors", {}).items():
            for reason in reasons[1:] if field_name == refusal.error.field else reasons:
                form.add_error(None, reason)
    return render(
        request, "insurance/claim_update.html", {"claim": claim, "form": form, "payments": payments}
    )
