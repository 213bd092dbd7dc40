"""The names a policy list uses for insurers, products, policyholders and elevators, resolved to rows
(and refused, naming the column, when unknown or not the importer's own)."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationKind
from accounts.selectors import organisation_by_code_or_name
from accounts.validators import normalise_credit_code
from core.tabular import RowRefused, cell_text
from core.text import normalise_code
from elevators.codes import normalise_equipment_code

from ..models import Product
from ..permissions import insurer_of, property_manager_of


class PolicyLookups:
    """Insurers, products, policyholders and elevators by every name a file may use, cached per import."""

    def __init__(self, user):
        self.user = user
        self.own_insurer = insurer_of(user)  # an insurer imports its own policies only
        self.own_holder = property_manager_of(user)  # a property manager those it holds
        # Only the products the caller may see: a property manager never uses an off-sale product.
        self.visible_products = Product.objects.visible_to(user)
        self.insurers: dict[str, Organisation | None] = {}
        self._insurers_by: dict[str, dict[str, Organisation]] | None = None
        self.products: dict[tuple[int, str], list[Product]] = {}
        self.holders: dict[tuple[str, str], Organisation | None] = {}

    def insurer(self, values: dict) -> Organisation:
        text = cell_text(values, "insurer", required=True)
        if text not in self.insurers:
            by = self._insurer_index()
            found = [
                by["name"].get(text),
                by["short_name"].get(text),
                by["credit_code"].get(normalise_code(text)),
            ]
            # Of the insurers the text names (by full name, short name or credit code), the first made.
            self.insurers[text] = min((o for o in found if o is not None), key=lambda o: o.pk, default=None)
        insurer = self.insurers[text]
        if insurer is None:
            raise RowRefused(
                "insurer", _("未知的保险机构“%(value)s”（请填写全称或统一社会信用代码）。") % {"value": text}
            )
        if self.own_insurer is not None and insurer != self.own_insurer:
            raise RowRefused(
                "insurer", _("只能导入本机构（%(name)s）承保的保单。") % {"name": self.own_insurer.name}
            )
        return insurer

    def _insurer_index(self) -> dict[str, dict[str, Organisation]]:
        """The active insurers (a city has tens) by full name, short name and credit code, read once:
        a file of unknown names costs no query a row."""
        if self._insurers_by is None:
            self._insurers_by = {"name": {}, "short_name": {}, "credit_code": {}}
            insurers = Organisation.objects.filter(kind=OrganisationKind.INSURER, is_active=True)
            for insurer in insurers.order_by("-pk"):  # the first made wins a shared name
                for field, index in self._insurers_by.items():
                    if value := getattr(insurer, field):
                        index[value] = insurer
        return self._insurers_by

    def product(self, insurer: Organisation, values: dict) -> Product:
        """The insurer's product by code, else by its name when only one product has that name."""
        text = cell_text(values, "product", required=True)
        key = (insurer.pk, text)
        if key not in self.products:
            matches = list(self.visible_products.filter(insurer=insurer).filter(Q(code=text) | Q(name=text)))
            self.products[key] = [p for p in matches if p.code == text] or matches
        matches = self.products[key]
        if len(matches) > 1:
            raise RowRefused("product", _("“%(value)s”对应多个产品，请填写产品代码。") % {"value": text})
        if not matches:
            names = "、".join(
                f"{p.code} {p.name}" for p in self.visible_products.filter(insurer=insurer).order_by("code")
            )
            raise RowRefused(
                "product",
                _("%(insurer)s没有产品“%(value)s”，可选：%(names)s")
                % {"insurer": insurer.name, "value": text, "names": names or _("（无）")},
            )
        return matches[0]

    def policyholder(self, values: dict) -> Organisation:
        name = cell_text(values, "policyholder")
        code = values.get("policyholder_code")
        credit_code = ""
        if code is not None:
            try:
                credit_code = normalise_credit_code(code)
            except ValidationError as exc:
                raise RowRefused("policyholder_code", exc.messages[0]) from exc
        if not name and not credit_code:
            raise RowRefused("policyholder", _("请填写投保人名称或统一社会信用代码。"))
        key = (credit_code, name)
        if key not in self.holders:
            self.holders[key] = organisation_by_code_or_name(
                credit_code=credit_code, name=name, queryset=Organisation.objects.filter(is_active=True)
            )
        holder = self.holders[key]
        if holder is None:
            if credit_code:
                raise RowRefused(
                    "policyholder_code",
                    _("统一社会信用代码为 %(code)s 的单位不存在。") % {"code": credit_code},
                )
            raise RowRefused("policyholder", _("单位“%(name)s”不存在。") % {"name": name})
        if self.own_holder is not None and holder != self.own_holder:
            raise RowRefused(
                "policyholder", _("只能导入本单位（%(name)s）投保的保单。") % {"name": self.own_holder.name}
            )
        return holder

    @staticmethod
    def elevator_code(value) -> str:
        try:
            code, _form = normalise_equipment_code(value)
        except ValidationError as exc:
            raise RowRefused("equipment_code", exc.messages[0]) from exc
        return code
