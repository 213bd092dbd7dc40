"""The safety state (elevators.safety): one decision for the public card, the sign, the staff list
and the elevator page; other apps add reasons to stop through the registry."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.urls import reverse

from elevators import safety
from elevators.models import Elevator
from elevators.safety import SafetyState, register_safety_stop
from tests.elevators.factories import ElevatorFactory
from tests.utils.dates import today

pytestmark = pytest.mark.django_db

# A timedelta is a day relative to the one the test runs on (tests.utils.dates).
CASES = [
    ("in service", {}, "in_service"),
    ("due today still counts", {"next_inspection_due": timedelta(0)}, "in_service"),
    ("passed after rectification", {"inspection_result": "pass_rectified"}, "in_service"),
    ("scrapped", {"status": "scrapped"}, "scrapped"),
    ("registration cancelled", {"status": "cancelled"}, "cancelled"),
    ("suspended", {"status": "suspended"}, "suspended"),
    ("lapsed the day before", {"next_inspection_due": -timedelta(days=1)}, "inspection_lapsed"),
    ("failed inspection", {"inspection_result": "fail"}, "inspection_failed"),
    ("never inspected", {"inspection_result": "", "next_inspection_due": None}, "no_inspection"),
    ("a due date but no result", {"inspection_result": ""}, "no_inspection"),
    # The status is the more fundamental fact: a scrapped elevator is never "lapsed".
    ("scrapped and lapsed", {"status": "scrapped", "next_inspection_due": -timedelta(days=9)}, "scrapped"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "fields", "expected"), CASES, ids=[c[0] for c in CASES])
def test_one_decision_for_a_list_and_for_one_elevator(label, fields, expected):
    elevator = ElevatorFactory(
        **{k: today() + v if isinstance(v, timedelta) else v for k, v in fields.items()}
    )
    annotated = Elevator.objects.with_safety(on=today()).get(pk=elevator.pk)
    assert annotated.safety_state == expected
    assert annotated.safety.key == expected
    assert Elevator.objects.get(pk=elevator.pk).safety.key == expected  # loaded without the annotation


def test_levels_stop_caution_and_ok():
    assert safety.safety_state_for("scrapped").is_stop
    assert safety.safety_state_for("inspection_lapsed").is_stop
    assert safety.safety_state_for("no_inspection").level == "caution"
    in_service = safety.safety_state_for("in_service")
    assert not in_service.is_stop and in_service.tone == "success"
    assert str(in_service.headline) == "在用"
    assert str(safety.safety_state_for("suspended").headline) == "停止使用"


def test_inspection_due_within_30_days_is_flagged():
    soon = ElevatorFactory(next_inspection_due=today() + timedelta(days=30))
    later = ElevatorFactory(next_inspection_due=today() + timedelta(days=31))
    lapsed = ElevatorFactory(next_inspection_due=today() - timedelta(days=1))
    flags = dict(Elevator.objects.with_safety(on=today()).values_list("pk", "flag_inspection_due_soon"))
    assert flags == {soon.pk: True, later.pk: False, lapsed.pk: False}


@pytest.fixture
def hazard_stop(monkeypatch):
    """A stop another app registers (what maintenance will do for a serious hazard open)."""
    monkeypatch.setattr(safety, "REGISTERED_STOPS", [])
    state = SafetyState("serious_hazard", "重大隐患", "这部电梯有未消除的重大事故隐患，请勿乘坐。")
    register_safety_stop(state)(lambda *, on: Q(site_name="隐患楼"))
    return state


def test_other_apps_add_reasons_to_stop_between_status_and_inspection(hazard_stop):
    hazard = ElevatorFactory(site_name="隐患楼", next_inspection_due=today() - timedelta(days=3))
    scrapped = ElevatorFactory(site_name="隐患楼", status="scrapped")
    fine = ElevatorFactory()
    states = dict(Elevator.objects.with_safety(on=today()).values_list("pk", "safety_state"))
    assert states == {hazard.pk: "serious_hazard", scrapped.pk: "scrapped", fine.pk: "in_service"}
    assert Elevator.objects.with_safety(on=today()).get(pk=hazard.pk).safety == hazard_stop


def test_the_card_leads_with_a_registered_stop(client, hazard_stop):
    elevator = ElevatorFactory(site_name="隐患楼")
    html = client.get(reverse("elevator-card", args=[elevator.equipment_code])).content.decode()
    assert 'data-state="serious_hazard"' in html
    assert html.index("停止使用") < html.index(elevator.equipment_code)
    assert "未消除的重大事故隐患" in html


def test_a_state_is_registered_once(hazard_stop):
    with pytest.raises(ValueError, match="serious_hazard"):
        register_safety_stop(hazard_stop)
    with pytest.raises(ValueError, match="scrapped"):
        register_safety_stop(SafetyState("scrapped", "x", "y"))


# --- the staff pages show the same badges ---------------------------------------------------


@pytest.fixture
def staff(client, world):
    client.force_login(world.users["city"])
    return client


def badge_states(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-testid="safety-badge" data-state="')[1:]]


def test_the_list_shows_each_elevators_safety_badge(staff):
    codes = {}
    for key, fields in [
        ("in_service", {}),
        ("scrapped", {"status": "scrapped"}),
        ("inspection_lapsed", {"next_inspection_due": today() - timedelta(days=1)}),
        ("no_inspection", {"inspection_result": "", "next_inspection_due": None}),
    ]:
        codes[key] = ElevatorFactory(**fields).equipment_code
    html = staff.get(reverse("elevator-list") + "?ordering=equipment_code").content.decode()
    assert badge_states(html) == [key for key, _code in sorted(codes.items(), key=lambda item: item[1])]
    for word in ("在用", "报废", "超期未检", "无检验记录"):
        assert word in html, word


def test_the_list_and_the_page_say_when_the_inspection_falls_due_within_30_days(staff):
    soon = ElevatorFactory(next_inspection_due=today() + timedelta(days=10))
    ElevatorFactory(next_inspection_due=today() + timedelta(days=200))
    html = staff.get(reverse("elevator-list")).content.decode()
    assert html.count('data-testid="due-soon-badge"') == 1
    assert "即将到检" in html
    page = staff.get(reverse("elevator-detail", args=[soon.pk])).content.decode()
    assert 'data-testid="due-soon-badge"' in page


def test_the_elevator_page_shows_the_cards_state_and_rescue_code(staff):
    elevator = ElevatorFactory(next_inspection_due=today() - timedelta(days=40))
    html = staff.get(reverse("elevator-detail", args=[elevator.pk])).content.decode()
    assert badge_states(html) == ["inspection_lapsed"]
    assert 'data-testid="due-soon-badge"' not in html  # lapsed is not "due soon"
    assert elevator.rescue_code in html


def test_badges_cost_no_query_per_row(staff, django_assert_max_num_queries):
    for _ in range(5):
        ElevatorFactory()
    with django_assert_max_num_queries(12) as few:
        staff.get(reverse("elevator-list"))
    for _ in range(20):
        ElevatorFactory(status="suspended")
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff.get(reverse("elevator-list"))
