from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
