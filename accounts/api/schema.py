"""OpenAPI description of the API-key scheme (imported by AccountsConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class OrganisationApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.OrganisationApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "每个机构的 API 密钥：`Authorization: Api-Key <key>` (per-organisation API key)",
        }
