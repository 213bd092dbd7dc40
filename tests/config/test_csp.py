"""The Content Security Policy (settings.CONTENT_SECURITY_POLICY, django-csp): the exact header on a
page and on the API, the two documented widenings (ReDoc, DRF's browsable API), and no inline script,
style or event handler on any page of the URL configuration for any viewer (the policy would block
it in the browser; tests/browser collects the browser's own violation reports)."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from core.api.renderers import DRF_STYLE_ATTRIBUTES, _sha256
from tests.config.tenants import VIEWERS
from tests.config.tenants import scene as scene
from tests.config.test_authorization_matrix import ROUTES, client_for

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy(response) -> dict[str, set[str]]:
    """The Content-Security-Policy header as directive -> sources (django-csp orders them freely)."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: set(sources) for name, *sources in directives}


@pytest.mark.django_db
def test_a_page_carries_the_exact_policy():
    response = Client().get("/login/")
    assert response.status_code == 200
    assert policy(response) == POLICY


@pytest.mark.django_db
def test_the_api_carries_the_exact_policy():
    response = Client().get("/api/v1/elevators/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert policy(response) == POLICY


@pytest.mark.django_db
def test_redoc_alone_allows_inline_styles_and_blob_workers():
    response = Client().get("/api/redoc/")
    assert response.status_code == 200
    assert policy(response) == {**POLICY, "style-src": {"'self'", "'unsafe-inline'"}, "worker-src": {"blob:"}}
    assert inline_parts(response.content.decode()) == []
    swagger = Client().get("/api/docs/")
    assert policy(swagger) == POLICY  # Swagger UI needs nothing more
    assert inline_parts(swagger.content.decode()) == []


@pytest.mark.django_db
def test_the_browsable_api_allows_drfs_own_style_attributes_by_hash(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x"))
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    hashes = {_sha256(value) for value in DRF_STYLE_ATTRIBUTES}
    assert policy(page) == {**POLICY, "style-src": {"'self'", "'unsafe-hashes'", *hashes}}
    assert b"<style>" not in page.content  # DRF's Pygments colours are left out
    assert policy(client.get("/api/v1/", HTTP_ACCEPT="application/json")) == POLICY


class InlineFinder(HTMLParser):
    """What a CSP without 'unsafe-inline' blocks: <script> without src (JSON data blocks are not run),
    <style> elements, style="" and on...="" attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.found.append(f"<script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f'{name}="{value}" on <{tag}> at line {self.getpos()[0]}')


def inline_parts(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_finds_what_the_policy_blocks():
    html = (
        '<script src="/a.js"></script><script type="application/json" id="d">{}</script>'
        '<script>alert(1)</script><div style="x"></div><a onclick="y"></a><style>p{}</style>'
    )
    assert inline_parts(html) == [
        "<script> at line 1",
        'style="x" on <div> at line 1',
        'onclick="y" on <a> at line 1',
        "<style> at line 1",
    ]


PAGES = [route for route in ROUTES if not route.key.startswith("api:")]


# The kinds whose pages differ (the writers' forms, the back office, the public pages); the read-only
# kinds see a subset of the city regulator's templates, and the matrix walks them all already.
CSP_VIEWERS = ["city", "district", "insurer_a", "pm_fancheng", "maint", "anonymous", "backoffice"]


@pytest.mark.parametrize("viewer", CSP_VIEWERS)
def test_no_page_has_inline_script_or_style(scene, db, viewer):
    client = client_for(scene, viewer, api=False)
    wrong, html_pages = [], 0
    for route in PAGES:
        path = route.path(scene)
        response = client.get(path)
        if route.key == "logout" and viewer != "anonymous":
            client = client_for(scene, viewer, api=False)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html_pages += 1
        if "Content-Security-Policy" not in response:
            wrong.append(f"{path}: no Content-Security-Policy header")
        wrong += [f"{path}: {part}" for part in inline_parts(response.content.decode())]
    assert html_pages > 10, f"{viewer} saw {html_pages} pages"
    assert not wrong, f"{viewer} ({VIEWERS[viewer]}):\n" + "\n".join(wrong)
