"""The user's own password, and an organisation's administrator managing its users in the browser."""

import pytest
from auditlog.models import LogEntry
from django.test import Client

from accounts.models import User
from accounts.services import user_deactivate
from core.exceptions import ApplicationError
from tests.factories import UserFactory
from tests.utils.clients import browser
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db


def admin_client(org):
    admin = UserFactory(organisation=org, is_org_admin=True, username=f"admin_{org.pk}")
    client = Client()
    client.force_login(admin)
    return admin, client


def test_the_user_menu_offers_the_password_change():
    world = make_world()
    page = browser(world, "pm_fancheng").get("/").content.decode()
    assert 'href="/account/password/"' in page


def test_a_user_changes_their_own_password_and_stays_signed_in():
    world = make_world()
    client = browser(world, "pm_fancheng")
    form = client.get("/account/password/")
    assert form.status_code == 200 and 'class="tb-header"' in form.content.decode()
    wrong = client.post(
        "/account/password/",
        {"old_password": "nope", "new_password1": "Brand-New-Pass-77", "new_password2": "Brand-New-Pass-77"},
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["old_password"]
    done = client.post(
        "/account/password/",
        {
            "old_password": "Correct-Horse-9",
            "new_password1": "Brand-New-Pass-77",
            "new_password2": "Brand-New-Pass-77",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/"
    user = User.objects.get(pk=world.users["pm_fancheng"].pk)
    assert user.check_password("Brand-New-Pass-77")
    assert client.get("/").status_code == 200  # the session survived the change


def test_the_password_page_needs_a_login():
    response = Client().get("/account/password/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_org_admin_lists_only_their_organisations_users():
    world = make_world()
    _, client = admin_client(world.orgs["insurer_a"])
    response = client.get("/account/users/")
    assert response.status_code == 200
    names = {u.username for u in response.context["object_list"]}
    assert "u_insurer_a" in names and "u_insurer_b" not in names


def test_only_org_admins_manage_users():
    world = make_world()
    client = browser(world, "insurer_a")
    assert client.get("/account/users/").status_code == 403
    assert client.post("/account/users/new/", {"username": "x"}).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_an_org_admin_adds_a_user_who_can_sign_in_with_the_password_shown_once():
    world = make_world()
    _, client = admin_client(world.orgs["insurer_a"])
    response = client.post(
        "/account/users/new/", {"username": "zhang.san", "first_name": "张三", "email": ""}
    )
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    new = User.objects.get(username="zhang.san")
    assert new.organisation == world.orgs["insurer_a"] and not new.is_org_admin
    assert LogEntry.objects.get_for_object(new).filter(action=LogEntry.Action.CREATE).exists()
    signed_in = Client().post("/login/", {"username": "zhang.san", "password": password})
    assert signed_in.status_code == 302


def test_adding_a_taken_username_is_a_form_error():
    world = make_world()
    _, client = admin_client(world.orgs["insurer_a"])
    response = client.post("/account/users/new/", {"username": "u_insurer_b"})
    assert response.status_code == 200 and response.context["form"].errors["username"]


def test_an_org_admin_deactivates_a_user_of_the_organisation_audited():
    world = make_world()
    _, client = admin_client(world.orgs["insurer_a"])
    member = world.users["insurer_a"]
    response = client.post(f"/account/users/{member.pk}/deactivate/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    entry = LogEntry.objects.get_for_object(member).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert "is_active" in entry.changes_dict


def test_another_organisations_user_is_404():
    world = make_world()
    _, client = admin_client(world.orgs["insurer_a"])
    other = world.users["insurer_b"]
    assert client.post(f"/account/users/{other.pk}/deactivate/").status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_a_city_regulator_admin_still_manages_only_its_own_users():
    world = make_world()
    _, client = admin_client(world.orgs["city"])
    other = world.users["insurer_b"]
    assert client.post(f"/account/users/{other.pk}/deactivate/").status_code == 404


def test_an_admin_cannot_deactivate_themselves():
    world = make_world()
    admin, client = admin_client(world.orgs["insurer_a"])
    response = client.post(f"/account/users/{admin.pk}/deactivate/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/users/"
    admin.refresh_from_db()
    assert admin.is_active and "不能停用自己的账号" in response.content.decode()


def test_the_service_refuses_a_non_admin():
    world = make_world()
    with pytest.raises(ApplicationError):
        user_deactivate(user=world.users["insurer_b"], by=world.users["insurer_a"])
