"""Generic tests of an API endpoint: each endpoint declares, these mixins test (the idea of NetBox's
APIViewTestCases, written for pytest).

An endpoint's test class names its list `url`, the `viewer` (a key of tests.utils.world) and a
`scene` fixture: the rows the viewer sees, one row it may not see, and what each declared filter
keeps. `make_visible(world, count)` adds rows the viewer sees, for the pagination tests. In return
the class gets the tests every endpoint owes (DESIGN.md section 2, the README's API section):

- an anonymous caller is refused with exactly 401, naming the API-key scheme in WWW-Authenticate;
- list and detail answer 200 with the visible rows only, by API key and by browser session;
- an invisible row answers 404 on detail, exactly as a row that does not exist;
- each declared filter narrows the list to the rows it should keep;
- cursor pagination: newest first, a next link, page_size honoured, the maximum page size enforced;
- the list costs the same number of queries for 10 and for 500 rows a page;
- every property of every schema component the endpoint uses has a description.
"""

from dataclasses import dataclass, field
from functools import cache
from math import ceil

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework.test import APIClient

from tests.utils.clients import session, with_key

MAX_PAGE_SIZE = 1000
API_KEY_SCHEME = "Api-Key"
SCHEMA_REF = "#/components/schemas/"


@dataclass
class Scene:
    """What the endpoint's viewer finds: every row it sees, a row it may not see, and for each
    declared filter (query parameters) the visible rows it keeps."""

    visible: list[Model]
    hidden: Model
    filters: list[tuple[dict, list[Model]]] = field(default_factory=list)


def pks(rows) -> list[int]:
    return sorted(row.pk for row in rows)


def listed_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


class AnonymousRefused:
    """Anonymous callers get exactly 401 on every declared call ("METHOD path below url").

    "{pk}" in a path stands for a row the viewer sees (the scene's first visible row).
    """

    url: str
    anonymous_calls: tuple[str, ...] = ("GET ", "GET {pk}/")

    def test_anonymous_is_refused_with_401(self, request):
        client = APIClient()
        pk = None
        for call in self.anonymous_calls:
            method, _space, path = call.partition(" ")
            if "{pk}" in path and pk is None:
                pk = request.getfixturevalue("scene").visible[0].pk
            url = self.url + path.format(pk=pk)
            response = client.generic(method, url)
            assert response.status_code == 401, f"{call}: {response.status_code}"
            assert response["WWW-Authenticate"] == API_KEY_SCHEME, call


class DescribedSchema:
    """Every property of every schema component the paths under `url` use has a description."""

    url: str

    def test_every_schema_field_is_described(self):
        assert undescribed_fields(api_schema(), self.url) == []


class ReadEndpointTests(AnonymousRefused, DescribedSchema):
    """List, detail, filters, pagination, query count and schema of a visible-rows endpoint."""

    viewer: str

    @pytest.fixture
    def scene(self, world) -> Scene:
        raise NotImplementedError("the endpoint's test class declares its scene")

    def make_visible(self, world, count: int) -> list[Model]:
        raise NotImplementedError("the endpoint's test class makes rows its viewer sees")

    @pytest.fixture(params=["key", "session"])
    def caller(self, request, world) -> APIClient:
        return (with_key if request.param == "key" else session)(world, self.viewer)

    def test_list_answers_the_visible_rows_only(self, scene, caller):
        assert listed_ids(caller.get(self.url)) == pks(scene.visible)

    def test_detail_answers_a_visible_row_and_404_for_an_invisible_one(self, scene, caller):
        for row in scene.visible:
            response = caller.get(f"{self.url}{row.pk}/")
            assert response.status_code == 200, response.content
            assert response.json()["id"] == row.pk
        hidden = caller.get(f"{self.url}{scene.hidden.pk}/")
        assert hidden.status_code == 404
        missing = caller.get(f"{self.url}{type(scene.hidden).objects.order_by('-pk')[0].pk + 1000}/")
        assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())

    def test_declared_filters_narrow_the_list(self, world, scene):
        assert scene.filters, "declare the filters of the endpoint in its scene"
        client = with_key(world, self.viewer)
        for params, kept in scene.filters:
            assert 0 < len(kept) < len(scene.visible), f"{params} must keep some visible rows, not all"
            assert listed_ids(client.get(self.url, params)) == pks(kept), params

    def test_cursor_pagination_follows_next_links_page_by_page(self, world, scene):
        expected = pks([*scene.visible, *self.make_visible(world, 4)])
        client, url, seen, pages = session(world, self.viewer), f"{self.url}?page_size=3", [], 0
        while url:
            assert pages < len(expected), "the next links go round in circles"
            response = client.get(url)
            assert response.status_code == 200, response.content
            body = response.json()
            assert set(body) == {"next", "previous", "results"}
            assert len(body["results"]) == min(3, len(expected) - len(seen))
            seen += [row["id"] for row in body["results"]]
            url, pages = body["next"], pages + 1
        assert pages == ceil(len(expected) / 3)
        assert seen == expected[::-1]  # every row once, newest first

    def test_page_size_is_capped(self, world, monkeypatch):
        paginator = resolve(self.url).func.cls.pagination_class
        assert paginator.max_page_size == MAX_PAGE_SIZE
        monkeypatch.setattr(paginator, "max_page_size", 2)  # rather than making 1,001 rows
        self.make_visible(world, 3)
        body = session(world, self.viewer).get(self.url, {"page_size": 500}).json()
        assert len(body["results"]) == 2 and body["next"]

    def test_a_page_of_500_costs_the_queries_of_a_page_of_10(self, world):
        self.make_visible(world, 12)
        client = session(world, self.viewer)
        client.get(self.url)  # the first request of a session may do one-off work

        def queries(page_size: int) -> tuple[int, int]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(self.url, {"page_size": page_size})
            assert response.status_code == 200, response.content
            return len(captured), len(response.json()["results"])

        (ten, rows_of_ten), (five_hundred, rows_of_500) = queries(10), queries(500)
        assert (rows_of_ten, rows_of_500 >= 12) == (10, True)
        assert ten == five_hundred


# --- the OpenAPI schema --------------------------------------------------------------------------


@cache
def api_schema() -> dict:
    """The schema served at /api/schema/ (built once per test run)."""
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _refs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].removeprefix(SCHEMA_REF)} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def components_of(schema: dict, url: str) -> set[str]:
    """Names of the components used by the paths under `url`, and those they use in turn, except
    the paginated list envelope (checked once for all lists in tests/core/test_api_schema.py)."""
    components = schema["components"]["schemas"]
    found, todo = (
        set(),
        set().union(*(_refs(item) for path, item in schema["paths"].items() if path.startswith(url))),
    )
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo |= _refs(components[name])
    return {name for name in found if not is_list_envelope(name)}


def is_list_envelope(name: str) -> bool:
    return name.startswith("Paginated") and name.endswith("List")


def undescribed(properties: dict, prefix: str) -> list[str]:
    """ "Component.field" of every property without a description, nested inline objects too."""
    missing = []
    for name, spec in properties.items():
        if not spec.get("description"):
            missing.append(f"{prefix}.{name}")
        for inline in (spec, spec.get("items", {})):
            missing += undescribed(inline.get("properties", {}), f"{prefix}.{name}")
    return missing


def undescribed_fields(schema: dict, url: str) -> list[str]:
    components = schema["components"]["schemas"]
    return sorted(
        missing
        for name in components_of(schema, url)
        for missing in undescribed(components[name].get("properties", {}), name)
    )
