"""The history tab of an object's page and the city regulator's audit search (core.history):
who, when (Asia/Shanghai), what changed old → new by field label; visibility as the object's page."""

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains

from accounts.models import OrganisationKind
from accounts.navigation import navigation_for
from accounts.services import api_key_create
from core.audit import acting_as, log_bulk
from elevators.choices import ElevatorStatus
from elevators.models import Elevator
from elevators.services import elevator_update
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory
from tests.utils.clients import with_key

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def elevator(world):
    return ElevatorFactory(
        district=world.fancheng, user_unit=world.orgs["pm_fancheng"], maintenance_company=world.orgs["maint"]
    )


def history_of(client, elevator, **params):
    response = client.get(f"/elevators/{elevator.pk}/history/", params)
    assert response.status_code == 200
    return response.context["rows"]


def test_the_tab_shows_a_change_made_through_a_service_with_labels_and_old_to_new(world, elevator):
    other = OrganisationFactory(kind=OrganisationKind.MAINTENANCE_COMPANY, name="襄阳安达电梯维保有限公司")
    city_user = world.users["city"]
    city_user.first_name, city_user.last_name = "", ""
    with set_actor(city_user):  # what the auditlog middleware does for a browser request
        elevator_update(
            user=city_user, elevator=elevator, status=ElevatorStatus.SUSPENDED, maintenance_company=other
        )
    entry = LogEntry.objects.get_for_object(elevator).get(action=LogEntry.Action.UPDATE)

    rows = history_of(client_of(world.users["district"]), elevator)

    assert [row.action for row in rows] == ["create", "update", "create"]
    update = rows[1]
    assert update.entry == entry
    assert update.action_label == "修改"
    assert update.actor == f"u_city · {world.orgs['city'].name}"
    assert update.at == entry.timestamp.astimezone(SHANGHAI)
    assert str(update.at.tzinfo) == "Asia/Shanghai"
    assert {(c.field, c.old, c.new) for c in update.changes} == {
        ("设备状态", "在用", "停用"),
        ("维保单位", world.orgs["maint"].name, "襄阳安达电梯维保有限公司"),
    }
    # The status change joined the elevator's timeline; the event's creation is on the tab too.
    (event,) = [row for row in rows if row.model_label == "生命周期事件"]
    assert (event.action, event.actor) == ("create", update.actor)


def test_the_object_page_opens_its_history_tab_and_the_tab_shows_the_labels(world, elevator):
    client = client_of(world.users["city"])
    page = client.get(f"/elevators/{elevator.pk}/")
    assertContains(page, f'href="/elevators/{elevator.pk}/history/" data-testid="history-tab"')
    with acting_as("command:test"):
        elevator_update(user=world.users["city"], elevator=elevator, status=ElevatorStatus.SCRAPPED)
    tab = client.get(f"/elevators/{elevator.pk}/history/")
    assertContains(tab, "设备状态")
    assertContains(tab, "报废")
    assertContains(tab, "命令 test")
    assert client.post(f"/elevators/{elevator.pk}/history/").status_code == 405  # never editable


def test_a_creation_lists_the_fields_in_order_with_times_in_shanghai(world, elevator):
    (created,) = history_of(client_of(world.users["city"]), elevator)
    changes = {c.field: c for c in created.changes}
    local = timezone.localtime(elevator.created_at, SHANGHAI)
    assert changes["创建时间"].new == local.strftime("%Y-%m-%d %H:%M:%S")
    assert (changes["所在区县"].old, changes["所在区县"].new) == ("—", "樊城区")
    assert changes["有维修资金"].new == "是"
    assert [c.field for c in created.changes][:3] == ["ID", "设备代码", "代码形式"]
    # Reverse relations (auditlog logs their managers' text on creation) say nothing: left out.
    assert not [c for c in created.changes if ".None" in c.new]


def test_another_tenant_gets_404_for_the_history(world, elevator):
    assert (
        client_of(world.users["pm_xiangcheng"]).get(f"/elevators/{elevator.pk}/history/").status_code == 404
    )
    assert client_of(world.users["pm_fancheng"]).get(f"/elevators/{elevator.pk}/history/").status_code == 200
    assert Client().get(f"/elevators/{elevator.pk}/history/").status_code == 302


