"""A policy's premium is the contract's: declared premiums are stored with the rating beside them,
a premium outside the product version's band is accepted and flagged, and only what cannot be a
premium is refused (negative, zero for a product that charges, absurd sizes)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.exceptions import ApplicationError
from insurance.filtersets import PolicyFilterSet
from insurance.models import Policy, ProductVersion
from insurance.services import MAX_PREMIUM_PER_ELEVATOR
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory
from tests.insurance.factories import policy, product_version

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)
D = Decimal


@pytest.fixture
def version():
    return product_version()


def lifts(count: int) -> list:
    """Elevators of one user unit, rated 93.00 each under the standard terms (10 years, no claims)."""
    holder = OrganisationFactory()
    return [ElevatorFactory(user_unit=holder, installed_on=date(2016, 1, 1)) for _ in range(count)]


def test_a_declared_premium_off_the_rating_is_stored_with_the_rating_beside_it(version):
    # The request that broke: 90.00 declared where the rating says 93.00 was refused ("…不符").
    elevator, other = lifts(2)
    registered = policy(version, [elevator, other], start=START, declared_premiums={elevator.pk: D("90.00")})
    cover = registered.covered.get(elevator=elevator)
    assert (cover.premium, cover.rated_premium) == (D("90.00"), D("93.00"))
    assert cover.premium_deviation == D("-0.0323")
    untouched = registered.covered.get(elevator=other)  # no premium declared: its rating
    assert (untouched.premium, untouched.rated_premium) == (D("93.00"), D("93.00"))
    registered.refresh_from_db()
    assert (registered.total_premium, registered.rated_total_premium) == (D("183.00"), D("186.00"))
    assert registered.premium_deviation == D("-0.0161")
    assert registered.premium_outside_band is False  # within the default -30%..+30%


def test_a_premium_outside_the_band_is_accepted_and_flagged(version):
    cheap, dear, inside = lifts(3)
    low = policy(version, [cheap], start=START, declared_premiums={cheap.pk: D("60.00")})  # -35.5%
    high = policy(version, [dear], start=START, declared_premiums={dear.pk: D("130.00")})  # +39.8%
    fair = policy(version, [inside], start=START, declared_premiums={inside.pk: D("120.90")})  # +30% exactly
    for registered, deviation, flagged in (
        (low, "-0.3548", True),
        (high, "0.3978", True),
        (fair, "0.3000", False),
    ):
        registered.refresh_from_db()
        assert (registered.premium_deviation, registered.premium_outside_band) == (D(deviation), flagged)
    assert set(Policy.objects.premium_outside_band()) == {low, high}
    # one FilterSet for the list page, its export and the API
    flagged = PolicyFilterSet({"premium_outside_band": "true"}, queryset=Policy.objects.all()).qs
    assert set(flagged) == {low, high}
    far = PolicyFilterSet({"premium_deviation_at_least": "36"}, queryset=Policy.objects.all()).qs
    assert set(far) == {high}
    sorted_by_deviation = PolicyFilterSet({"ordering": "premium_deviation"}, queryset=Policy.objects.all()).qs
    assert list(sorted_by_deviation) == [low, fair, high]


def test_the_band_is_the_versions_own(version):
    ProductVersion.objects.filter(pk=version.pk).update(
        premium_band_lower=D("-0.10"), premium_band_upper=D("0")
    )
    version.refresh_from_db()
    elevator, other = lifts(2)
    below = policy(version, [elevator], start=START, declared_premiums={elevator.pk: D("83.00")})  # -10.8%
    above = policy(version, [other], start=START, declared_premiums={other.pk: D("93.01")})
    assert below.premium_outside_band and above.premium_outside_band


def test_a_new_version_has_the_default_band_and_the_database_keeps_it_sane(version):
    assert (version.premium_band_lower, version.premium_band_upper) == (D("-0.3000"), D("0.3000"))
    for lower, upper in (
        (D("0.10"), D("0.30")),
        (D("-0.30"), D("-0.10")),
        (D("-1.50"), D("0.30")),
        (D("0"), D("11")),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductVersion.objects.filter(pk=version.pk).update(
                premium_band_lower=lower, premium_band_upper=upper
            )


@pytest.mark.parametrize(
    ("declared", "words"),
    [
        (D("-1.00"), "负数"),
        (D("0"), "不能为0"),
        (MAX_PREMIUM_PER_ELEVATOR + D("0.01"), "1,000,000"),
    ],
)
def test_only_what_cannot_be_a_premium_is_refused_naming_every_elevator(version, declared, words):
    first, second = lifts(2)
    with pytest.raises(ApplicationError) as exc:
        policy(
            version, [first, second], start=START, declared_premiums={first.pk: declared, second.pk: declared}
        )
    assert exc.value.field == "premium"
    message = str(exc.value.message)
    assert words in message and first.equipment_code in message and second.equipment_code in message
    assert [p["elevator"] for p in exc.value.extra["premiums"]] == sorted(
        [first.equipment_code, second.equipment_code]
    )
    assert not Policy.objects.exists()


def test_the_largest_premium_and_zero_for_a_free_product_are_premiums():
    free = product_version(bases={"vertical": D("0.00"), "escalator": D("0.00"), "moving_walkway": D("0.00")})
    elevator, other = lifts(2)
    nothing = policy(free, [elevator], start=START, declared_premiums={elevator.pk: D("0")})
    assert (nothing.total_premium, nothing.premium_deviation, nothing.premium_outside_band) == (0, 0, False)
    charged = policy(free, [other], start=START, declared_premiums={other.pk: MAX_PREMIUM_PER_ELEVATOR})
    assert charged.total_premium == MAX_PREMIUM_PER_ELEVATOR
    assert charged.premium_deviation is None and charged.premium_outside_band  # no ratio to zero
    assert set(PolicyFilterSet({"premium_deviation_at_least": "50"}, queryset=Policy.objects.all()).qs) == {
        charged
    }


def test_the_regulator_lists_and_exports_flagged_policies(world):
    import io

    import openpyxl

    from tests.utils.clients import session

    version = product_version(world.orgs["insurer_a"])
    cheap, fair = lifts(2)
    low = policy(version, [cheap], start=START, number="LOW-1", declared_premiums={cheap.pk: D("50.00")})
    policy(version, [fair], start=START, number="FAIR-1")
    client = session(world, "nfra")
    page = client.get("/policies/", {"premium_outside_band": "true"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "LOW-1" in content and "FAIR-1" not in content
    assert 'data-testid="premium-outside-band"' in content and "-46.2%" in content
    assert 'data-testid="premium-outside-band"' in client.get(f"/policies/{low.pk}/").content.decode()
    export = client.get("/policies/export.xlsx", {"premium_outside_band": "true"})
    assert export.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)
    header, (row,) = rows[0], rows[1:]
    assert row[header.index("保单号")] == "LOW-1"
    assert row[header.index("保费偏离")] == -0.4624 and row[header.index("超出费率浮动区间")] == "是"
