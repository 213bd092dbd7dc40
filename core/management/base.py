"""The base of every management command that writes: attributed, and refusals as command errors."""

from django.core.management.base import BaseCommand, CommandError

from core.audit import acting_as
from core.exceptions import ApplicationError


class ServiceCommand(BaseCommand):
    """Runs `handle` acting as "command:<name>" (every change it makes names the command in the
    audit log, with `attribution(options)` beside it), and turns a service's refusal
    (ApplicationError) into a CommandError with the service's message: exit status 1, no traceback.
    """

    def attribution(self, options: dict) -> dict:
        """Extra facts for the audit log's entries (the file imported, say)."""
        return {}

    def execute(self, *args, **options):
        label = f"command:{self.__module__.rsplit('.', 1)[-1]}"
        try:
            with acting_as(label, **self.attribution(options)):
                return super().execute(*args, **options)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