def test_an_entry_written_by_log_bulk_shows_with_its_command(world, elevator):
    before = copy.copy(elevator)
    elevator.registration_number = "梯11鄂F99999(21)"
    Elevator.objects.filter(pk=elevator.pk).update(registration_number=elevator.registration_number)
    with acting_as("command:import_registry"):
        assert log_bulk(updated=[(before, elevator)]) == 1

    rows = history_of(client_of(world.users["city"]), elevator)

    assert rows[0].actor == "命令 import_registry"
    assert [(c.field, c.old, c.new) for c in rows[0].changes] == [
        ("使用登记证编号", before.registration_number, "梯11鄂F99999(21)")
    ]


def test_an_api_key_and_a_task_are_named(world, elevator):
    api = with_key(world, "city")
    response = api.patch(f"/api/v1/elevators/{elevator.pk}/", {"site_name": "新名称"}, format="json")
    assert response.status_code == 200, response.content
    with acting_as("task:daily_policy_housekeeping"):
        elevator_update(user=world.users["city"], elevator=elevator, site_name="又一个名称")

    rows = history_of(client_of(world.users["city"]), elevator)

    key, credit_code = api.api_key, world.orgs["city"].credit_code
    assert [row.actor for row in rows] == [
        "后台任务 daily_policy_housekeeping",
        f"API 密钥“对接系统”（{key.prefix}） · {credit_code}",
        "系统",
    ]
    assert [(c.field, c.old, c.new) for c in rows[1].changes] == [
        ("楼盘/场所名称", elevator.site_name, "新名称")
    ]


def test_a_bulk_write_of_many_rows_shows_on_each_tab(world, elevator):
    """Over core.audit.COPY_FROM entries, log_bulk writes them by COPY on PostgreSQL."""
    others = ElevatorFactory.create_batch(120, district=world.fancheng)
    pairs = []
    for row in [elevator, *others]:
        before = copy.copy(row)
        row.has_repair_funds = False
        pairs.append((before, row))
    Elevator.objects.filter(pk__in=[row.pk for _before, row in pairs]).update(has_repair_funds=False)
    with acting_as("command:import_registry"):
        assert log_bulk(updated=pairs) == 121

    rows = history_of(client_of(world.users["city"]), others[-1])

    assert [(row.action, row.actor) for row in rows] == [
        ("update", "命令 import_registry"),
        ("create", "系统"),
    ]
    assert [(c.field, c.old, c.new) for c in rows[0].changes] == [("有维修资金", "是", "否")]


def test_the_elevator_history_holds_its_inspections(world, elevator):
    from elevators.services import inspection_record

    with acting_as("command:test"):
        inspection = inspection_record(
            user=world.users["city"], elevator=elevator, inspected_on=timezone.localdate(), result="pass"
        )
    rows = history_of(client_of(world.users["city"]), elevator)
    inspection_rows = [row for row in rows if row.model_label == "检验记录"]
    assert [(row.object_pk, row.action) for row in inspection_rows] == [(str(inspection.pk), "create")]


def test_history_is_paginated_and_its_query_count_does_not_grow_with_entries(world, elevator):
    companies = [OrganisationFactory(kind=OrganisationKind.MAINTENANCE_COMPANY) for _ in range(4)]
    client = client_of(world.users["city"])

    def change(times):
        for n in range(times):
            elevator_update(
                user=world.users["city"],
                elevator=elevator,
                maintenance_company=companies[n % 4],
                site_name=f"楼{n}",
            )

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            rows = history_of(client, elevator, **params)
        return len(captured), len(rows)

    change(2)
    queries()  # the first request caches content types and the session
    few, shown = queries()
    assert shown == 3
    change(60)
    # The last page holds the creation too: the same models named by foreign keys, 13 rows not 3.
    assert queries(page=3) == (few, 63 - 50)
    newest, shown = queries()
    assert shown == 25
    assert newest <= few <= 12


