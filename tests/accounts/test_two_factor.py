"""Two-factor sign-in (django-otp, accounts.two_factor, accounts.views.two_factor): enrolment with a
code computed from the device's key as an authenticator app would, the code step after the
password, backup codes, removal behind the password, forced enrolment for the required kinds, the
lock-out and API keys untouched; organisation admins of any kind when that is required."""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import required_kinds_check, totp_device_confirm, totp_device_pending
from tests.factories import UserFactory
from tests.utils.clients import browser, with_key
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-9"
REQUIRED = ["city_regulator", "district_regulator", "insurer"]


def code_of(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the authenticator shows now (or `steps_ahead` 30-second steps later: a code already
    used is refused, so a second sign-in within one step uses the next one)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = totp_device_pending(user=user)
    return totp_device_confirm(user=user, token=code_of(device))


def password_step(user, client: Client | None = None, password: str = PASSWORD):
    client = client or Client()
    return client, client.post("/login/", {"username": user.username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_enrol_by_scanning_the_qr_code_and_confirming_with_a_code():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"].rstrip("=") in device.config_url

    wrong = client.post(
        "/account/two-factor/", {"code": "000000" if code_of(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    confirmed = client.post("/account/two-factor/", {"code": code_of(device)})
    assert confirmed.status_code == 200
    assert len(confirmed.context["backup_codes"]) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # This session passed the new device: the portal stays open.
    assert client.get("/").status_code == 200


def test_sign_in_asks_for_the_code_after_the_password():
    user = UserFactory()
    device, _codes = enrolled(user)
    client, response = password_step(user)
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    assert not signed_in(client)
    assert client.get("/")["Location"].startswith("/login/")

    response = client.post("/login/verify/", {"code": code_of(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)
    assert client.get("/").status_code == 200


def test_sign_in_without_a_device_needs_only_the_password():
    user = UserFactory()
    client, response = password_step(user)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_a_wrong_code_is_refused_and_repeated_wrong_codes_are_throttled():
    user = UserFactory()
    device, _codes = enrolled(user)
    client, _response = password_step(user)
    right = code_of(device, steps_ahead=1)
    wrong = "123456" if right != "123456" else "654321"
    response = client.post("/login/verify/", {"code": wrong})
    assert response.status_code == 200 and not signed_in(client)
    assert "不正确" in str(response.context["form"].errors["code"])
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # After five failures the device waits 16 seconds (django-otp doubles the wait): even the
    # right code is refused until then, and says why.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    response = client.post("/login/verify/", {"code": right})
    assert not signed_in(client)
    assert "次数过多" in str(response.context["form"].errors["code"])


def test_a_backup_code_works_once():
    user = UserFactory()
    _device, codes = enrolled(user)
    client, _response = password_step(user)
    assert client.post("/login/verify/", {"code": codes[0]}).status_code == 302
    assert signed_in(client)
    assert StaticToken.objects.filter(device__user=user).count() == 9

    client, _response = password_step(user)
    response = client.post("/login/verify/", {"code": codes[0]})
    assert response.status_code == 200 and not signed_in(client)


def test_removal_needs_the_password():
    user = UserFactory()
    device, _codes = enrolled(user)
    client, _response = password_step(user)
    client.post("/login/verify/", {"code": code_of(device, steps_ahead=1)})

    refused = client.post("/account/two-factor/remove/", {"password": "not-my-password"})
    assert refused.status_code == 200 and refused.context["remove_form"].errors["password"]
    assert TOTPDevice.objects.filter(user=user).exists()

    assert client.post("/account/two-factor/remove/", {"password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    _client, response = password_step(user)
    assert response["Location"] == "/"


def test_required_kinds_must_enrol_before_using_the_portal(settings):
    settings.TIBAO_2FA_REQUIRED_KINDS = REQUIRED
    world = make_world()
    for key in ("city", "district", "insurer_a"):
        client = browser(world, key)
        assert client.get("/")["Location"] == "/account/two-factor/", key
        assert client.get("/elevators/")["Location"] == "/account/two-factor/", key
        assert client.get("/account/two-factor/").status_code == 200
        assert client.get("/api/v1/elevators/").status_code == 403
    for key in ("pm_fancheng", "maint", "housing"):
        assert browser(world, key).get("/").status_code == 200, key

    client = browser(world, "city")
    device = totp_device_pending(user=world.users["city"])
    client.post("/account/two-factor/", {"code": code_of(device)})
    assert client.get("/").status_code == 200


def test_organisation_admins_of_every_kind_must_enrol(settings):
    settings.TIBAO_2FA_REQUIRED_KINDS = []
    settings.TIBAO_2FA_REQUIRED_FOR_ORG_ADMINS = True
    world = make_world()
    for key in ("pm_fancheng", "maint", "housing", "insurer_a"):
        colleague = UserFactory(organisation=world.orgs[key], is_org_admin=True)
        admin = Client()
        admin.force_login(colleague)
        assert admin.get("/")["Location"] == "/account/two-factor/", key
        assert browser(world, key).get("/").status_code == 200, key

    settings.TIBAO_2FA_REQUIRED_FOR_ORG_ADMINS = False
    assert admin.get("/").status_code == 200


def test_signing_out_stays_open_to_a_user_who_must_enrol(settings):
    settings.TIBAO_2FA_REQUIRED_KINDS = REQUIRED
    world = make_world()
    client = browser(world, "city")
    assert client.post("/logout/").status_code == 302
    assert not signed_in(client)


def test_api_keys_are_unaffected(settings):
    settings.TIBAO_2FA_REQUIRED_KINDS = REQUIRED
    world = make_world()
    enrolled(world.users["insurer_a"])
    assert with_key(world, "city").get("/api/v1/elevators/").status_code == 200
    assert with_key(world, "insurer_a").get("/api/v1/elevators/").status_code == 200


def test_a_session_that_skipped_the_code_is_signed_out():
    user = UserFactory()
    enrolled(user)
    client = Client()
    client.force_login(user)
    assert client.get("/")["Location"].startswith("/login/")
    assert not signed_in(client)


def test_the_lock_out_still_applies_before_the_code():
    user = UserFactory()
    enrolled(user)
    client = Client()
    for _ in range(5):
        password_step(user, client, password="wrong")
    _client, response = password_step(user, client)
    assert response.status_code == 429
    assert "tibao_2fa_pending" not in client.session
    assert client.get("/login/verify/")["Location"] == "/login/"


def test_enrolment_is_in_the_change_log_without_the_key():
    user = UserFactory()
    device, _codes = enrolled(user)
    entries = LogEntry.objects.get_for_object(device)
    assert entries.exists()
    assert all("key" not in (entry.changes_dict or {}) for entry in entries)
    assert not LogEntry.objects.filter(content_type__model="statictoken").exists()


def test_a_misspelt_required_kind_fails_the_system_check(settings):
    settings.TIBAO_2FA_REQUIRED_KINDS = ["city_regulatr"]
    assert [error.id for error in required_kinds_check(None)] == ["accounts.E001"]
    settings.TIBAO_2FA_REQUIRED_KINDS = REQUIRED
    assert required_kinds_check(None) == []
