"""Browser pages of products: the list and one product with the terms of each version."""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.views import VisibleDetailView, VisibleListView
from elevators.models import PlaceCategory

from ..filtersets import ProductFilterSet
from ..models import Policy, Product, ProductVersion, RatingFactor
from ..permissions import insurer_of


class ProductListView(VisibleListView):
    page_title = gettext_lazy("保险产品")
    queryset = Product.objects.select_related("insurer").with_versions()
    filterset_class = ProductFilterSet
    list_filters = ["q", "insurer", "model"]
    template_name = "insurance/product_list.html"

    def get_list_filters(self):
        if insurer_of(self.request.user) is not None:
            return ["q", "model", "is_on_sale"]  # an insurer sees its own products only
        return self.list_filters


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
