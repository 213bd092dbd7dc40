"""Every URL of the URL configuration, for every organisation kind, anonymous and the back office,
against the declared table (tests.config.authorization_matrix): GET everywhere, POST with an empty
body everywhere. A URL the table does not name fails here, so no page ships unexamined."""

import os

import pytest
from django.shortcuts import resolve_url
from django.test import Client
from rest_framework.test import APIClient

from tests.config.authorization_matrix import EXCLUDED, MATRIX, WRITERS_ONLY_2XX, excluded_reason
from tests.config.tenants import VIEWERS
from tests.config.tenants import scene as scene
from tests.config.urlwalk import routes

ROUTES = [route for route in routes() if excluded_reason(route.pattern) is None]
RECORD = os.environ.get("AUTHZ_RECORD")  # a path: write the observed table there instead of asserting


def client_for(scene, viewer: str, *, api: bool):
    """The browser session of the viewer's user, or for the API the organisation's API key."""
    client = (APIClient if api else Client)(raise_request_exception=False)
    if viewer == "anonymous":
        return client
    if viewer == "backoffice":
        client.force_login(scene.backoffice)
    elif api:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {scene.keys[viewer]}")
    else:
        client.force_login(scene.world.users[viewer])
    return client


def status_class(response) -> str:
    """'ok' for 2xx and redirects elsewhere, 'login' for the redirect to the login page, else the code."""
    code = response.status_code
    if code in (301, 302, 303):
        return "login" if response["Location"].startswith(resolve_url("login")) else "ok"
    return "ok" if 200 <= code < 300 else str(code)


def walk(scene, viewer: str, method: str) -> dict:
    """The status class of every route for `viewer`, by (row key, method)."""
    clients = {api: client_for(scene, viewer, api=api) for api in (False, True)}
    seen = {}
    for route in ROUTES:
        if method == "POST" and route.suffixed:
            continue  # the twin's POST is its plain route's POST
        api = route.key.startswith("api:")
        client = clients[api]
        path = route.path(scene)
        response = client.post(path, {}, format="json") if method == "POST" else client.get(path)
        if route.key == "logout" and viewer != "anonymous":
            clients[api] = client_for(scene, viewer, api=api)  # signed out: sign in again
        seen[(route, method)] = status_class(response)
    return seen


def _expected(route, method, viewer):
    row = MATRIX.get((route.key, method))
    return None if row is None else row[viewer]


def test_every_url_is_in_the_table():
    missing = sorted({f"{route.key} {method}  ({route.pattern})" for route in ROUTES for method in ("GET", "POST")
                      if (route.key, method) not in MATRIX and not (method == "POST" and route.suffixed)})  # fmt: skip
    assert not missing, (
        "URLs missing from tests/config/authorization_matrix.py (declare who may open them):\n"
        + "\n".join(missing)
    )


def test_every_row_of_the_table_is_a_url():
    keys = {route.key for route in ROUTES}
    stale = sorted(f"{key} {method}" for key, method in MATRIX if key not in keys)
    assert not stale, f"rows naming no URL of the URL configuration: {stale}"


def test_exclusions_have_reasons_and_match_something():
    every = [route.pattern for route in routes()]
    for prefix, reason in EXCLUDED.items():
        assert reason.strip(), prefix
        assert any(pattern.startswith(prefix) for pattern in every), f"exclusion {prefix!r} matches no URL"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_matrix(scene, db, viewer, method):
    seen = walk(scene, viewer, method)
    if RECORD:
        with open(f"{RECORD}.{viewer}.{method}", "w") as out:
            out.writelines(f"{route.key}\t{method}\t{got}\n" for (route, method), got in seen.items())
        return
    wrong = [
        f"{route.key} {method} {route.path(scene)}: expected {_expected(route, method, viewer)}, got {got}"
        for (route, method), got in seen.items()
        if got != _expected(route, method, viewer)
        and not (route.suffixed and _expected(route, method, viewer) is None)
    ]
    assert not wrong, f"{viewer} ({VIEWERS[viewer]}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_no_write_succeeds_for_a_kind_that_may_not_write(scene, db, viewer):
    """A 2xx or redirect after an empty POST is declared only where the kind may write there."""
    wrong = [key for (key, method), row in MATRIX.items()
             if method == "POST" and row[viewer] == "ok" and viewer not in WRITERS_ONLY_2XX.get(key, ())]  # fmt: skip
    assert not wrong, f"{viewer} may not write, yet the table allows an empty POST to {wrong}"
