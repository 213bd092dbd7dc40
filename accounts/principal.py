"""The caller of an API request authenticated by an organisation's API key."""


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


class SystemPrincipal:
    """The caller of a management command or scheduled task run by the server's operators.

    It has back-office rights (like a superuser without organisation); views never use it.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = True
    is_superuser = True
    pk = None
    id = None
    organisation = None
    organisation_id = None
    username = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemPrincipal()
