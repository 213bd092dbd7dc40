"""Recording services: only under an insurance+maintenance policy of the insurer covering each
elevator on the day (refusals name the elevator), idempotent by (insurer, service number), the
fields of each kind, and the bulk upsert with its audit."""

from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from core.exceptions import ApplicationError
from core.principal import SYSTEM
from insurance.services import policy_cancel
from maintenance.models import ServiceElevator, ServiceRecord
from maintenance.services.service_records import service_record_upsert, service_records_bulk_upsert
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.maintenance.conftest_service_records import IN_COVER, START, cast  # noqa: F401

pytestmark = pytest.mark.django_db


def item(elevator, number="S-1", kind="usage_monitoring", day=IN_COVER, **fields):
    return {
        "service_number": number,
        "kind": kind,
        "performed_on": day,
        "equipment_codes": [elevator.equipment_code],
        **fields,
    }


def upsert(cast, data, insurer="insurer_a"):  # noqa: F811
    return service_record_upsert(insurer=cast.world.orgs[insurer], data=data)


def test_a_service_under_the_insurers_policy_keeps_the_policy_per_elevator(cast):  # noqa: F811
    record, outcome = upsert(cast, item(cast.covered, findings="运行正常"))
    assert outcome == "created"
    assert record.insurer == cast.world.orgs["insurer_a"]
    link = ServiceElevator.objects.get(service=record)
    assert (link.elevator, link.policy) == (cast.covered, cast.policy_a)


def test_a_service_under_a_liability_only_policy_is_refused_naming_the_elevator(cast):  # noqa: F811
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, item(cast.liability_only))
    code = cast.liability_only.equipment_code
    assert exc.value.message == (
        f"电梯 {code} 在 2026-03-10 没有本机构在保的“保险+维保服务”保单，不能登记该服务。"
    )
    assert exc.value.extra == {"elevators": [code]}
    assert ServiceRecord.objects.count() == 0


def test_under_another_insurers_policy_is_refused(cast):  # noqa: F811
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, item(cast.other_covered))
    assert exc.value.extra == {"elevators": [cast.other_covered.equipment_code]}


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2027, 1, 1)])
def test_outside_the_cover_period_is_refused(cast, day):  # noqa: F811
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, item(cast.covered, day=day))
    assert exc.value.field == "equipment_code"


@pytest.mark.parametrize(("day", "outcome"), [(date(2026, 1, 1), "created"), (date(2026, 12, 31), "created")])
def test_both_ends_of_the_cover_are_in_it(cast, day, outcome):  # noqa: F811
    assert upsert(cast, item(cast.covered, day=day))[1] == outcome


def test_after_cancellation_the_cover_has_ended(cast):  # noqa: F811
    policy_cancel(user=SYSTEM, policy=cast.policy_a, on=date(2026, 6, 1))
    assert upsert(cast, item(cast.covered, number="S-1", day=date(2026, 5, 31)))[1] == "created"
    with pytest.raises(ApplicationError):
        upsert(cast, item(cast.covered, number="S-2", day=date(2026, 6, 1)))


def test_one_refusal_names_every_uncovered_elevator(cast):  # noqa: F811
    data = item(cast.covered)
    data["equipment_codes"] = [
        cast.covered.equipment_code,
        cast.liability_only.equipment_code,
        cast.other_covered.equipment_code,
    ]
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, data)
    assert exc.value.extra == {
        "elevators": [cast.liability_only.equipment_code, cast.other_covered.equipment_code]
    }


def test_a_named_policy_must_be_an_insurance_maintenance_one_of_the_insurer(cast):  # noqa: F811
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, item(cast.covered, policy_number=cast.liability_a.number))
    assert (
        exc.value.message == f"保单 {cast.liability_a.number} 不是“保险+维保服务”保单，不能在其下提供服务。"
    )
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, item(cast.covered, policy_number="TB-NONE"))
    assert exc.value.message == "本机构没有保单号为 TB-NONE 的保单。"
    record, _ = upsert(cast, item(cast.covered, policy_number=cast.policy_a.number))
    assert record.covered.get().policy == cast.policy_a


def test_an_unknown_elevator_is_named(cast):  # noqa: F811
    data = item(cast.covered)
    data["equipment_codes"] = ["31104200120159999"]
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, data)
    assert exc.value.message == "未找到设备代码为 31104200120159999 的电梯。"


def test_only_insurers_record_services(cast):  # noqa: F811
    with pytest.raises(PermissionDenied):
        service_record_upsert(insurer=None, data=item(cast.covered))


def test_the_same_number_again_is_unchanged_and_a_change_updates(cast):  # noqa: F811
    first, _ = upsert(cast, item(cast.covered, findings="A"))
    again, outcome = upsert(cast, item(cast.covered, findings="A"))
    assert (again.pk, outcome) == (first.pk, "unchanged")
    changed, outcome = upsert(cast, item(cast.covered, findings="B"))
    assert (changed.pk, outcome, changed.findings) == (first.pk, "updated", "B")
    # Another insurer's number space is its own.
    data = item(cast.other_covered, findings="A")
    assert upsert(cast, data, insurer="insurer_b")[1] == "created"
    assert ServiceRecord.objects.count() == 2


