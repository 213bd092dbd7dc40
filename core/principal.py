"""The caller of work no person started: management commands and scheduled tasks."""


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
