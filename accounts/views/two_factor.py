"""Sign-in with a second factor, and the page where a user enrols or removes their authenticator.

Sign-in is two steps: the password (Django's LoginView through django-axes, so the lock-out holds),
then, for a user with a confirmed device, a code. Between the two the session holds only who passed
the password and when, never a signed-in user.
"""

import base64
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from core.views import refusals_on

from ..forms import OtpCodeForm, PasswordConfirmForm
from ..models import User
from ..two_factor import (
    backup_codes_left,
    backup_codes_regenerate,
    provisioning_qr_svg,
    totp_device_confirm,
    totp_device_pending,
    two_factor_enabled,
    two_factor_remove,
    two_factor_required,
    two_factor_verify,
)

PENDING_SESSION_KEY = "tibao_2fa_pending"
# The code must follow the password within this many seconds, or the password step starts over.
PENDING_SECONDS = 5 * 60


class PortalLoginView(LoginView):
    """The password step; a user with an authenticator goes on to the code step unsigned-in."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor_enabled(user):
            return super().form_valid(form)
        self.request.session[PENDING_SESSION_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_redirect_url(),
        }
        return redirect("login-verify")


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_SESSION_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


class LoginVerifyView(FormView):
    """The code step: a code from the authenticator or a backup code (django-otp throttles
    wrong ones per device), then the user is signed in with the device recorded in the session."""

    template_name = "accounts/login_verify.html"
    form_class = OtpCodeForm

    def dispatch(self, request, *args, **kwargs):
        self.pending_user, self.pending = _pending_user(request)
        if self.pending_user is None:
            request.session.pop(PENDING_SESSION_KEY, None)
            return redirect("login")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        with refusals_on(form):
            device = two_factor_verify(user=self.pending_user, token=form.cleaned_data["code"])
            del self.request.session[PENDING_SESSION_KEY]
            auth_login(self.request, self.pending_user, backend=self.pending["backend"])
            otp_login(self.request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    self.request,
                    _("已使用一个备用码，还剩 %(count)d 个。")
                    % {"count": backup_codes_left(self.pending_user)},
                )
            return redirect(self._next_url())
        return self.form_invalid(form)

    def _next_url(self) -> str:
        target = self.pending.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse(settings.LOGIN_REDIRECT_URL)


def _two_factor_page(request, *, status: int = 200, **context):
    """The enrolment page: a QR code to scan and a code to confirm it, or, once enrolled, the
    backup codes left, new backup codes and removal."""
    user = request.user
    context = {
        "required": two_factor_required(user),
        "enabled": two_factor_enabled(user),
        **context,
    }
    if context["enabled"]:
        context["backup_codes_left"] = backup_codes_left(user)
        context.setdefault("remove_form", PasswordConfirmForm())
    else:
        device = totp_device_pending(user=user)
        context["qr_svg"] = provisioning_qr_svg(device)
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context.setdefault("form", OtpCodeForm())
    return render(request, "accounts/two_factor.html", context, status=status)


class TwoFactorView(LoginRequiredMixin, View):
    """GET: the enrolment page. POST: confirm the authenticator with a code it shows; the backup
    codes are shown once, and this session counts as verified by the new device."""

    def get(self, request):
        return _two_factor_page(request)

    def post(self, request):
        form = OtpCodeForm(request.POST)
        if form.is_valid():
            with refusals_on(form):
                device, codes = totp_device_confirm(user=request.user, token=form.cleaned_data["code"])
                otp_login(request, device)
                messages.success(request, _("双因素认证已启用。"))
                return _two_factor_page(request, backup_codes=codes)
        return _two_factor_page(request, form=form)


class BackupCodesRegenerateView(LoginRequiredMixin, View):
    def post(self, request):
        codes = backup_codes_regenerate(user=request.user)
        messages.success(request, _("已生成新的备用码，旧备用码已失效。"))
        return _two_factor_page(request, backup_codes=codes)


class TwoFactorRemoveView(LoginRequiredMixin, View):
    """Remove the authenticator and backup codes; the password is asked again so that a session
    left open is not enough to take the second factor off."""

    def post(self, request):
        form = PasswordConfirmForm(request.POST)
        if form.is_valid():
            with refusals_on(form):
                two_factor_remove(user=request.user, password=form.cleaned_data["password"])
                messages.success(request, _("双因素认证已关闭。"))
                return redirect("two-factor")
        return _two_factor_page(request, remove_form=form)
