"""The browser pages of policies and products: a property manager's registration from choosing
elevators to the confirmed policy, renewal in one step, cancelling, and who sees which page."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from elevators.models import PlaceCategory
from insurance.models import Policy, Product
from insurance.rating import quote
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import STANDARD_BASES, policy, product_version
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db

REGISTER = "/policies/register/"


@pytest.fixture
def estate(world):
    """pm_fancheng's elevators in two sites (one an old hospital lift), plus a neighbour's elevator."""
    holder = world.orgs["pm_fancheng"]
    hospital = PlaceCategory.objects.get(code="HOSPITAL")
    garden = [
        ElevatorFactory(
            user_unit=holder, district=world.fancheng, site_name="汉江花园", installed_on=date(2016, 1, 1)
        )
        for _ in range(2)
    ]
    clinic = ElevatorFactory(
        user_unit=holder, district=world.fancheng, site_name="樊城医院", place_category=hospital,
        installed_on=date(2005, 1, 1),
    )  # fmt: skip
    owned_only = ElevatorFactory(
        user_unit=world.orgs["pm_xiangcheng"], owner=holder, district=world.fancheng, site_name="樊城医院"
    )
    neighbour = ElevatorFactory(
        user_unit=world.orgs["pm_xiangcheng"], district=world.xiangcheng, site_name="汉江花园"
    )
    scrapped = ElevatorFactory(user_unit=holder, district=world.fancheng, status="scrapped")
    version = product_version(world.orgs["insurer_a"], code="A-LIAB")
    withdrawn = product_version(world.orgs["insurer_b"], code="B-OLD").product
    Product.objects.filter(pk=withdrawn.pk).update(is_on_sale=False)
    return {
        "garden": garden,
        "clinic": clinic,
        "owned_only": owned_only,
        "neighbour": neighbour,
        "scrapped": scrapped,
        "version": version,
        "withdrawn": withdrawn,
    }


def elevator_values(content: str) -> set[str]:
    return set(re.findall(r'name="elevators" value="(\d+)"', content))


def test_register_end_to_end(world, estate):
    client = browser(world, "pm_fancheng")
    start = timezone.localdate() + timedelta(days=1)
    # step 1: only the manager's own elevators in use are offered, grouped by site
    page = client.get(REGISTER)
    assert page.status_code == 200
    content = page.content.decode()
    own = [*estate["garden"], estate["clinic"], estate["owned_only"]]
    assert elevator_values(content) == {str(e.pk) for e in own}
    assert estate["neighbour"].equipment_code not in content
    assert estate["scrapped"].equipment_code not in content
    assert "全选“汉江花园”的电梯" in content and "全选“樊城医院”的电梯" in content
    assert 'data-tb-check-group="site-0"' in content

    # step 2: the products on sale to choose from
    chosen = [estate["garden"][0], estate["clinic"]]
    ids = [str(e.pk) for e in chosen]
    page = client.post(REGISTER, {"step": "terms", "elevators": ids})
    content = page.content.decode()
    assert page.status_code == 200 and 'name="product"' in content
    assert f'value="{estate["version"].product_id}"' in content
    assert f'value="{estate["withdrawn"].pk}"' not in content

    # step 3: the quote shows every factor per elevator and the total, as rating.quote computes it
    terms = {
        "elevators": ids,
        "product": estate["version"].product_id,
        "start_date": start.isoformat(),
        "funding_source": "self",
    }
    page = client.post(REGISTER, {**terms, "step": "quote"})
    content = page.content.decode()
    assert page.status_code == 200
    expected = quote(version=estate["version"], elevators=chosen, start=start)
    lines = expected.by_elevator()
    clinic_line = lines[estate["clinic"].pk]
    assert clinic_line.premium == Decimal("145.08")  # 93.00 x 1.300 (old) x 1.200 (hospital)
    for factor in clinic_line.factors:
        assert str(factor.label) in content and factor.input in content
    assert "×1.300" in content and "×1.200" in content
    assert str(expected.total) in content
    assert f'name="premium-{estate["clinic"].pk}" value="145.08"' in content

    # confirm: the policy exists with the quoted premiums
    premiums = {f"premium-{pk}": str(line.premium) for pk, line in lines.items()}
    response = client.post(REGISTER, {**terms, **premiums, "step": "confirm"})
    registered = Policy.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/policies/{registered.pk}/"
    assert registered.total_premium == expected.total
    assert registered.policyholder == world.orgs["pm_fancheng"]
    assert registered.created_by == world.users["pm_fancheng"]
    assert {c.elevator_id: c.premium for c in registered.covered.all()} == {
        pk: line.premium for pk, line in lines.items()
    }
    detail = client.get(response["Location"]).content.decode()
    assert registered.number in detail and "145.08" in detail and "投保成功" in detail
    # the register page now shows the chosen elevators as insured
    assert "已投保至" in client.get(REGISTER).content.decode()


def test_an_elevator_not_owned_cannot_be_slipped_in(world, estate):
    client = browser(world, "pm_fancheng")
    terms = {
        "elevators": [estate["garden"][0].pk, estate["neighbour"].pk],
        "product": estate["version"].product_id,
        "start_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "funding_source": "self",
    }
    for step in ("terms", "quote", "confirm"):
        page = client.post(REGISTER, {**terms, "step": step})
        assert page.status_code == 200
        assert "所选电梯不存在或不能由本单位投保" in page.content.decode()
    assert not Policy.objects.exists()


def test_rule_errors_are_form_errors_not_500s(world, estate):
    elevator = estate["garden"][0]
    start = timezone.localdate() + timedelta(days=1)
    existing = policy(estate["version"], [elevator], start=start, number="PICC-EXISTING")
    client = browser(world, "pm_fancheng")
    terms = {
        "elevators": [elevator.pk],
        "product": estate["version"].product_id,
        "start_date": start.isoformat(),
        "funding_source": "self",
        f"premium-{elevator.pk}": "93.00",
    }
    other = estate["garden"][1]
    both = {**terms, "elevators": [elevator.pk, other.pk], f"premium-{other.pk}": "93.00"}
    page = client.post(REGISTER, {**both, "step": "confirm"})
    assert page.status_code == 200
    content = page.content.decode()
    assert existing.number in content  # the overlap names the conflicting policy
    assert Policy.objects.count() == 1
    # the elevator at fault is marked, and the others can be quoted again without it in one click
    assert content.count('data-flagged="true"') == 1 and f"已由保单 {existing.number} 承保" in content
    drop = re.search(r'<form[^>]*data-testid="drop-form">(.*?)</form>', content, re.DOTALL).group(1)
    assert elevator_values(drop) == {str(other.pk)}
    assert 'data-testid="confirm"' not in content  # confirming again would fail the same way
    # the register page can show only the elevators without cover
    uninsured = elevator_values(client.get(REGISTER, {"cover": "uninsured"}).content.decode())
    assert str(other.pk) in uninsured and str(elevator.pk) not in uninsured
    assert elevator_values(client.get(REGISTER, {"cover": "insured"}).content.decode()) == {str(elevator.pk)}
    # the premium confirmed is the contract's even when the rating has changed since the quote: it
    # is stored as confirmed, the rating beside it (this confirmation was refused before)
    page = client.post(
        REGISTER, {**terms, "elevators": [other.pk], f"premium-{other.pk}": "80.00", "step": "confirm"}
    )
    confirmed = Policy.objects.get(covered__elevator=other)
    assert page.status_code == 302 and page.url == f"/policies/{confirmed.pk}/"
    assert (confirmed.total_premium, confirmed.rated_total_premium) == (Decimal("80.00"), Decimal("93.00"))
    detail = client.get(page.url).content.decode()
    assert "-14.0%" in detail and 'data-testid="premium-outside-band"' not in detail
    confirmed.delete()  # the steps below quote `other` again
    # a product without a base premium for escalators is a form error too
    version = product_version(
        world.orgs["insurer_b"], code="B-VERT", bases={"vertical": STANDARD_BASES["vertical"]}
    )
    escalator = ElevatorFactory(user_unit=world.orgs["pm_fancheng"], category="3310")
    page = client.post(
        REGISTER,
        {**terms, "elevators": [escalator.pk], "product": version.product_id, "step": "quote"},
    )
    assert page.status_code == 200 and escalator.equipment_code in page.content.decode()
    # a start date in the past
    page = client.post(REGISTER, {**terms, "start_date": "2020-01-01", "step": "quote"})
    assert "保险起期不能早于今天" in page.content.decode()


def test_only_property_managers_register_in_the_browser(world, estate):
    for who in ("insurer_a", "city", "maint"):
        assert browser(world, who).get(REGISTER).status_code == 403
    assert Client().get(REGISTER).status_code == 302  # to the login page


def test_renew_in_one_step_and_cancel(world, estate):
    first = policy(estate["version"], estate["garden"], start=date(2026, 1, 1))
    client = browser(world, "pm_fancheng")
    page = client.get(f"/policies/{first.pk}/").content.decode()
    # the policyholder renews; cancelling is the insurer's (DESIGN.md 2)
    assert 'data-testid="policy-renew"' in page and 'data-testid="policy-cancel"' not in page
    response = client.post(f"/policies/{first.pk}/renew/")
    renewal = Policy.objects.get(renewed_from=first)
    assert response["Location"] == f"/policies/{renewal.pk}/"
    assert (renewal.start_date, renewal.end_date) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal.covered.count() == 2
    page = client.get(f"/policies/{first.pk}/").content.decode()
    assert renewal.number in page and 'data-testid="policy-renew"' not in page
    # renewing twice: a message naming the renewal, not an error page
    response = client.post(f"/policies/{first.pk}/renew/", follow=True)
    assert response.status_code == 200 and renewal.number in response.content.decode()
    assert "不能重复续保" in response.content.decode()
    assert Policy.objects.count() == 2
    # the policyholder may not cancel, not even by posting the form
    assert client.post(f"/policies/{renewal.pk}/cancel/", {"on": "2027-03-01"}).status_code == 403
    # the insurer cancels the renewal from a date; a date after its end is refused
    insurer = browser(world, "insurer_a")
    assert 'data-testid="policy-cancel"' in insurer.get(f"/policies/{renewal.pk}/").content.decode()
    bad = insurer.post(f"/policies/{renewal.pk}/cancel/", {"on": "2028-06-01"}, follow=True)
    assert "退保日期不能晚于保险止期" in bad.content.decode()
    insurer.post(f"/policies/{renewal.pk}/cancel/", {"on": "2027-03-01"})
    renewal.refresh_from_db()
    assert (renewal.status, renewal.cancelled_on) == ("cancelled", date(2027, 3, 1))
    page = insurer.get(f"/policies/{renewal.pk}/").content.decode()
    assert 'data-testid="policy-cancel"' not in page and 'data-testid="policy-renew"' not in page


def test_who_may_renew_and_cancel_in_the_browser(world, estate):
    first = policy(estate["version"], estate["garden"][:1], start=date(2026, 1, 1))
    insurer_page = browser(world, "insurer_a").get(f"/policies/{first.pk}/").content.decode()
    assert 'data-testid="policy-renew"' in insurer_page
    city = browser(world, "city")
    page = city.get(f"/policies/{first.pk}/").content.decode()
    assert 'data-testid="policy-renew"' not in page and 'data-testid="policy-cancel"' not in page
    assert city.post(f"/policies/{first.pk}/renew/").status_code == 403
    assert city.post(f"/policies/{first.pk}/cancel/", {"on": "2026-03-01"}).status_code == 403
    other = browser(world, "insurer_b")
    assert other.get(f"/policies/{first.pk}/").status_code == 404
    assert other.post(f"/policies/{first.pk}/renew/").status_code == 404
    assert Policy.objects.count() == 1


def test_policy_list_and_detail_per_kind(world, estate):
    own = policy(estate["version"], estate["garden"][:1], start=date(2026, 1, 1), number="LIST-OWN")
    b_version = product_version(world.orgs["insurer_b"], code="B-LIAB")
    foreign = policy(b_version, [estate["neighbour"]], start=date(2026, 1, 1), number="LIST-FOREIGN")
    expected = {
        "city": {"LIST-OWN", "LIST-FOREIGN"},
        "nfra": {"LIST-OWN", "LIST-FOREIGN"},
        "district": {"LIST-OWN"},  # 樊城区
        "housing": {"LIST-OWN", "LIST-FOREIGN"},  # both residential
        "finance": set(),
        "insurer_a": {"LIST-OWN"},
        "insurer_b": {"LIST-FOREIGN"},
        "pm_fancheng": {"LIST-OWN"},
        "pm_xiangcheng": {"LIST-FOREIGN"},
    }
    numbers = {"LIST-OWN": own, "LIST-FOREIGN": foreign}
    for who, seen in expected.items():
        client = browser(world, who)
        page = client.get("/policies/")
        assert page.status_code == 200
        content = page.content.decode()
        assert {n for n in numbers if n in content} == seen, who
        for number, item in numbers.items():
            assert client.get(f"/policies/{item.pk}/").status_code == (200 if number in seen else 404), who
    # maintenance companies have no policy pages in their navigation, and see none
    maint = browser(world, "maint")
    assert "/policies/" not in maint.get("/").content.decode()
    assert "LIST-OWN" not in maint.get("/policies/").content.decode()


def test_policy_list_filters_and_the_expiry_notice_link(world, estate):
    today = timezone.localdate()
    ending = policy(
        estate["version"], estate["garden"][:1], start=today - timedelta(days=350), number="ENDING"
    )
    policy(estate["version"], estate["garden"][1:], start=today, number="FRESH")
    client = browser(world, "pm_fancheng")
    content = client.get("/policies/?expiring_within=30").content.decode()
    assert ending.number in content and "FRESH" not in content
    content = client.get("/policies/", {"q": "FRESH"}).content.decode()
    assert "FRESH" in content and "ENDING" not in content
    assert 'data-testid="policy-register"' in content
    assert 'href="/imports/new/policies/"' in content


def test_product_pages(world, estate):
    product = estate["version"].product
    client = browser(world, "pm_fancheng")
    content = client.get("/products/").content.decode()
    assert product.name in content and world.orgs["insurer_a"].credit_code in content
    assert "B-OLD" not in content  # withdrawn: not on sale
    detail = client.get(f"/products/{product.pk}/").content.decode()
    assert "800000.00" in detail and "500.00" in detail and "医院" in detail and "15 及以上" in detail
    assert client.get(f"/products/{estate['withdrawn'].pk}/").status_code == 404
    # the withdrawing insurer still sees its product; another insurer does not
    assert browser(world, "insurer_b").get(f"/products/{estate['withdrawn'].pk}/").status_code == 200
    assert browser(world, "insurer_a").get(f"/products/{estate['withdrawn'].pk}/").status_code == 404
    # navigation: insurers, regulators and property managers have the product list; others not
    for who, shown in (
        ("insurer_a", True),
        ("city", True),
        ("pm_fancheng", True),
        ("maint", False),
        ("housing", False),
    ):
        assert ('href="/products/"' in browser(world, who).get("/").content.decode()) is shown, who


def test_a_product_without_terms_or_a_start_too_late_is_a_form_error(world, estate):
    bare = Product.objects.create(
        insurer=world.orgs["insurer_a"], code="A-BARE", name="无条款产品", model="liability"
    )
    elevator = estate["garden"][0]
    terms = {
        "elevators": [elevator.pk],
        "product": bare.pk,
        "start_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "funding_source": "self",
        f"premium-{elevator.pk}": "93.00",
    }
    client = browser(world, "pm_fancheng")
    for step in ("quote", "confirm"):
        page = client.post(REGISTER, {**terms, "step": step})
        assert page.status_code == 200 and "该产品还没有条款版本" in page.content.decode(), step
    # a start outside the years Tibao keeps (the policy year would end after 9999-12-31) is refused
    late = {**terms, "product": estate["version"].product_id, "start_date": "9999-06-01"}
    for step in ("quote", "confirm"):
        page = client.post(REGISTER, {**late, "step": step})
        assert page.status_code == 200, step
        assert "日期须在1900年至2100年之间：9999-06-01。" in page.content.decode(), step
    assert not Policy.objects.exists()


def test_the_register_page_counts_cover_until_the_day_before_a_cancellation(world, estate):
    from insurance.services import policy_cancel

    today = timezone.localdate()
    elevator = estate["garden"][0]
    cover = policy(estate["version"], [elevator], start=today - timedelta(days=30))
    policy_cancel(user=world.users["insurer_a"], policy=cover, on=today + timedelta(days=1))
    page = browser(world, "pm_fancheng").get(REGISTER).content.decode()
    assert f"已投保至 {today.isoformat()}" in page


def test_a_viewer_sees_only_the_covered_elevators_it_may_see(world, estate):
    """A district regulator sees its district's part of a policy spanning two districts, and a
    renewal only if it covers something in its district."""
    from rest_framework.test import APIClient

    holder = world.orgs["pm_fancheng"]
    here = estate["garden"][0]
    there = ElevatorFactory(user_unit=holder, district=world.xiangcheng)
    first = policy(estate["version"], [here, there], start=date(2026, 1, 1), number="SPAN-1")
    here.status = "scrapped"
    here.save(update_fields=["status"])
    from insurance.services import policy_renew

    renewal = policy_renew(user=world.users["insurer_a"], policy=first)  # covers `there` only
    district = browser(world, "district")
    page = district.get(f"/policies/{first.pk}/").content.decode()
    assert here.equipment_code in page and there.equipment_code not in page
    assert renewal.number not in page  # the renewal covers nothing in its district
    assert district.get(f"/policies/{renewal.pk}/").status_code == 404
    api = APIClient()
    api.force_login(world.users["district"])
    data = api.get(f"/api/v1/policies/{first.pk}/").json()
    assert [c["equipment_code"] for c in data["covered"]] == [here.equipment_code]
    assert data["renewal"] is None
    # the insurer sees the whole policy and the link
    api.force_login(world.users["insurer_a"])
    data = api.get(f"/api/v1/policies/{first.pk}/").json()
    assert {c["equipment_code"] for c in data["covered"]} == {here.equipment_code, there.equipment_code}
    assert data["renewal"] == renewal.pk
    assert api.get(f"/api/v1/policies/{renewal.pk}/").json()["renewed_from"] == first.pk
    content = browser(world, "insurer_a").get(f"/policies/{first.pk}/").content.decode()
    assert there.equipment_code in content and renewal.number in content
