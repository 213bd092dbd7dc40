"""One organisation of every kind, with a user each: the cast of every visibility test."""

from dataclasses import dataclass, field

from accounts.models import Department, District, Organisation, OrganisationKind, User
from tests.factories import DistrictFactory, OrganisationFactory, UserFactory

K = OrganisationKind


@dataclass
class World:
    fancheng: District
    xiangcheng: District
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def add(self, key: str, **org_fields) -> Organisation:
        organisation = OrganisationFactory(**org_fields)
        self.orgs[key] = organisation
        self.users[key] = UserFactory(organisation=organisation, username=f"u_{key}")
        return organisation


def make_world() -> World:
    """City regulator, a district regulator (樊城区), a sector department (住建), finance, the
    insurance regulator, two insurers, two property managers (樊城区 and 襄城区), a maintenance company."""
    world = World(fancheng=DistrictFactory(code="420606"), xiangcheng=DistrictFactory(code="420602"))
    world.add("city", kind=K.CITY_REGULATOR, department=Department.SAMR)
    world.add("district", kind=K.DISTRICT_REGULATOR, district=world.fancheng)
    world.add("housing", kind=K.SECTOR_DEPARTMENT, department=Department.HOUSING)
    world.add("finance", kind=K.FINANCE_BUREAU, department=Department.FINANCE)
    world.add("nfra", kind=K.INSURANCE_REGULATOR, department=Department.NFRA)
    world.add("insurer_a", kind=K.INSURER)
    world.add("insurer_b", kind=K.INSURER)
    world.add("pm_fancheng", kind=K.PROPERTY_MANAGER, district=world.fancheng)
    world.add("pm_xiangcheng", kind=K.PROPERTY_MANAGER, district=world.xiangcheng)
    world.add("maint", kind=K.MAINTENANCE_COMPANY, district=world.xiangcheng)
    return world