def test_deleted_objects_keep_their_entries_in_the_audit_search(world, elevator):
    pk = elevator.pk
    with acting_as("command:test"):
        elevator.inspections.all().delete()
        Elevator.objects.filter(pk=pk).delete()
    client = client_of(world.users["city"])
    assert client.get(f"/elevators/{pk}/history/").status_code == 404

    response = client.get("/audit/", {"model": "elevators.elevator", "object": str(pk)})

    assert response.status_code == 200
    assert [row.action for row in response.context["rows"]] == ["delete", "create"]


# --- the audit search ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "viewer", ["district", "housing", "finance", "nfra", "insurer_a", "pm_fancheng", "maint"]
)
def test_only_the_city_regulator_searches_the_log(world, viewer):
    assert client_of(world.users[viewer]).get("/audit/").status_code == 403
    assert client_of(world.users["city"]).get("/audit/").status_code == 200
    assert Client().get("/audit/").status_code == 302


def test_the_audit_search_is_in_the_city_regulators_navigation_alone(world):
    def names(key):
        return {item["url_name"] for item in navigation_for(world.users[key])}

    assert "audit-search" in names("city")
    assert [key for key in world.users if "audit-search" in names(key)] == ["city"]


def response_choices(client):
    return client.get("/audit/").context["filterset"].form.fields["model"].choices[1:]


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


