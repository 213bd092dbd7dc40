"""Reporting, rectifying and closing hazards; the serious-hazard notice; overdue escalation
(issue 10; ../reference/maintenance.md, "Hazards")."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from accounts.models import Notice
from core.exceptions import ApplicationError
from elevators.models import Elevator
from maintenance.models import Hazard
from maintenance.services.hazard_notices import hazard_regulators_notify, hazards_escalate
from maintenance.services.hazards import hazard_close, hazard_rectify, hazards_bulk_report
from tests.maintenance.conftest_hazards import FOUND, TODAY, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    return make_cast()


SERIOUS = {"severity": "serious", "criterion": "door_lock_bypassed", "description": "门锁回路被短接"}


def notices_by_org(cast) -> dict[str, int]:
    keys = {org.pk: key for key, org in cast.world.orgs.items()}
    counts: dict[str, int] = {}
    for notice in Notice.objects.all():
        key = keys.get(notice.recipient_organisation_id, "someone else")
        counts[key] = counts.get(key, 0) + 1
    return counts


# --- reporting -------------------------------------------------------------------------------


def test_report_is_idempotent_by_reporter_and_number(cast):
    hazard, outcome = cast.report("maint", hazard_number="WB-1")
    assert (outcome, hazard.status, hazard.found_by) == ("created", "open", "maintenance")
    assert cast.report("maint", hazard_number="WB-1")[1] == "unchanged"
    again, outcome = cast.report("maint", hazard_number="WB-1", description="照明已部分损坏", deadline=TODAY)
    assert (outcome, again.pk, again.deadline) == ("updated", hazard.pk, TODAY)
    # Another reporter's number is its own.
    assert cast.report("insurer_a", hazard_number="WB-1")[1] == "created"
    assert Hazard.objects.count() == 2
    assert [(s.status, s.by_organisation_id) for s in hazard.steps.all()] == [
        ("open", cast.world.orgs["maint"].pk)
    ]


@pytest.mark.parametrize(
    ("key", "found_by"),
    [("insurer_a", "service"), ("maint", "maintenance"), ("city", "inspection"), ("district", "inspection")],
)
def test_found_by_defaults_from_the_reporter_kind(cast, key, found_by):
    assert cast.report(key)[0].found_by == found_by
    assert cast.report(key, found_by="public")[0].found_by == "public"


@pytest.mark.parametrize("key", ["housing", "finance", "nfra", "pm_fancheng"])
def test_other_kinds_may_not_report(cast, key):
    with pytest.raises(PermissionDenied):
        cast.report(key)


def test_a_reporter_reports_only_on_elevators_it_sees(cast):
    with pytest.raises(ApplicationError) as refusal:
        cast.report("district", elevator=cast.xiang)  # 樊城区's regulator, an elevator of 襄城区
    assert refusal.value.field == "equipment_code"
    with pytest.raises(ApplicationError):
        cast.report("insurer_b")  # insurer_b covers nothing


def test_serious_needs_a_criterion_and_general_has_none(cast):
    with pytest.raises(ApplicationError) as refusal:
        cast.report("maint", severity="serious")
    assert refusal.value.field == "criterion"
    with pytest.raises(ApplicationError) as refusal:
        cast.report("maint", criterion="other")
    assert refusal.value.field == "criterion"
    with pytest.raises(ApplicationError) as refusal:
        cast.report("maint", deadline=FOUND - timedelta(days=1))
    assert "整改期限" in str(refusal.value.message)
    with pytest.raises(ApplicationError) as refusal:
        cast.report("maint", found_on=TODAY + timedelta(days=1))
    assert refusal.value.field == "found_on"


# --- the serious-hazard notice -----------------------------------------------------------------


def test_serious_hazard_notifies_exactly_the_city_and_district_regulators_once(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hazard, _outcome = cast.report("maint", hazard_number="ZD-1", **SERIOUS)
    assert notices_by_org(cast) == {"city": 1, "district": 1}
    subjects = set(Notice.objects.values_list("subject", flat=True))
    assert subjects == {f"重大事故隐患：电梯 {cast.fan.equipment_code}"}
    assert sorted(m.to[0] for m in mail.outbox) == ["city@example.cn", "district@example.cn"]
    # Re-sent, saved with a change, and the notice service called again: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        cast.report("maint", hazard_number="ZD-1", **SERIOUS)
        cast.report("maint", hazard_number="ZD-1", **{**SERIOUS, "description": "门锁回路被短接，已停梯"})
        hazards_bulk_report(
            user=cast.world.users["maint"],
            items=[
                {
                    "hazard_number": "ZD-1",
                    "equipment_code": cast.fan.equipment_code,
                    "found_on": FOUND,
                    **SERIOUS,
                }
            ],
            today=TODAY,
        )
    assert hazard_regulators_notify(hazard_id=hazard.pk) == 0
    assert notices_by_org(cast) == {"city": 1, "district": 1}
    assert len(mail.outbox) == 2
    hazard.refresh_from_db()
    assert hazard.regulators_notified_at is not None


def test_nothing_is_sent_before_the_report_commits(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cast.report("insurer_a", **SERIOUS)
    assert Notice.objects.count() == 0
    assert len(callbacks) == 1


def test_general_hazard_upgraded_to_serious_notifies_once(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cast.report("insurer_a", hazard_number="BX-1")
    assert Notice.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        cast.report("insurer_a", hazard_number="BX-1", **SERIOUS)
        cast.report("insurer_a", hazard_number="BX-1", **SERIOUS)
    assert notices_by_org(cast) == {"city": 1, "district": 1}


def test_serious_hazard_in_another_district_goes_to_that_districts_regulator_only(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cast.report("maint", elevator=cast.xiang, **SERIOUS)
    assert notices_by_org(cast) == {"city": 1}  # 襄城区 has no regulator in this world


# --- rectification and closing ---------------------------------------------------------------


def test_rectify_and_close_each_step_with_who_and_when(cast):
    hazard, _outcome = cast.report("insurer_a")
    users = cast.world.users
    hazard_rectify(user=users["pm_fancheng"], hazard=hazard, status="rectifying")
    hazard = hazard_rectify(
        user=users["maint"], hazard=hazard, status="rectified", rectification="更换照明灯具"
    )
    assert (hazard.status, hazard.rectification) == ("rectified", "更换照明灯具")
    hazard = hazard_close(user=users["district"], hazard=hazard, send_back=True, note="照片不清")
    assert hazard.status == "rectifying"
    hazard_rectify(user=users["maint"], hazard=hazard, status="rectified", rectification="重新拍照")
    hazard = hazard_close(user=users["city"], hazard=hazard)
    steps = list(hazard.steps.values_list("status", "by_organisation", "by_user", "note"))
    orgs, ids = cast.world.orgs, {k: u.pk for k, u in users.items()}
    assert steps == [
        ("open", orgs["insurer_a"].pk, ids["insurer_a"], ""),
        ("rectifying", orgs["pm_fancheng"].pk, ids["pm_fancheng"], ""),
        ("rectified", orgs["maint"].pk, ids["maint"], "更换照明灯具"),
        ("rectifying", orgs["district"].pk, ids["district"], "照片不清"),
        ("rectified", orgs["maint"].pk, ids["maint"], "重新拍照"),
        ("closed", orgs["city"].pk, ids["city"], ""),
    ]
    assert all(step.at is not None for step in hazard.steps.all())


@pytest.mark.parametrize("key", ["insurer_b", "housing", "pm_xiangcheng", "district_xiangcheng"])
def test_who_may_not_rectify(cast, key):
    if key == "district_xiangcheng":
        key = "city"  # a regulator that did not report is not a rectifier
    hazard, _outcome = cast.report("insurer_a")
    with pytest.raises(PermissionDenied):
        hazard_rectify(user=cast.world.users[key], hazard=hazard, status="rectifying")


def test_rectified_says_what_was_done_and_follows_the_transitions(cast):
    hazard, _outcome = cast.report("maint")
    user = cast.world.users["maint"]
    with pytest.raises(ApplicationError) as refusal:
        hazard_rectify(user=user, hazard=hazard, status="rectified")
    assert refusal.value.field == "rectification"
    with pytest.raises(ApplicationError):
        hazard_rectify(user=user, hazard=hazard, status="closed")
    hazard_rectify(user=user, hazard=hazard, status="rectified", rectification="已修复")
    with pytest.raises(ApplicationError) as refusal:
        hazard_rectify(user=user, hazard=hazard, status="rectified", rectification="again")
    assert "已整改" in str(refusal.value.message)


def test_only_the_city_or_the_elevators_district_regulator_closes_a_rectified_hazard(cast):
    hazard, _outcome = cast.report("maint", elevator=cast.xiang)
    with pytest.raises(ApplicationError) as refusal:
        hazard_close(user=cast.world.users["city"], hazard=hazard)
    assert "待整改" in str(refusal.value.message)
    hazard_rectify(user=cast.world.users["maint"], hazard=hazard, status="rectified", rectification="已修复")
    for key in ("district", "maint", "insurer_a"):  # 樊城区's regulator: not this elevator's
        with pytest.raises(PermissionDenied):
            hazard_close(user=cast.world.users[key], hazard=hazard)
    assert hazard_close(user=cast.world.users["city"], hazard=hazard).status == "closed"
    with pytest.raises(ApplicationError):
        cast.report("maint", elevator=cast.xiang, hazard_number=hazard.hazard_number, description="改")


# --- the public card ---------------------------------------------------------------------------


def safety_key(elevator) -> str:
    from elevators.selectors import elevator_public_card

    return elevator_public_card(code=elevator.equipment_code, on=TODAY)["safety"].key


def test_card_says_stop_while_a_serious_hazard_is_open_and_not_after_closing(cast):
    assert safety_key(cast.fan) == "in_service"
    cast.report("maint")
    assert safety_key(cast.fan) == "in_service"  # a general hazard does not stop the elevator
    hazard, _outcome = cast.report("maint", **SERIOUS)
    assert safety_key(cast.fan) == "serious_hazard"
    card_state = Elevator.objects.with_safety(on=TODAY).get(pk=cast.fan.pk)
    assert card_state.safety.key == "serious_hazard"
    hazard_rectify(user=cast.world.users["maint"], hazard=hazard, status="rectifying")
    assert safety_key(cast.fan) == "serious_hazard"
    hazard_rectify(user=cast.world.users["maint"], hazard=hazard, status="rectified", rectification="已修复")
    hazard_close(user=cast.world.users["district"], hazard=hazard)
    assert safety_key(cast.fan) == "in_service"
    assert safety_key(cast.xiang) == "in_service"


# --- escalation -----------------------------------------------------------------------------


def test_overdue_hazard_is_escalated_once_per_level(cast):
    deadline = date(2026, 3, 20)
    hazard, _outcome = cast.report("insurer_a", deadline=deadline)
    cast.report("insurer_a", deadline=date(2026, 4, 30))  # not due yet
    assert hazards_escalate(on=deadline) == {1: 0, 2: 0}  # the deadline day itself is on time
    assert hazards_escalate(on=deadline + timedelta(days=1)) == {1: 1, 2: 0}
    assert hazards_escalate(on=deadline + timedelta(days=2)) == {1: 0, 2: 0}
    assert notices_by_org(cast) == {"district": 1}
    assert hazards_escalate(on=deadline + timedelta(days=29)) == {1: 0, 2: 0}
    assert hazards_escalate(on=deadline + timedelta(days=30)) == {1: 0, 2: 1}
    call_command("escalate_hazards", "--on", (deadline + timedelta(days=31)).isoformat())
    assert notices_by_org(cast) == {"district": 1, "city": 1}
    hazard.refresh_from_db()
    assert hazard.escalation_level == 2
    city_notice = Notice.objects.get(recipient_organisation=cast.world.orgs["city"])
    assert cast.fan.equipment_code in city_notice.subject


def test_a_rectified_hazard_is_not_escalated(cast):
    hazard, _outcome = cast.report("maint", deadline=date(2026, 3, 20))
    hazard_rectify(user=cast.world.users["maint"], hazard=hazard, status="rectified", rectification="已修复")
    assert hazards_escalate(on=date(2026, 6, 1)) == {1: 0, 2: 0}


def test_escalation_sends_a_lost_serious_notice(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        cast.report("maint", **SERIOUS)  # the task never ran
    hazards_escalate(on=TODAY)
    hazards_escalate(on=TODAY)
    assert notices_by_org(cast) == {"city": 1, "district": 1}
