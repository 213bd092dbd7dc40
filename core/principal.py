"""Callers that are not a signed-in user: an organisation's non-human caller, and the system."""


class OrganisationPrincipal:
    """Stands where `request.user` stands, acting for an organisation and seeing what it sees
    (an API key of it, or a reader a figure is computed as). It has no back-office rights."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, organisation):
        self.organisation = organisation
        self.organisation_id = organisation.pk

    def __str__(self) -> str:
        return str(self.organisation)

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
