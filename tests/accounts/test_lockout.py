"""Browser login with password, locked after 5 failures (django-axes, keyed on the username)."""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-9"


def attempt(username: str, password: str, client: Client | None = None):
    return (client or Client()).post("/login/", {"username": username, "password": password})


def test_correct_password_logs_in():
    user = UserFactory()
    response = attempt(user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_four_failures_then_success_is_allowed():
    user = UserFactory()
    for _ in range(4):
        assert attempt(user.username, "wrong").status_code == 200
    assert attempt(user.username, PASSWORD).status_code == 302


def test_fifth_failure_locks_the_account_even_for_the_right_password():
    user = UserFactory()
    for _ in range(4):
        attempt(user.username, "wrong")
    locked = attempt(user.username, "wrong")
    assert locked.status_code == 429
    response = attempt(user.username, PASSWORD)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in Client().session


def test_lock_is_per_username_not_per_office_address():
    victim, colleague = UserFactory(), UserFactory()
    for _ in range(5):
        attempt(victim.username, "wrong")
    assert attempt(colleague.username, PASSWORD).status_code == 302


def test_success_resets_the_failure_count():
    user = UserFactory()
    for _ in range(4):
        attempt(user.username, "wrong")
    assert attempt(user.username, PASSWORD).status_code == 302
    for _ in range(4):
        attempt(user.username, "wrong")
    assert attempt(user.username, PASSWORD).status_code == 302
