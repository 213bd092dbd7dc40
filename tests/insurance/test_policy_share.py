"""A reader who sees only part of a policy (issue 8, section 6): a district regulator looking at a
policy spanning districts is shown its district's share — the elevators there and their premium —
labelled as such, in the list, the detail page and the API; never the whole policy's figures."""

from datetime import date
from decimal import Decimal

import pytest

from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.clients import browser, session, with_key

pytestmark = pytest.mark.django_db

LABEL = "仅含您可查看的电梯"


@pytest.fixture
def spanning(world):
    """One policy of pm_fancheng: 2 elevators in 樊城区 (the district regulator's), 3 in 襄城区;
    and one policy wholly in 樊城区."""
    version = product_version(world.orgs["insurer_a"], code="A-LIAB")
    holder = world.orgs["pm_fancheng"]
    here = [
        ElevatorFactory(user_unit=holder, district=world.fancheng, installed_on=date(2016, 1, 1))
        for _ in range(2)
    ]
    there = [
        ElevatorFactory(user_unit=holder, district=world.xiangcheng, installed_on=date(2016, 1, 1))
        for _ in range(3)
    ]
    across = policy(version, [*here, *there], start=date(2026, 1, 1), number="PA-SPAN")
    local_elevator = ElevatorFactory(user_unit=holder, district=world.fancheng, installed_on=date(2016, 1, 1))
    local = policy(version, [local_elevator], start=date(2026, 1, 1), number="PA-LOCAL")
    share = sum(c.premium for c in across.covered.filter(elevator__in=here))
    return {"across": across, "local": local, "share": share}


def test_the_district_regulator_sees_its_share_in_the_api(world, spanning):
    across = spanning["across"]
    assert across.total_premium > spanning["share"] > 0
    client = with_key(world, "district")
    listed = {p["number"]: p for p in client.get("/api/v1/policies/").json()["results"]}
    assert (listed["PA-SPAN"]["elevator_count"], listed["PA-SPAN"]["seen_in_part"]) == (2, True)
    assert Decimal(listed["PA-SPAN"]["total_premium"]) == spanning["share"]
    assert (listed["PA-LOCAL"]["elevator_count"], listed["PA-LOCAL"]["seen_in_part"]) == (1, False)
    assert Decimal(listed["PA-LOCAL"]["total_premium"]) == spanning["local"].total_premium
    detail = client.get(f"/api/v1/policies/{across.pk}/").json()
    assert (detail["elevator_count"], detail["seen_in_part"], len(detail["covered"])) == (2, True, 2)
    assert Decimal(detail["total_premium"]) == spanning["share"]
    assert str(across.total_premium) not in str(detail)


def test_the_insurer_and_the_city_see_the_whole_policy(world, spanning):
    across = spanning["across"]
    for who in ("insurer_a", "city"):
        detail = session(world, who).get(f"/api/v1/policies/{across.pk}/").json()
        assert (detail["elevator_count"], detail["seen_in_part"]) == (5, False), who
        assert Decimal(detail["total_premium"]) == across.total_premium


def test_the_district_regulator_sees_its_share_on_the_pages_labelled(world, spanning):
    across = spanning["across"]
    client = browser(world, "district")
    listing = client.get("/policies/")
    rows = {p.number: p for p in listing.context["object_list"]}
    assert (rows["PA-SPAN"].shown_elevator_count, rows["PA-SPAN"].shown_total_premium) == (
        2,
        spanning["share"],
    )
    assert not rows["PA-LOCAL"].seen_in_part
    page = listing.content.decode()
    assert page.count(LABEL) == 1
    assert str(across.total_premium) not in page
    detail = client.get(f"/policies/{across.pk}/").content.decode()
    assert LABEL in detail and str(spanning["share"]) in detail
    assert str(across.total_premium) not in detail


def test_the_insurer_sees_no_label(world, spanning):
    page = browser(world, "insurer_a").get(f"/policies/{spanning['across'].pk}/").content.decode()
    assert LABEL not in page and str(spanning["across"].total_premium) in page


def test_the_export_holds_the_same_share_labelled(world, spanning):
    import io

    import openpyxl

    def exported(who) -> dict[str, dict]:
        response = browser(world, who).get("/policies/export.xlsx")
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        return {row[header.index("保单号")]: dict(zip(header, row, strict=True)) for row in rows}

    mine = exported("district")
    assert (mine["PA-SPAN"]["承保电梯台数"], mine["PA-SPAN"]["仅含您可查看的电梯"]) == (2, "是")
    assert Decimal(str(mine["PA-SPAN"]["保费（元）"])) == spanning["share"]
    assert mine["PA-LOCAL"]["仅含您可查看的电梯"] == "否"
    whole = exported("insurer_a")
    assert whole["PA-SPAN"]["承保电梯台数"] == 5
    assert Decimal(str(whole["PA-SPAN"]["保费（元）"])) == spanning["across"].total_premium
