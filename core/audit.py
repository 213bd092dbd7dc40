"""Who did it: attribution for the audit log (django-auditlog) beyond logged-in browser users.

The auditlog middleware records the browser user of each request. Callers that are not a user —
an organisation's API key, a management command, a Celery task — name themselves here, and
every change written while they act carries that name.
"""

import contextlib

from auditlog.context import auditlog_value, set_extra_data


def attribute_current_request(label: str, **data) -> None:
    """Name the actor of the request being served (called once the caller is authenticated)."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    context["actor_email"] = label[:254]
    context["additional_data"] = {"actor": label, **data}


@contextlib.contextmanager
def acting_as(label: str, *, actor=None, **data):
    """Attribute every change made inside the block to `label` (commands, tasks), and to the user
    `actor` when the work is done on a user's behalf (an import queued from the browser)."""
    # auditlog's own context manager does not restore an enclosing context (a request serving an
    # in-process task); restoring it here lets the enclosing block disconnect its own receiver.
    enclosing = auditlog_value.get(None)
    try:
        context = {"actor_email": label[:254], "additional_data": {"actor": label, **data}}
        if actor is not None:
            context["actor"] = actor
        with set_extra_data(context):
            yield
    finally:
        if enclosing is not None:
            auditlog_value.set(enclosing)
