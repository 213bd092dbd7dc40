"""Every write is audited: who (user, API key, command), when and what changed."""

import pytest
from auditlog.models import LogEntry
from django.test import Client

from accounts.models import Organisation
from accounts.services import organisation_create
from core.audit import acting_as
from tests.factories import UserFactory, credit_code_for

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("pk")


def test_changes_made_by_a_command_name_the_command():
    with acting_as("command:test"):
        org = organisation_create(kind="insurer", name="某保险公司", credit_code=credit_code_for(7))
    (entry,) = entries_for(org)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor is None
    assert entry.actor_email == "command:test"
    assert entry.additional_data == {"actor": "command:test"}


def test_nested_attribution_restores_the_enclosing_actor():
    with acting_as("outer"):
        with acting_as("inner"):
            inner = organisation_create(kind="insurer", name="内层", credit_code=credit_code_for(8))
        outer = organisation_create(kind="insurer", name="外层", credit_code=credit_code_for(9))
    assert entries_for(inner).get().actor_email == "inner"
    assert entries_for(outer).get().actor_email == "outer"


def test_admin_change_names_the_browser_user_and_the_fields():
    staff = UserFactory(organisation=None, is_staff=True, is_superuser=True)
    org = organisation_create(kind="insurer", name="旧名称", credit_code=credit_code_for(10))
    client = Client()
    client.force_login(staff)
    response = client.post(
        f"/admin/accounts/organisation/{org.pk}/change/",
        {
            "kind": "insurer",
            "name": "新名称",
            "short_name": "",
            "credit_code": org.credit_code,
            "district": "",
            "department": "",
            "address": "",
            "phone": "",
            "is_active": "on",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert Organisation.objects.get(pk=org.pk).name == "新名称"
    update = entries_for(org).filter(action=LogEntry.Action.UPDATE).get()
    assert update.actor == staff
    assert update.changes_dict["name"] == ["旧名称", "新名称"]


def test_secrets_are_not_written_to_the_log():
    user = UserFactory()
    user.set_password("Another-Secret-1")
    user.save()
    for entry in entries_for(user):
        assert "password" not in entry.changes_dict