def test_the_filters_give_exactly_the_matching_entries(world):
    insurer = world.orgs["insurer_a"]
    key = api_key_create(organisation=insurer, name="对接系统")[0]
    with set_actor(world.users["insurer_a"]):
        mine = OrganisationFactory(name="甲单位")
    with acting_as(f"api-key:{key.prefix}", organisation=insurer.credit_code, api_key=key.name):
        by_key = OrganisationFactory(name="乙单位")
    with set_actor(world.users["city"]):
        by_city = OrganisationFactory(name="丙单位")
        elevator = ElevatorFactory(district=world.fancheng, maintenance_company=world.orgs["maint"])
    entry = {obj: LogEntry.objects.get_for_object(obj).get() for obj in (mine, by_key, by_city, elevator)}
    days = {
        mine: at("2026-03-01", "00:10"),
        by_key: at("2026-03-01", "23:50"),
        by_city: at("2026-03-02", "00:05"),
    }
    for obj, moment in days.items():
        LogEntry.objects.filter(pk=entry[obj].pk).update(timestamp=moment)
    LogEntry.objects.filter(pk=entry[elevator].pk).update(timestamp=at("2026-03-05", "12:00"))
    ours = {e.pk for e in entry.values()}
    client = client_of(world.users["city"])

    def found(**params):
        response = client.get("/audit/", params)
        assert response.status_code == 200
        return {row.entry.pk for row in response.context["rows"] if row.entry.pk in ours}

    def pks(*objs):
        return {entry[o].pk for o in objs}

    assert found() == ours
    assert found(model="accounts.organisation") == pks(mine, by_key, by_city)
    assert found(model="elevators.elevator") == pks(elevator)
    assert found(object=str(by_key.pk), model="accounts.organisation") == pks(by_key)
    assert found(object="乙单") == pks(by_key)
    assert found(organisation=insurer.pk) == pks(mine, by_key)
    assert found(organisation=world.orgs["city"].pk) == pks(by_city, elevator)
    assert found(start="2026-03-01", end="2026-03-01") == pks(mine, by_key)
    assert found(start="2026-03-02") == pks(by_city, elevator)
    assert found(end="2026-03-02", model="accounts.organisation") == pks(mine, by_key, by_city)
    assert found(actor="u_city") == pks(by_city, elevator)
    assert found(actor=key.prefix) == pks(by_key)
    assert found(action="2") == set()
    offered = {value for value, _label in response_choices(client)}
    assert {"elevators.elevator", "accounts.user", "otp_totp.totpdevice"} <= offered
    assert not offered & {"accounts.user_groups", "auth.group_permissions", "rest_framework_api_key.apikey"}
    # A bad value shows the error and no rows, never every row.
    response = client.get("/audit/", {"start": "not-a-date"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert ContentType.objects.get_for_id(entry[by_key].content_type_id).model == "organisation"


def test_every_model_with_a_history_tab_is_logged():
    from auditlog.registry import auditlog

    from accounts.models import Organisation, OrganisationApiKey, User
    from elevators.models import Inspection
    from insurance.models import Claim, Policy, Product
    from maintenance.models import Hazard, MaintenanceRecord, RescueIncident, ServiceRecord
    from reporting.models import FrozenMonth, Target

    models = [Elevator, Inspection, Policy, Claim, Product, MaintenanceRecord, ServiceRecord, Hazard,
              RescueIncident, Target, FrozenMonth, Organisation, User, OrganisationApiKey]  # fmt: skip
    assert [m.__name__ for m in models if not auditlog.contains(m)] == []


def test_an_organisations_administrators_read_its_users_and_keys_histories(world):
    from accounts.services import api_key_revoke, user_deactivate
    from tests.factories import UserFactory

    admin = world.users["insurer_a"]
    admin.is_org_admin = True
    admin.save()
    colleague = UserFactory(organisation=world.orgs["insurer_a"], username="colleague")
    key = api_key_create(organisation=world.orgs["insurer_a"], name="对接系统")[0]
    with set_actor(admin):
        user_deactivate(user=colleague, by=admin)
        api_key_revoke(api_key=key)
    client = client_of(admin)

    user_rows = client.get(f"/account/users/{colleague.pk}/history/").context["rows"]
    key_rows = client.get(f"/account/api-keys/{key.pk}/history/").context["rows"]

    assert [(c.field, c.old, c.new) for c in user_rows[0].changes] == [("有效", "是", "否")]
    assert [(c.field, c.old, c.new) for c in key_rows[0].changes] == [("已吊销", "否", "是")]
    assert {c.field for c in key_rows[1].changes} >= {"名称", "前缀", "机构", "创建时间"}
    assert not [c for c in key_rows[1].changes if c.field == "hashed_key"]
    # Another organisation's user and key are 404 to this administrator; a non-administrator is refused.
    other = UserFactory(organisation=world.orgs["insurer_b"])
    other_key = api_key_create(organisation=world.orgs["insurer_b"], name="对接系统")[0]
    assert client.get(f"/account/users/{other.pk}/history/").status_code == 404
    assert client.get(f"/account/api-keys/{other_key.pk}/history/").status_code == 404
    member = UserFactory(organisation=world.orgs["insurer_a"], username="member")
    assert client_of(member).get(f"/account/users/{colleague.pk}/history/").status_code == 403
    assert client_of(world.users["insurer_b"]).get(f"/account/api-keys/{key.pk}/history/").status_code == 403


def test_the_audit_search_costs_the_same_queries_for_few_and_many_entries(world):
    client = client_of(world.users["city"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/audit/", {"model": "accounts.organisation"})
        return len(captured), len(response.context["rows"])

    with set_actor(world.users["city"]):
        OrganisationFactory.create_batch(3, district=world.fancheng)
    queries()  # the first request caches content types and the session
    few, shown = queries()
    with set_actor(world.users["city"]):
        OrganisationFactory.create_batch(80, district=world.fancheng)
    many, shown_many = queries()
    assert (shown, shown_many) == (len(world.orgs) + 3, 50)
    assert many == few


def test_the_tab_reads_in_english_for_an_english_session(world, elevator):
    from django.utils import translation

    with acting_as("command:test"):
        elevator_update(user=world.users["city"], elevator=elevator, status=ElevatorStatus.SUSPENDED)
    client = client_of(world.users["city"])
    client.cookies["django_language"] = "en"
    with translation.override("zh-hans"):  # the request switches the thread's language: give it back
        response = client.get(f"/elevators/{elevator.pk}/history/")
    assertContains(response, "Equipment status:")
    assertContains(response, "In use</span> → Suspended")
    assertContains(response, "command test")
    for chinese in ("变更历史", "设备状态", "修改", "命令", "："):
        assert chinese not in response.content.decode(), chinese
