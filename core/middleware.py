from django.conf import settings
from django.contrib import messages
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from .exceptions import ApplicationError


class PortalLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise with the header's language switch.

    Browsers in government offices often announce English; the portal must not follow them. API
    clients may still ask for English error messages with Accept-Language.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def safe_back_url(request, fallback: str = "/") -> str:
    """Where a refused action sends the user back to: the page the form was on, if it is ours."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return fallback


class ApplicationErrorMiddleware:
    """The browser's counterpart of the API's exception handler (core.api.exceptions).

    A business rule that refuses a page's action (an `ApplicationError` left to propagate from a
    service) becomes a message on the page the user came from: the URL the view declared with
    `refusals_return_to`, else the referring page of this site, else the home page. Views with a
    form show the refusal on the form instead (`refusals_on`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        messages.error(request, exception.message)
        return redirect(getattr(request, "refusal_redirect", None) or safe_back_url(request))