def test_maintenance_quality_scores_the_elevators_company_by_default(cast):  # noqa: F811
    record, _ = upsert(cast, item(cast.covered, kind="maintenance_quality", quality_score=85))
    assert (record.quality_score, record.maintenance_company_id) == (85, cast.world.orgs["maint"].pk)


def test_a_score_out_of_range_is_refused(cast):  # noqa: F811
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, item(cast.covered, kind="maintenance_quality", quality_score=101))
    assert exc.value.field == "quality_score"


def test_fields_of_another_kind_are_refused(cast):  # noqa: F811
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, item(cast.covered, kind="training", quality_score=80))
    assert exc.value.message == "服务类型“安全培训”没有字段：quality_score。"


def test_kind_fields_are_stored(cast):  # noqa: F811
    assessment, _ = upsert(
        cast,
        item(
            cast.covered,
            number="S-1",
            kind="old_elevator_assessment",
            assessment_grade="B",
            assessment_conclusion="repair",
        ),
    )
    repair, _ = upsert(
        cast,
        item(
            cast.covered,
            number="S-2",
            kind="three_no_rectification",
            amount=Decimal("1200.50"),
            repayer="业主委员会",
        ),
    )
    drill, _ = upsert(cast, item(cast.covered, number="S-3", kind="rescue_drill", attendance=12))
    assert (assessment.assessment_grade, assessment.assessment_conclusion) == ("B", "repair")
    assert (repair.amount, repair.repayer, repair.repaid) == (Decimal("1200.50"), "业主委员会", False)
    assert drill.attendance == 12


def test_a_site_service_names_its_policy(cast):  # noqa: F811
    data = {
        "service_number": "T-1",
        "kind": "training",
        "performed_on": IN_COVER,
        "site_name": "樊城区培训中心",
    }
    with pytest.raises(ApplicationError) as exc:
        upsert(cast, data)
    assert exc.value.field == "policy_number"
    record, outcome = upsert(cast, {**data, "policy_number": cast.policy_a.number, "attendance": 30})
    assert (outcome, record.covered.count(), record.attendance) == ("created", 0, 30)


def test_bulk_is_idempotent_refuses_item_by_item_and_is_audited(cast):  # noqa: F811
    items = [
        item(cast.covered, number="B-1"),
        item(cast.liability_only, number="B-2"),
        item(cast.covered, number="B-3", kind="maintenance_quality", quality_score=70),
        item(cast.covered, number="B-1"),
    ]
    insurer = cast.world.orgs["insurer_a"]
    results = service_records_bulk_upsert(insurer=insurer, items=items)
    assert [r.outcome for r in results] == ["created", "refused", "created", "refused"]
    assert results[1].details == {"elevators": [cast.liability_only.equipment_code]}
    assert results[3].errors == {"service_number": ["同一批中服务编号重复。"]}
    assert ServiceRecord.objects.count() == 2 and ServiceElevator.objects.count() == 2
    logged = LogEntry.objects.filter(content_type__model__in=["servicerecord", "serviceelevator"]).count()
    assert logged == 4
    again = service_records_bulk_upsert(insurer=insurer, items=items[:3])
    assert [r.outcome for r in again] == ["unchanged", "refused", "unchanged"]
    assert [r.id for r in again] == [results[0].id, None, results[2].id]
    changed = service_records_bulk_upsert(insurer=insurer, items=[{**items[0], "findings": "新发现"}])
    assert (changed[0].outcome, changed[0].id) == ("updated", results[0].id)
    assert ServiceRecord.objects.count() == 2


def test_an_update_moves_the_service_to_other_elevators_and_policies(cast):  # noqa: F811
    version = product_version(cast.world.orgs["insurer_a"], model="insurance_maintenance")
    second = ElevatorFactory(
        user_unit=cast.covered.user_unit, maintenance_company=cast.covered.maintenance_company
    )
    second_policy = policy(version, [second], start=START)
    record, _ = upsert(cast, item(cast.covered))
    data = item(cast.covered)
    data["equipment_codes"] = [second.equipment_code]
    moved, outcome = upsert(cast, data)
    assert (moved.pk, outcome) == (record.pk, "updated")
    assert [(link.elevator, link.policy) for link in ServiceElevator.objects.filter(service=record)] == [
        (second, second_policy)
    ]


def test_a_number_created_meanwhile_is_updated_not_a_500(cast, monkeypatch):  # noqa: F811
    from maintenance.services import service_records

    first, _ = upsert(cast, item(cast.covered, findings="A"))
    real = service_records.Lookups.__init__
    calls = []

    def stale(self, insurer, items):
        real(self, insurer, items)
        if not calls:  # the first read misses the row another request has just written
            self.services = {}
        calls.append(1)

    monkeypatch.setattr(service_records.Lookups, "__init__", stale)
    again, outcome = upsert(cast, item(cast.covered, findings="B"))
    assert (again.pk, outcome, again.findings) == (first.pk, "updated", "B")
