"""The public card behind the QR code (/e/<code>/) and the printable A5 sign: no login, only the
card's facts, never premiums, claims, registration numbers, credit codes, phone numbers or people."""

from datetime import date, timedelta

import pytest
import segno
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganisationKind
from elevators import selectors, views
from elevators.selectors import PUBLIC_CARD_KEYS, elevator_public_card
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def elevator():
    user_unit = OrganisationFactory(
        kind=OrganisationKind.PROPERTY_MANAGER,
        name="襄阳春园物业服务有限公司",
        phone="0710-3338888",
        address="樊城区物业大厦1号",
    )
    maintenance = OrganisationFactory(
        kind=OrganisationKind.MAINTENANCE_COMPANY,
        name="襄阳安达电梯工程有限公司",
        phone="13907101234",
        address="襄城区维保路2号",
    )
    owner = OrganisationFactory(kind=OrganisationKind.PROPERTY_MANAGER, name="襄阳春园置业有限公司")
    UserFactory(organisation=user_unit, username="chunyuan-admin", first_name="张", last_name="三丰")
    return ElevatorFactory(
        equipment_code="31104200120159A001",
        site_name="春园小区",
        address="樊城区春园路8号3栋",
        user_unit=user_unit,
        owner=owner,
        maintenance_company=maintenance,
        next_inspection_due=timezone.localdate() + timedelta(days=90),
        manufacturer="襄阳某电梯制造有限公司",
        factory_serial="SERIAL-778899",
    )


def card_url(code):
    return reverse("elevator-card", args=[code])


def test_card_needs_no_login_and_shows_the_listed_facts(client, elevator):
    response = client.get(card_url(elevator.equipment_code))
    assert response.status_code == 200
    html = response.content.decode()
    for fact in (
        "电梯安全信息",
        elevator.equipment_code,
        "曳引驱动乘客电梯",
        "春园小区 樊城区春园路8号3栋",
        "襄阳春园物业服务有限公司",
        "襄阳安达电梯工程有限公司",
        elevator.next_inspection_due.isoformat(),
        "未投保",
        "暂无记录",  # last maintenance: no maintenance records yet
        'href="tel:96333"',
    ):
        assert fact in html, fact
    # Not the logged-in shell: no navigation, no user menu, no login link.
    assert "tb-mainnav" not in html and "user-menu" not in html
    assert 'name="csrfmiddlewaretoken"' not in html


def test_card_shows_nothing_else(client, elevator):
    html = client.get(card_url(elevator.equipment_code)).content.decode()
    user_unit, maintenance, owner = elevator.user_unit, elevator.maintenance_company, elevator.owner
    for secret in (
        elevator.registration_number,
        user_unit.credit_code,
        maintenance.credit_code,
        owner.credit_code,
        owner.name,
        user_unit.phone,
        maintenance.phone,
        user_unit.address,
        maintenance.address,
        elevator.manufacturer,
        elevator.factory_serial,
        "chunyuan-admin",
        "三丰",
        "保费",
        "理赔",
        "premium",
    ):
        assert secret not in html, secret


def test_card_selector_returns_exactly_the_public_keys(elevator):
    card = elevator_public_card(equipment_code=elevator.equipment_code)
    assert set(card) == PUBLIC_CARD_KEYS
    assert card["insurer"] is None and card["last_maintenance"] is None
    assert card["rescue_phone"] == "96333"


def test_card_is_cached_publicly_for_five_minutes(client, elevator):
    response = client.get(card_url(elevator.equipment_code))
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=300"} <= directives


@pytest.mark.parametrize(
    "typed", ["31104200120159a001", "3110 42001 2015 9A001", "３１１０４２００１２０１５９Ａ００１"]
)
def test_card_accepts_the_code_as_people_type_it(client, elevator, typed):
    response = client.get(card_url(typed))
    assert response.status_code == 200
    assert elevator.equipment_code in response.content.decode()


def test_unknown_code_is_a_friendly_404(client, elevator):
    response = client.get(card_url("311042001201599999"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "未找到这部电梯" in html and "311042001201599999" in html
    assert "96333" in html  # the rescue number all the same
    assert client.get(reverse("elevator-sign", args=["nothing"])).status_code == 404


def test_card_shows_facts_registered_by_other_apps(client, elevator, monkeypatch):
    def insurance(elevator):
        return {
            "insurer": "中国人民财产保险股份有限公司襄阳市分公司",
            "policy_start": date(2026, 1, 1),
            "policy_end": date(2026, 12, 31),
        }

    def maintenance(elevator):
        return {"last_maintenance": date(2026, 5, 20)}

    monkeypatch.setattr(selectors, "PUBLIC_CARD_FACTS", [insurance, maintenance])
    html = client.get(card_url(elevator.equipment_code)).content.decode()
    assert "中国人民财产保险股份有限公司襄阳市分公司" in html
    assert "保险期间 2026-01-01 至 2026-12-31" in html
    assert "2026-05-20" in html
    assert "未投保" not in html and "暂无记录" not in html


def test_a_registered_source_may_not_add_private_facts(elevator, monkeypatch):
    monkeypatch.setattr(selectors, "PUBLIC_CARD_FACTS", [lambda e: {"premium": 300}])
    with pytest.raises(ValueError, match="premium"):
        elevator_public_card(equipment_code=elevator.equipment_code)


def test_card_of_an_elevator_without_user_unit_or_maintenance(client):
    bare = ElevatorFactory(user_unit=None, owner=None, maintenance_company=None, next_inspection_due=None)
    html = client.get(card_url(bare.equipment_code)).content.decode()
    assert html.count("暂无记录") >= 3


# --- the printable sign -------------------------------------------------------------------------


def test_sign_is_an_a5_page_with_the_cards_qr_code(client, elevator):
    response = client.get(reverse("elevator-sign", args=[elevator.equipment_code.lower()]))
    assert response.status_code == 200
    html = response.content.decode()
    url = f"http://testserver/e/{elevator.equipment_code}/"
    assert "电梯安全信息" in html and "96333" in html
    assert "<svg" in html and views.qr_svg(url) in html
    assert views.qr_svg("http://testserver/e/311042001201599999/") not in html
    assert "elevators/sign.css" in html  # where @page { size: A5 } lives
    assert elevator.registration_number not in html


def test_sign_qr_code_encodes_the_card_url():
    url = "https://tibao.example.cn/e/311042001201500001/"
    svg = views.qr_svg(url)
    assert not segno.make_qr(url, error="m").is_micro
    assert svg == segno.make_qr(url, error="m").svg_inline(
        border=2, omitsize=True, title=url, svgclass="tb-qr"
    )
    assert svg.startswith("<svg") and f"<title>{url}</title>" in svg
