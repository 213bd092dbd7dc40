"""Browser login with password and its lock-out (django-axes, accounts.lockout): keyed on username and
address together (5 failures), with a higher ceiling per username from every address (30); the page
says which lock holds and until when."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-9"


def attempt(username: str, password: str, client: Client | None = None, *, address: str = "127.0.0.1"):
    return (client or Client(REMOTE_ADDR=address)).post(
        "/login/", {"username": username, "password": password}
    )


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


def test_fifth_failure_locks_the_account_from_that_address_even_for_the_right_password():
    user = UserFactory()
    for _ in range(4):
        attempt(user.username, "wrong")
    locked = attempt(user.username, "wrong")
    assert locked.status_code == 429
    response = attempt(user.username, PASSWORD)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in Client().session


def test_a_stranger_who_knows_the_username_locks_out_only_their_own_address():
    victim = UserFactory()
    for _ in range(5):
        attempt(victim.username, "wrong", address="203.0.113.7")
    assert attempt(victim.username, PASSWORD, address="203.0.113.7").status_code == 429
    assert attempt(victim.username, PASSWORD, address="10.1.2.3").status_code == 302


def test_lock_is_per_username_not_per_office_address():
    victim, colleague = UserFactory(), UserFactory()
    for _ in range(5):
        attempt(victim.username, "wrong")
    assert attempt(colleague.username, PASSWORD).status_code == 302


def test_guessing_from_many_addresses_meets_the_per_username_ceiling(settings):
    user = UserFactory()
    for n in range(6):  # 6 addresses x 5 failures = 30
        for _ in range(5):
            attempt(user.username, "wrong", address=f"198.51.100.{n}")
    response = attempt(user.username, PASSWORD, address="10.1.2.3")
    assert response.status_code == 429
    assert response.context["lock"].scope == "username"
    assert "近期在多个网络地址共有 30 次密码错误，已在所有地址暂时锁定。" in response.content.decode()


def test_failures_while_locked_out_do_not_count_toward_the_ceiling():
    user = UserFactory()
    for _ in range(40):
        attempt(user.username, "wrong", address="203.0.113.7")
    assert attempt(user.username, PASSWORD, address="10.1.2.3").status_code == 302


def test_the_page_says_which_lock_holds_and_for_how_long():
    user = UserFactory()
    for _ in range(5):
        response = attempt(user.username, "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert (
        f"账号“{user.username}”在您当前的网络地址连续 5 次密码错误，已在此地址暂时锁定；其他地址不受影响。"
        in page
    )
    until = timezone.localtime(timezone.now() + timedelta(minutes=30))
    assert response.context["lock"].minutes_left == 30
    assert abs(response.context["until"] - until) < timedelta(minutes=1)
    assert f"请在 30 分钟后（{response.context['until']:%H:%M} 以后）再试。" in page


def test_the_lock_lifts_after_the_cool_off(settings):
    user = UserFactory()
    for _ in range(5):
        attempt(user.username, "wrong")
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert attempt(user.username, PASSWORD).status_code == 302


def test_success_resets_the_failure_count():
    user = UserFactory()
    for _ in range(4):
        attempt(user.username, "wrong")
    assert attempt(user.username, PASSWORD).status_code == 302
    for _ in range(4):
        attempt(user.username, "wrong")
    assert attempt(user.username, PASSWORD).status_code == 302
