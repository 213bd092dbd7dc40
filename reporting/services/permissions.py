"""Who may write in reporting: the city regulator, or the server's own operators (commands,
scheduled tasks); and how a write names its actor in the records it keeps."""

from auditlog.context import auditlog_value

from accounts.models import OrganisationKind
from core.exceptions import ApplicationError
from core.visibility import organisation_of


def is_city_regulator(user) -> bool:
    """The city regulator, or the server's own operators (commands, scheduled tasks)."""
    organisation = organisation_of(user)
    if organisation is None:
        return bool(getattr(user, "is_superuser", False)) and getattr(user, "is_authenticated", False)
    return organisation.is_active and organisation.kind == OrganisationKind.CITY_REGULATOR


def check_city_regulator(user, message) -> None:
    if not is_city_regulator(user):
        raise ApplicationError(message)


def actor_of(user) -> tuple[object, str]:
    """The user to record (None for a principal that is no user) and a label naming the actor:
    the enclosing command or task (core.audit.acting_as) or the user's name."""
    person = user if getattr(user, "pk", None) and hasattr(user, "_meta") else None
    context = auditlog_value.get(None) or {}
    label = person.username if person else context.get("actor_email") or str(user)
    return person, str(label)[:100]
