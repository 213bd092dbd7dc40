"""The cast of the maintenance-record tests: the world (tests.utils.world), a second maintenance
company, elevators maintained by `maint` in 樊城区 used by pm_fancheng, and a helper that stores a
record straight in the database (the state tests need no service)."""

from datetime import date

import pytest

from accounts.models import OrganisationKind
from maintenance.models import MaintenanceRecord
from tests.elevators.factories import ElevatorFactory

D = date(2026, 6, 30)


def maintained(world, **fields):
    """An elevator of pm_fancheng in 樊城区 maintained by `maint` (fields override)."""
    pm = world.orgs["pm_fancheng"]
    values = {
        "user_unit": pm,
        "owner": pm,
        "district": world.fancheng,
        "maintenance_company": world.orgs["maint"],
    }
    return ElevatorFactory(**{**values, **fields})


def stored(elevator, performed_on, level="half_monthly", **fields):
    """A record stored as it is, without the service (no flags)."""
    number = fields.pop("record_number", f"R-{elevator.pk}-{performed_on.isoformat()}-{level}")
    return MaintenanceRecord.objects.create(
        company=elevator.maintenance_company,
        elevator=elevator,
        record_number=number,
        performed_on=performed_on,
        level=level,
        **fields,
    )


@pytest.fixture
def world(world):
    world.add("maint_b", kind=OrganisationKind.MAINTENANCE_COMPANY, district=world.fancheng)
    return world
