"""Error pages in the portal's layout and language, and a navigation that never leads to one."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from accounts.navigation import navigation_for
from core.views import server_error
from tests.factories import UserFactory
from tests.utils.clients import browser
from tests.utils.world import make_world


@pytest.fixture(autouse=True)
def _language_restored():
    """A request with the English cookie activates English for the thread: give it back after."""
    with translation.override("zh-hans"):
        yield


@pytest.mark.django_db
def test_a_missing_page_is_the_portals_404_page():
    world = make_world()
    response = browser(world, "insurer_a").get("/policies/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-status="404"' in page and "页面不存在" in page
    assert 'class="tb-header"' in page and "u_insurer_a" in page  # the layout, with the user menu


@pytest.mark.django_db
def test_a_refused_page_is_the_portals_403_page_with_the_reason():
    world = make_world()
    response = browser(world, "insurer_a").get("/account/api-keys/")  # not an org admin
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-status="403"' in page and "无权访问" in page and 'class="tb-header"' in page


@pytest.mark.django_db
def test_error_pages_speak_english_when_chosen():
    world = make_world()
    client = browser(world, "insurer_a")
    client.cookies["django_language"] = "en"
    page = client.get("/policies/999999/").content.decode()
    assert "Page not found" in page and "页面不存在" not in page


def test_the_500_page_needs_neither_the_database_nor_the_request_context():
    # No django_db mark: any query would fail the test.
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert 'data-status="500"' in page and "系统错误" in page and 'class="tb-header"' in page


def test_the_project_uses_the_portals_500_handler():
    from config import urls

    assert urls.handler500 == "core.views.server_error"


@pytest.mark.django_db
def test_no_navigation_link_leads_to_a_refusal():
    world = make_world()
    users = list(world.users.values())
    users += [UserFactory(organisation=org, is_org_admin=True) for org in world.orgs.values()]
    users.append(UserFactory(organisation=None, is_superuser=True, is_staff=True, username="root"))
    refused = []
    for user in users:
        client = Client()
        client.force_login(user)
        for item in navigation_for(user):
            status = client.get(item["url"]).status_code
            if status != 200:
                refused.append((user.username, item["url"], status))
    assert refused == []


@pytest.mark.django_db
def test_the_api_keys_link_only_for_an_organisations_admin():
    world = make_world()
    admin = UserFactory(organisation=world.orgs["insurer_a"], is_org_admin=True)
    root = UserFactory(organisation=None, is_superuser=True, is_staff=True, username="root")
    names = lambda user: {item["url_name"] for item in navigation_for(user)}  # noqa: E731
    assert "api-key-list" in names(admin)
    assert "api-key-list" not in names(world.users["insurer_a"])
    assert "api-key-list" not in names(root)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_gone_mid_request_is_a_503_page_that_says_to_try_again():
    """The request's connection is cut (as a restart or a failover cuts it) once it is signed in:
    the page is the portal's 503 with Retry-After, not a 500; the next request reconnects."""
    from django.db import connection

    user = UserFactory(organisation=make_world().orgs["city"])
    client = Client(raise_request_exception=False)
    client.force_login(user)
    assert client.get("/elevators/").status_code == 200
    connection.ensure_connection()
    with connection.cursor() as cursor:  # the backend the test client's requests use (one thread)
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with connection._nodb_cursor() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])

    response = client.get("/elevators/")
    page = response.content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "10")
    assert 'data-status="503"' in page and "数据库暂时不可用" in page and 'class="tb-header"' in page
    connection.close_if_unusable_or_obsolete()  # what Django does between requests (not the test client)
    assert client.get("/elevators/").status_code == 200
