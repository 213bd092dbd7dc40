"""Products with a standard rating table, and policies registered through the service."""

from datetime import date
from decimal import Decimal

from accounts.models import Organisation, OrganisationKind
from core.principal import SYSTEM
from insurance.models import InsuranceModel, Policy, Product, ProductVersion
from insurance.services import policy_register, product_version_create
from tests.factories import OrganisationFactory

D = Decimal

STANDARD_LIMITS = {
    "death_disability": D("800000"),
    "medical": D("80000"),
    "property": D("20000"),
    "aggregate": D("5000000"),
}
STANDARD_BASES = {"vertical": D("93.00"), "escalator": D("95.00"), "moving_walkway": D("95.00")}
STANDARD_COEFFICIENTS = [
    {"factor": "age", "lower": D("0"), "upper": D("5"), "value": D("0.900")},
    {"factor": "age", "lower": D("5"), "upper": D("15"), "value": D("1.000")},
    {"factor": "age", "lower": D("15"), "upper": None, "value": D("1.300")},
    {"factor": "place", "key": "HOSPITAL", "value": D("1.200")},
    {"factor": "place", "key": "MALL", "value": D("1.150")},
    {"factor": "claims", "lower": D("1"), "upper": D("3"), "value": D("1.200")},
    {"factor": "claims", "lower": D("3"), "upper": None, "value": D("1.500")},
    {"factor": "maintenance", "lower": D("90"), "upper": None, "value": D("0.900")},
    {"factor": "maintenance", "lower": D("0"), "upper": D("60"), "value": D("1.200")},
]


def insurer(**fields) -> Organisation:
    return OrganisationFactory(kind=OrganisationKind.INSURER, **fields)


def product_version(
    insurer_org: Organisation | None = None,
    *,
    model: str = InsuranceModel.LIABILITY,
    code: str | None = None,
    bases: dict | None = None,
    coefficients: list | None = None,
) -> ProductVersion:
    """A product of `insurer_org` with one version of the standard terms (bases and coefficients
    may be replaced)."""
    insurer_org = insurer_org or insurer()
    product = Product.objects.create(
        insurer=insurer_org,
        code=code or f"P{Product.objects.count() + 1:03d}",
        name="电梯安全责任保险" if model == InsuranceModel.LIABILITY else "电梯保险+维保服务",
        model=model,
    )
    return product_version_create(
        user=SYSTEM,
        product=product,
        deductible=D("500.00"),
        limits=STANDARD_LIMITS,
        base_premiums=bases or STANDARD_BASES,
        coefficients=STANDARD_COEFFICIENTS if coefficients is None else coefficients,
    )


def policy(
    version: ProductVersion,
    elevators: list,
    *,
    start: date,
    end: date | None = None,
    policyholder: Organisation | None = None,
    **fields,
) -> Policy:
    """A policy registered as the system would (all rules apply)."""
    return policy_register(
        user=SYSTEM,
        version=version,
        policyholder=policyholder or elevators[0].user_unit,
        elevators=elevators,
        start_date=start,
        end_date=end,
        **fields,
    )
