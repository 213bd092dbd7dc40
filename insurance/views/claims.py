"""Browser pages of claims: the list (insurers their own, regulators per visibility; sector
departments a table of totals without rows) and one claim with its payments and status history."""

from django.utils.translation import gettext_lazy

from accounts.models import OrganisationKind
from core.views import VisibleDetailView, VisibleListView
from core.visibility import organisation_of

from ..filtersets import ClaimFilterSet
from ..importing import may_import_claims
from ..models import Claim
from ..permissions import insurer_of
from ..selectors import claim_totals_for_sector


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
        return context
