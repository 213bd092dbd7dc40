"""Clients acting for one organisation of the world (tests.utils.world): by its user's browser
session or by an API key of the organisation. Every test file uses these."""

from django.test import Client
from rest_framework.test import APIClient


def browser(world, key: str) -> Client:
    """A browser logged in as the user of organisation `key`, for the HTML pages."""
    client = Client()
    client.force_login(world.users[key])
    return client


def session(world, key: str) -> APIClient:
    """A client logged in as the user of organisation `key` (the browser's session cookie)."""
    client = APIClient()
    client.force_login(world.users[key])
    return client


def with_key(world, key: str) -> APIClient:
    """A client sending an API key of organisation `key`; the key is at `client.api_key`.

    One key per organisation and world: every call for the same organisation uses the same key.
    """
    from accounts.services import api_key_create

    keys = world.__dict__.setdefault("api_keys", {})
    if key not in keys:
        keys[key] = api_key_create(organisation=world.orgs[key], name="对接系统")
    api_key, raw = keys[key]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    client.api_key = api_key
    return client
