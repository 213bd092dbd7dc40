"""Writes for products and their versions of terms."""

from decimal import Decimal
from typing import NotRequired, TypedDict, Unpack

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.audit import log_bulk
from core.exceptions import ApplicationError

from ..models import BasePremium, Coefficient, CoverageLimit, Product, ProductVersion
from ..models.products import DEFAULT_PREMIUM_BAND_LOWER, DEFAULT_PREMIUM_BAND_UPPER
from ..permissions import CHANGE_PRODUCT, acts_for_insurer


def _check_insurer(user, insurer: Organisation) -> None:
    if not acts_for_insurer(user, insurer.pk):
        raise PermissionDenied(_("只有保险机构本身可以维护自己的产品和保单。"))


def _check_code_free(insurer: Organisation, code: str) -> None:
    if Product.objects.filter(insurer=insurer, code=code).exists():
        raise ApplicationError(_("产品代码 %(code)s 已存在。") % {"code": code}, field="code")


def _check_premium_band(lower: Decimal, upper: Decimal) -> None:
    """The band holds the rating itself: down at most 100%, up at most tenfold (the check constraint)."""
    if not (Decimal(-1) <= lower <= 0 <= upper <= Decimal(10)):
        raise ApplicationError(
            _("费率浮动区间 %(lower)s 至 %(upper)s 无效：下限须在 -1 至 0 之间，上限须在 0 至 10 之间。")
            % {"lower": lower, "upper": upper},
            field="premium_band_lower",
        )


def _check_trapped_payout(
    *, trapped_threshold_minutes, trapped_payout_per_person, trapped_payout_per_person_over_hour
) -> None:
    """The option is the threshold with the payout (beyond an hour optional), or nothing at all."""
    given = [trapped_threshold_minutes is not None, trapped_payout_per_person is not None]
    if any(given) and not all(given) or trapped_payout_per_person_over_hour is not None and not all(given):
        raise ApplicationError(
            _("困人定额给付须同时填写起算时长和每人给付金额（超过一小时的给付可不填）。"),
            field="trapped_payout_per_person",
        )
    for name, amount in (
        ("trapped_payout_per_person", trapped_payout_per_person),
        ("trapped_payout_per_person_over_hour", trapped_payout_per_person_over_hour),
    ):
        if amount is not None and amount <= 0:
            raise ApplicationError(_("困人给付金额须大于0。"), field=name)


class ProductTerms(TypedDict):
    """The terms of one version of a product, as product_version_create and product_create take them.

    `limits` maps CoverageItem to the limit; `base_premiums` maps CategoryGroup to the yearly base
    premium; each coefficient is {"factor", "value", and "lower"/"upper" or "key"}. The premium band
    (费率浮动区间, ratios of the rated premium) not given is the previous version's, else -30%..+30%.
    """

    limits: dict[str, Decimal]
    base_premiums: dict[str, Decimal]
    deductible: NotRequired[Decimal]
    coefficients: NotRequired[list[dict]]
    note: NotRequired[str]
    premium_band_lower: NotRequired[Decimal | None]
    premium_band_upper: NotRequired[Decimal | None]
    trapped_threshold_minutes: NotRequired[int | None]
    trapped_payout_per_person: NotRequired[Decimal | None]
    trapped_payout_per_person_over_hour: NotRequired[Decimal | None]


@transaction.atomic
def product_version_create(
    *,
    user,
    product: Product,
    deductible: Decimal = Decimal("0.00"),
    limits: dict[str, Decimal],
    base_premiums: dict[str, Decimal],
    coefficients: list[dict] = (),
    note: str = "",
    premium_band_lower: Decimal | None = None,
    premium_band_upper: Decimal | None = None,
    trapped_threshold_minutes: int | None = None,
    trapped_payout_per_person: Decimal | None = None,
    trapped_payout_per_person_over_hour: Decimal | None = None,
) -> ProductVersion:
    """A new version of a product's terms (ProductTerms); policies already issued keep the version
    they have. The trapped-passenger payout (困人定额给付) is the version's own: not given, none."""
    CHANGE_PRODUCT.require(user, product)
    trapped = {
        "trapped_threshold_minutes": trapped_threshold_minutes,
        "trapped_payout_per_person": trapped_payout_per_person,
        "trapped_payout_per_person_over_hour": trapped_payout_per_person_over_hour,
    }
    _check_trapped_payout(**trapped)
    product = Product.objects.select_for_update().get(pk=product.pk)
    latest = product.versions.order_by("-number").first()
    if premium_band_lower is None:
        premium_band_lower = latest.premium_band_lower if latest else DEFAULT_PREMIUM_BAND_LOWER
    if premium_band_upper is None:
        premium_band_upper = latest.premium_band_upper if latest else DEFAULT_PREMIUM_BAND_UPPER
    _check_premium_band(premium_band_lower, premium_band_upper)
    version = ProductVersion.objects.create(
        product=product,
        number=(latest.number + 1) if latest else 1,
        deductible=deductible,
        note=note,
        premium_band_lower=premium_band_lower,
        premium_band_upper=premium_band_upper,
        **trapped,
    )
    terms = [
        *CoverageLimit.objects.bulk_create(
            CoverageLimit(version=version, item=i, limit=v) for i, v in limits.items()
        ),
        *BasePremium.objects.bulk_create(
            BasePremium(version=version, group=g, amount=v) for g, v in base_premiums.items()
        ),
        *Coefficient.objects.bulk_create(Coefficient(version=version, **row) for row in coefficients),
    ]
    log_bulk(created=terms)
    return version


@transaction.atomic
def product_create(
    *,
    user,
    insurer: Organisation,
    code: str,
    name: str,
    model: str,
    is_on_sale: bool = True,
    **terms: Unpack[ProductTerms],
) -> Product:
    """A new product of `insurer` with its first version of terms (ProductTerms).

    Only the insurer itself may create it; the code is unique per insurer.
    """
    _check_insurer(user, insurer)
    _check_code_free(insurer, code)
    try:
        with transaction.atomic():
            product = Product.objects.create(
                insurer=insurer, code=code, name=name, model=model, is_on_sale=is_on_sale
            )
    except IntegrityError:
        # Another request took the code since the check; the unique constraint refused this one.
        _check_code_free(insurer, code)
        raise
    product_version_create(user=user, product=product, **terms)
    return product
