"""`Authorization: Api-Key <key>` for DRF: the caller acts for the key's organisation."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.api.throttles import WrongApiKeyThrottle
from core.audit import attribute_current_request

from .models import OrganisationApiKey
from .principal import ApiKeyPrincipal

KEYWORD = "Api-Key"
# Record use at most once a minute per key: the figure is for people, not an access log.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class OrganisationApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _sep, key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None
        key = key.strip()
        # Guessing keys costs the address its anonymous budget (429 once spent); right keys do not.
        wrong_keys = WrongApiKeyThrottle()
        wrong_keys.refuse_if_exhausted(request)
        if not key:
            wrong_keys.record_failure(request)
            raise exceptions.AuthenticationFailed(_("缺少 API 密钥。"))
        try:
            api_key = OrganisationApiKey.objects.get_from_key(key)
        except OrganisationApiKey.DoesNotExist:
            wrong_keys.record_failure(request)
            raise exceptions.AuthenticationFailed(_("API 密钥无效或已吊销。")) from None
        if api_key.has_expired or not api_key.organisation.is_active:
            wrong_keys.record_failure(request)
            raise exceptions.AuthenticationFailed(_("API 密钥已过期或所属机构已停用。"))
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            OrganisationApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
        principal = ApiKeyPrincipal(api_key)
        attribute_current_request(
            f"api-key:{api_key.prefix}",
            organisation=api_key.organisation.credit_code,
            api_key=api_key.name,
        )
        return principal, api_key

    def authenticate_header(self, request):
        return KEYWORD
