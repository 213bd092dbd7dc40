from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

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


NUL = "\x00"
FORM_CONTENT_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _holds_nul(query_dict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists())


def request_holds_nul(request) -> bool:
    """Whether a NUL character is anywhere in the path, the query or the body of the request.

    Form bodies are checked field by field once parsed (an uploaded file may hold any byte: it is
    read by the import, never put in a query); any other body byte by byte. A NUL written as the
    JSON escape \\u0000 is refused by the API's JSON parser (core.api.parsers).
    """
    if NUL in request.path_info or NUL in request.path or _holds_nul(request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type in FORM_CONTENT_TYPES:
        try:
            return _holds_nul(request.POST)
        except MultiPartParserError:
            return False  # the view's parser answers a malformed body as it always has
    return b"\x00" in request.body


class RefuseNulMiddleware:
    """Refuse with a 400 any request with a NUL character in its path, query or body.

    No database stores a NUL in text: PostgreSQL's driver raises ValueError on it and a lookup such
    as `/e/%00/` became a 500. No legitimate request holds one, so it stops here, before any view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_holds_nul(request):
            message = _("请求中含有不允许的空字符（NUL）。")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
