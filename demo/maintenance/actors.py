"""Who the maintenance step acts as, and the elevators it writes for."""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, User
from core.api.bulk import REFUSED
from core.principal import OrganisationPrincipal
from elevators.models import Elevator, ElevatorStatus


@dataclass(frozen=True)
class DemoElevator:
    pk: int
    code: str
    group: str
    company_id: int | None
    user_unit_id: int | None
    district_id: str
    in_use: bool


def sample_elevators(*, limit: int) -> tuple[list[DemoElevator], int]:
    """The first `limit` elevators of the registry (by pk) and how many there are in all."""
    total = Elevator.objects.count()
    rows = Elevator.objects.order_by("pk").only(
        "pk", "equipment_code", "category", "maintenance_company_id", "user_unit_id", "district_id", "status"
    )[:limit]
    return [
        DemoElevator(
            e.pk,
            e.equipment_code,
            e.group,
            e.maintenance_company_id,
            e.user_unit_id,
            e.district_id,
            e.status == ElevatorStatus.IN_USE,
        )
        for e in rows
    ], total


class Logins:
    """The demo login (first active user) of each organisation, which the step acts as; read once
    per organisation and kept for one run of the step only."""

    def __init__(self):
        self._by_organisation: dict[int, User | OrganisationPrincipal] = {}

    def of(self, organisation_id: int | None) -> User | OrganisationPrincipal | None:
        """The organisation's login, or (an organisation the registry added without one) its
        principal, as its API key would act."""
        if organisation_id is None:
            return None
        if organisation_id not in self._by_organisation:
            user = (
                User.objects.filter(organisation_id=organisation_id, is_active=True)
                .select_related("organisation")
                .order_by("pk")
                .first()
            )
            if user is None:
                user = OrganisationPrincipal(Organisation.objects.get(pk=organisation_id))
            self._by_organisation[organisation_id] = user
        return self._by_organisation[organisation_id]

    def city_regulator(self) -> User | None:
        city = Organisation.objects.filter(kind=OrganisationKind.CITY_REGULATOR, is_active=True)
        first = city.order_by("pk").first()
        return self.of(first.pk) if first else None


def at(day, hour: int, minute: int = 0):
    """`day` at hour:minute in the city's time (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def check_results(results, what: str) -> None:
    """The demo writes only what the rules allow: a refusal is a bug of the demo."""
    refused = [r for r in results if r.outcome == REFUSED]
    if refused:
        raise RuntimeError(f"demo {what} refused: {[r.errors for r in refused[:3]]}")
