"""Chinese first: the portal ignores the browser's language unless the user switches."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_chinese():
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"


def test_the_language_switch_gives_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/login/")["Content-Language"] == "en"


def test_api_clients_may_ask_for_english():
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/api/v1/organisations/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Language"] == "en"
    assert Client().get("/api/v1/organisations/")["Content-Language"] == "zh-hans"
