"""Second factor for browser sessions (after django-otp's OTPMiddleware).

- A session signed in without a code by a user who has an authenticator (one added after this
  session began, e.g. in the admin) is signed out: only the two-step sign-in may open such a session.
- A user of a kind in settings.TIBAO_2FA_REQUIRED_KINDS with no authenticator is sent to the
  enrolment page for every page but that one and signing out; the API answers 403 instead.

API keys authenticate inside DRF, after this, on an anonymous request: they pass untouched.
A session remembers that its user had no authenticator at sign-in (two_factor.remember_no_device),
so a request costs no query for it; an authenticator added in the admin later takes effect at the
next sign-in, and enrolling on the portal marks the session verified.
"""

from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .two_factor import NO_DEVICE_KEY, two_factor_enabled, two_factor_required

EXEMPT_URL_NAMES = ("two-factor", "logout", "login", "login-verify")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if request.session.get(NO_DEVICE_KEY) != user.pk and two_factor_enabled(user):
            logout(request)
            return redirect("login")
        if two_factor_required(user) and request.path not in {reverse(n) for n in EXEMPT_URL_NAMES}:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先在网页上启用双因素认证。")}, status=403)
            return redirect("two-factor")
        return self.get_response(request)
