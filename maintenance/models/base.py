"""The visibility of rows about elevators that an organisation writes (maintenance records,
services, hazards, rescues): each model says which kinds see the rows of the elevators they see,
and which field names the organisation that wrote a row (it always sees its own)."""

from django.db.models import Q

from accounts.models import OrganisationKind
from core.visibility import VisibleQuerySet
from elevators.models import Elevator

# Who follows the safety records of the elevators they see (hazards, rescues): their regulators,
# sector departments, insurers, users and maintenance companies.
SAFETY_RECORD_READERS = frozenset(
    {
        OrganisationKind.DISTRICT_REGULATOR,
        OrganisationKind.SECTOR_DEPARTMENT,
        OrganisationKind.INSURER,
        OrganisationKind.PROPERTY_MANAGER,
        OrganisationKind.MAINTENANCE_COMPANY,
    }
)


class ElevatorScopedQuerySet(VisibleQuerySet):
    # Kinds that see the rows of every elevator they see (Elevator.objects.for_<kind>).
    elevator_kinds: frozenset[str] = frozenset()
    # The field naming the organisation that wrote the row; it sees its own rows whatever its kind.
    owner_field: str | None = None

    def of_elevators(self, elevators) -> Q:
        """Rows about any of `elevators` (a model with several elevators per row overrides it)."""
        return Q(elevator__in=elevators)

    def _visible(self, kind: str, org):
        condition = Q(pk__in=[])
        if kind in self.elevator_kinds:
            condition |= self.of_elevators(getattr(Elevator.objects, f"for_{kind}")(org))
        if self.owner_field and org.pk is not None:  # an organisation not on record wrote nothing
            condition |= Q(**{self.owner_field: org})
        return self.filter(condition)

    def for_city_regulator(self, org):
        return self

    def for_district_regulator(self, org):
        return self._visible(OrganisationKind.DISTRICT_REGULATOR, org)

    def for_sector_department(self, org):
        return self._visible(OrganisationKind.SECTOR_DEPARTMENT, org)

    def for_finance_bureau(self, org):
        return self._visible(OrganisationKind.FINANCE_BUREAU, org)

    def for_insurance_regulator(self, org):
        return self._visible(OrganisationKind.INSURANCE_REGULATOR, org)

    def for_insurer(self, org):
        return self._visible(OrganisationKind.INSURER, org)

    def for_property_manager(self, org):
        return self._visible(OrganisationKind.PROPERTY_MANAGER, org)

    def for_maintenance_company(self, org):
        return self._visible(OrganisationKind.MAINTENANCE_COMPANY, org)
