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
        'href="tel:963333"',
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
    card = elevator_public_card(code=elevator.equipment_code)
    assert set(card) == PUBLIC_CARD_KEYS
    assert card["insurer"] is None and card["last_maintenance"] is None
    assert card["rescue_phone"] == "963333"


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
    assert 'href="tel:963333"' in html  # the rescue number all the same
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
        elevator_public_card(code=elevator.equipment_code)


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
    assert "电梯安全信息" in html and ">963333<" in html
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


# --- the safety state leads -----------------------------------------------------------------------


def safety_block(html: str) -> str:
    start = html.index('data-testid="safety-state"')
    return html[start : html.index("</div>\n</div>", start)]


def test_a_scrapped_elevators_card_says_stop_first(client, elevator):
    elevator.status = "scrapped"
    elevator.save()
    html = client.get(card_url(elevator.equipment_code)).content.decode()
    assert 'data-state="scrapped"' in html
    block = safety_block(html)
    assert "停止使用" in block and "这部电梯已报废，请勿乘坐。" in block
    # Before anything else about the elevator: its code, address and the rescue line come after.
    assert html.index("停止使用") < html.index(elevator.equipment_code) < html.index("樊城区春园路8号3栋")
    assert "在检验有效期内" not in html


@pytest.mark.parametrize(
    ("status", "words"),
    [("suspended", "这部电梯已停用"), ("cancelled", "这部电梯的使用登记已注销")],
)
def test_suspended_and_cancelled_elevators_say_stop(client, elevator, status, words):
    elevator.status = status
    elevator.save()
    block = safety_block(client.get(card_url(elevator.equipment_code)).content.decode())
    assert "停止使用" in block and words in block


def test_a_lapsed_inspection_warns(client, elevator):
    elevator.next_inspection_due = timezone.localdate() - timedelta(days=1)
    elevator.save()
    html = client.get(card_url(elevator.equipment_code)).content.decode()
    assert 'data-state="inspection_lapsed"' in html
    assert "停止使用" in safety_block(html) and "已超过检验有效期" in safety_block(html)
    assert html.index("停止使用") < html.index(elevator.equipment_code)
    assert 'class="text-danger fw-semibold">' + elevator.next_inspection_due.isoformat() in html


def test_an_elevator_in_service_says_so_first(client, elevator):
    html = client.get(card_url(elevator.equipment_code)).content.decode()
    block = safety_block(html)
    assert 'data-state="in_service"' in block
    assert "在用" in block and "在检验有效期内" in block
    assert "停止使用" not in html


def test_the_card_selector_leads_with_the_state(elevator):
    elevator.status = "suspended"
    elevator.save()
    card = elevator_public_card(code=elevator.equipment_code)
    assert card["safety"].key == "suspended" and card["safety"].is_stop
    assert list(card)[0] == "safety"


def test_the_sign_of_a_scrapped_elevator_prints_stop_first(client, elevator):
    elevator.status = "scrapped"
    elevator.save()
    html = client.get(reverse("elevator-sign", args=[elevator.equipment_code])).content.decode()
    assert 'tb-sign-state-stop" data-testid="safety-state" data-state="scrapped"' in html
    assert html.index("停止使用") < html.index('data-testid="sign-qr"')


def test_the_sign_of_an_elevator_in_service_prints_the_end_of_its_inspection_period(client, elevator):
    html = client.get(reverse("elevator-sign", args=[elevator.equipment_code])).content.decode()
    assert f"检验有效期至 {elevator.next_inspection_due.isoformat()}" in html
    assert "在检验有效期内" not in html  # paper outlives today


# --- the rescue line and the rescue code --------------------------------------------------------


def test_the_rescue_line_is_hubeis_963333(client, elevator):
    html = client.get(card_url(elevator.equipment_code)).content.decode()
    assert 'href="tel:963333"' in html and ">963333<" in html
    sign = client.get(reverse("elevator-sign", args=[elevator.equipment_code])).content.decode()
    assert '<div class="tb-sign-rescue-number" data-testid="rescue-phone">963333</div>' in sign


def test_963333_is_the_default_without_configuration():
    from tests.config.test_settings import load_settings

    assert load_settings({"DEBUG": "1"}, "TIBAO")["TIBAO"]["RESCUE_PHONE"] == "963333"


def test_the_card_shows_the_rescue_code_to_read_to_the_rescue_line(client, elevator):
    html = client.get(card_url(elevator.equipment_code)).content.decode()
    assert f'<div class="font-monospace fs-4 fw-bold tb-rescue-code">{elevator.rescue_code}</div>' in html
    assert f'拨通后请报出电梯识别码 <strong class="font-monospace">{elevator.rescue_code}</strong>' in html
    assert elevator_public_card(code=elevator.equipment_code)["rescue_code"] == elevator.rescue_code


def test_the_sign_prints_the_rescue_code_beside_the_qr_code(client, elevator):
    html = client.get(reverse("elevator-sign", args=[elevator.equipment_code])).content.decode()
    qr_block = html[html.index('data-testid="sign-qr"') : html.index('<dl class="tb-sign-facts">')]
    assert "<svg" in qr_block
    assert f'<div class="tb-sign-rescue-code-number">{elevator.rescue_code}</div>' in qr_block


@pytest.mark.parametrize("typed", ["{code}", " {code} ", "{wide}"])
def test_the_rescue_code_finds_the_same_card(client, elevator, typed):
    wide = "".join(chr(ord(c) + 0xFEE0) for c in elevator.rescue_code)
    by_code = client.get(card_url(elevator.equipment_code)).content.decode()
    response = client.get(card_url(typed.format(code=elevator.rescue_code, wide=wide)))
    assert response.status_code == 200
    assert response.content.decode() == by_code
    assert elevator_public_card(code=elevator.rescue_code) == elevator_public_card(
        code=elevator.equipment_code
    )


def test_the_sign_is_found_by_the_rescue_code_and_its_qr_names_the_equipment_code(client, elevator):
    html = client.get(reverse("elevator-sign", args=[elevator.rescue_code])).content.decode()
    assert views.qr_svg(f"http://testserver/e/{elevator.equipment_code}/") in html


def test_an_unknown_rescue_code_is_a_friendly_404(client, elevator):
    unknown = "999999" if elevator.rescue_code != "999999" else "999998"
    response = client.get(card_url(unknown))
    assert response.status_code == 404
    assert "未找到这部电梯" in response.content.decode()
