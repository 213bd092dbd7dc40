"""Browser pages of products: the list, one product with the terms of each version, and an
insurer registering a product or a new version of its terms (through the services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.views import VisibleDetailView, VisibleListView, refusals_on
from elevators.models import PlaceCategory

from ..api.serializers.products import ProductVersionSerializer
from ..filtersets import ProductFilterSet
from ..forms import ProductCreateForm, ProductTermsForm, coefficient_formset
from ..models import Policy, Product, ProductVersion, RatingFactor
from ..permissions import insurer_of
from ..services import product_create, product_version_create


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

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_create=insurer_of(self.request.user) is not None, **kwargs)


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
        places = {category.code: str(category) for category in PlaceCategory.objects.all()}
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


def _messages_of(errors) -> list[str]:
    """A serializer's nested errors as flat messages."""
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _messages_of(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages_of(value)]
    return [str(errors)]


def checked_terms(form: ProductTermsForm, coefficients) -> dict | None:
    """The form's terms checked by the API's rules (no overlapping bands, known place categories, each
    item once), as the services take them; None, with the reasons on the form, when refused."""
    serializer = ProductVersionSerializer(data=form.terms_data(coefficients))
    if not serializer.is_valid():
        for message in dict.fromkeys(_messages_of(serializer.errors)):
            form.add_error(None, message)
        return None
    return serializer.terms()


@login_required
def product_create_view(request):
    """An insurer registers a product with its first version of terms."""
    insurer = insurer_of(request.user)
    if insurer is None:
        raise PermissionDenied(_("只有保险机构可以登记产品。"))
    data = request.POST if request.method == "POST" else None
    form = ProductCreateForm(data)
    coefficients = coefficient_formset(data)
    if data is not None and form.is_valid() and coefficients.is_valid():
        terms = checked_terms(form, coefficients)
        with refusals_on(form):
            if terms is not None:
                product = product_create(
                    user=request.user,
                    insurer=insurer,
                    code=form.cleaned_data["code"].strip(),
                    name=form.cleaned_data["name"].strip(),
                    model=form.cleaned_data["model"],
                    is_on_sale=form.cleaned_data["is_on_sale"],
                    **terms,
                )
                messages.success(request, _("产品“%(name)s”已登记。") % {"name": product.name})
                return redirect("product-detail", pk=product.pk)
    return render(
        request,
        "insurance/product_form.html",
        {"form": form, "coefficients": coefficients, "page_title": _("登记产品")},
    )


@login_required
def product_version_create_view(request, pk):
    """The product's insurer gives it a new version of terms, starting from the current one."""
    product = get_object_or_404(Product.objects.visible_to(request.user).with_versions(), pk=pk)
    if insurer_of(request.user) != product.insurer:
        raise PermissionDenied(_("只有保险机构本身可以维护自己的产品和保单。"))
    if request.method == "POST":
        form, coefficients = ProductTermsForm(request.POST), coefficient_formset(request.POST)
    else:
        versions = list(product.versions.all())
        initial, rows = ProductTermsForm.initial_from(versions[0]) if versions else ({}, [])
        form, coefficients = ProductTermsForm(initial=initial), coefficient_formset(initial=rows)
    if request.method == "POST" and form.is_valid() and coefficients.is_valid():
        terms = checked_terms(form, coefficients)
        with refusals_on(form):
            if terms is not None:
                version = product_version_create(user=request.user, product=product, **terms)
                messages.success(request, _("第 %(number)s 版条款已生效。") % {"number": version.number})
                return redirect("product-detail", pk=product.pk)
    return render(
        request,
        "insurance/product_form.html",
        {
            "form": form,
            "coefficients": coefficients,
            "product": product,
            "page_title": _("新版本条款：%(name)s") % {"name": product.name},
        },
    )
