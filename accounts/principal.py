"""The caller of an API request authenticated by an organisation's API key (the system's own
caller, for commands and tasks, is `core.principal.SYSTEM`)."""


class ApiKeyPrincipal:
    """Stands where `request.user` stands, for an API key: it acts for the key's organisation."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key):
        self.api_key = api_key
        self.organisation = api_key.organisation
        self.organisation_id = api_key.organisation_id

    @property
    def username(self) -> str:
        return f"api-key:{self.api_key.prefix}"

    def __str__(self) -> str:
        return f"{self.organisation} / {self.api_key.name}"

    def has_perm(self, perm, obj=None) -> bool:
        return False
