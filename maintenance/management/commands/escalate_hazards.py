"""Escalate open hazards past their deadline (what the daily task does), for a given day."""

from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.management.base import ServiceCommand
from maintenance.services.hazard_notices import hazards_escalate


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": value}) from exc


class Command(ServiceCommand):
    help = "Escalate open hazards past their deadline, once per hazard and escalation level."

    def add_arguments(self, parser):
        parser.add_argument("--on", type=_day, default=None, help="the day (YYYY-MM-DD), default today")

    def handle(self, *args, on=None, **options):
        escalated = hazards_escalate(on=on or timezone.localdate())
        for level, count in escalated.items():
            self.stdout.write(f"level {level}: {count}")
