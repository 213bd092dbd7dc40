"""Send the tasks kept while the broker was down (what the beat does every minute)."""

from core.management.base import ServiceCommand
from core.models import TaskOutbox
from core.outbox import outbox_drain


class Command(ServiceCommand):
    help = "Send the Celery tasks kept in the outbox while the broker was unreachable."

    def handle(self, *args, **options):
        sent = outbox_drain()
        left = TaskOutbox.objects.count()
        self.stdout.write(f"sent {sent}, left {left}")
        if left:
            self.stderr.write("the broker still refuses tasks; they stay in the outbox")
