"""Two-factor sign-in for browser users (django-otp): one TOTP device from an authenticator app and
one set of single-use backup codes per user. API keys never pass through here.

A device counts once it is confirmed with a code it produced, so a QR code scanned badly never locks
its owner out. Wrong codes are throttled by django-otp on each device (the wait doubles after every
failure), on top of django-axes' lock-out on the password step.
"""

import io

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import checks
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.exceptions import ApplicationError

from .models import OrganisationKind, User

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"


@checks.register(checks.Tags.security)
def required_kinds_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A misspelt kind in TIBAO_2FA_REQUIRED_KINDS would silently require nothing of anyone."""
    unknown = sorted(set(settings.TIBAO_2FA_REQUIRED_KINDS) - set(OrganisationKind.values))
    if not unknown:
        return []
    return [
        checks.Error(
            f"TIBAO_2FA_REQUIRED_KINDS names unknown organisation kinds: {', '.join(unknown)}",
            hint=f"Use some of: {', '.join(OrganisationKind.values)}.",
            id="accounts.E001",
        )
    ]


def two_factor_required(user: User) -> bool:
    """Whether the user must sign in with a second factor: their organisation's kind is one of
    settings.TIBAO_2FA_REQUIRED_KINDS, or they are an organisation admin and
    settings.TIBAO_2FA_REQUIRED_FOR_ORG_ADMINS is on."""
    if not user.role:
        return False
    return user.role in settings.TIBAO_2FA_REQUIRED_KINDS or (
        user.is_org_admin and settings.TIBAO_2FA_REQUIRED_FOR_ORG_ADMINS
    )


def two_factor_enabled(user: User) -> bool:
    """Whether the user has a confirmed authenticator, so sign-in asks for a code."""
    return user.is_authenticated and user_has_device(user, confirmed=True)


# Set in a session at sign-in when its user had no authenticator: the middleware then need not ask
# the database on every request (an authenticator added in the admin counts from the next sign-in).
NO_DEVICE_KEY = "tibao_2fa_no_device"


@receiver(user_logged_in, dispatch_uid="tibao-2fa-no-device")
def remember_no_device(sender, request, user, **kwargs) -> None:
    """On sign-in, note in the session whether the user has no authenticator."""
    session = getattr(request, "session", None)
    if session is not None and not two_factor_enabled(user):
        session[NO_DEVICE_KEY] = user.pk


def backup_codes_left(user: User) -> int:
    """How many unused backup codes the user still holds."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the enrolment page shows as a QR code, made on first visit
    and kept until confirmed, so reloading the page does not invalidate a scan already made."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def provisioning_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL of `device` as an inline SVG QR code (segno, as for the public sign)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def _checked(device: Device, token: str) -> Device | None:
    """`device` if it accepts `token`; refused with the wait when django-otp throttles it."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        raise ApplicationError(_("验证码错误次数过多，请稍后再试。"), field="code", extra=data or {})
    return verify_token(device.user, device.persistent_id, token)


def _new_backup_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_device_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code it produced; returns it and a fresh set of
    backup codes (shown once). A wrong code is refused and counts towards the throttle (outside
    any enclosing transaction, so the refusal does not roll the count back)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise ApplicationError(_("没有待确认的验证器，请刷新页面重新扫码。"), field="code")
    if _checked(device, "".join(token.split())) is None:
        raise ApplicationError(_("验证码不正确，请核对手机上的六位数字。"), field="code")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        return device, _new_backup_codes(user)


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's backup codes with new ones (the old ones stop working)."""
    if not two_factor_enabled(user):
        raise ApplicationError(_("请先启用双因素认证。"))
    return _new_backup_codes(user)


def two_factor_verify(*, user: User, token: str) -> Device:
    """The device that accepts `token` at sign-in: the authenticator for six digits, else a
    backup code (used up by this). Refused when none does or a device is throttled."""
    token = "".join(token.split())
    looks_like_totp = token.isdigit() and len(token) <= 8
    for device in devices_for_user(user, confirmed=True):
        # Each code goes to the one kind of device that could have made it, so a mistyped
        # authenticator code does not also spend a backup code's throttle.
        if isinstance(device, TOTPDevice) != looks_like_totp:
            continue
        verified = _checked(device, token)
        if verified is not None:
            return verified
    raise ApplicationError(_("验证码不正确。"), field="code")


@transaction.atomic
def two_factor_remove(*, user: User, password: str) -> int:
    """Remove the user's authenticator and backup codes after they re-enter their password;
    returns how many devices went."""
    if not user.check_password(password):
        raise ApplicationError(_("密码不正确。"), field="password")
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return removed
