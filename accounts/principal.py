"""The caller of an API request authenticated by an organisation's API key (the system's own
caller, for commands and tasks, is `core.principal.SYSTEM`)."""

from core.principal import OrganisationPrincipal


class ApiKeyPrincipal(OrganisationPrincipal):
    """Stands where `request.user` stands, for an API key: it acts for the key's organisation."""

    def __init__(self, api_key):
        super().__init__(api_key.organisation)
        self.api_key = api_key

    @property
    def username(self) -> str:
        return f"api-key:{self.api_key.prefix}"

    def __str__(self) -> str:
        return f"{self.organisation} / {self.api_key.name}"
