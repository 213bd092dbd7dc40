"""What the registry demo refers to in the database: the divisions and the demo organisations.

Loaded once (`context_load`), then handed to the stream, which reads nothing else.
"""

from collections import defaultdict
from dataclasses import dataclass

from accounts.models import District, Organisation, OrganisationKind
from demo.accounts import MAINTENANCE_COMPANIES, PROPERTY_MANAGERS

from . import data


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    short_name: str
    kind: str
    city_code: str
    city_name: str

    @property
    def label(self) -> str:
        """How an address names the division: 樊城区, 枣阳市, 高新区."""
        return self.short_name if self.kind == District.Kind.ZONE and self.short_name else self.name

    @property
    def government(self) -> str:
        """How the division's government names its buildings: 樊城区, 枣阳市, 襄阳高新区."""
        if self.kind == District.Kind.ZONE:
            return f"{self.city_name.removesuffix('市')}{self.short_name or self.name}"
        return self.name

    @property
    def is_urban(self) -> bool:
        """Part of the city proper (a district or a development zone), not a county."""
        return self.kind in {District.Kind.DISTRICT, District.Kind.ZONE}

    @property
    def registry_region(self) -> str:
        """The registering office's region code in a legacy code: the zones registered with the city."""
        return self.city_code if self.kind == District.Kind.ZONE else self.code


@dataclass(frozen=True)
class Unit:
    """An organisation the stream may name: a user unit or a maintenance company."""

    id: int
    name: str
    district: str | None
    weight: float = 1.0


@dataclass(frozen=True)
class RegistryContext:
    divisions: dict[str, Division]
    user_units: dict[str, list[Unit]]  # place category -> the units that keep such places
    maintainers: list[Unit]
    units_by_name: dict[str, Unit]


def context_load() -> RegistryContext:
    """Divisions and demo organisations as the stream needs them, in the tables' fixed order.

    An organisation missing from the database is simply not drawn; the stream's codes do not
    depend on which organisations exist.
    """
    divisions = {
        d.code: Division(d.code, d.name, d.short_name, d.kind, d.city_code, d.city_name)
        for d in District.objects.all()
    }
    managers = [(row, data.ACCOUNTS_MANAGER_WEIGHT) for row in PROPERTY_MANAGERS]
    managers += [(row, 1.0) for row in data.EXTRA_PROPERTY_MANAGERS]
    maintainers = MAINTENANCE_COMPANIES + data.EXTRA_MAINTENANCE_COMPANIES
    names = [row[0] for row, _ in managers] + [row[0] for row in maintainers]
    ids = dict(
        Organisation.objects.filter(
            name__in=names, kind__in=[OrganisationKind.PROPERTY_MANAGER, OrganisationKind.MAINTENANCE_COMPANY]
        ).values_list("name", "id")
    )
    user_units: dict[str, list[Unit]] = defaultdict(list)
    units_by_name: dict[str, Unit] = {}
    for (name, _short, district, _registration, places), weight in managers:
        if name in ids:
            unit = Unit(ids[name], name, district, weight)
            units_by_name[name] = unit
            for place in places:
                user_units[place].append(unit)
    maintenance = [Unit(ids[name], name, district) for name, _short, district in maintainers if name in ids]
    units_by_name.update((unit.name, unit) for unit in maintenance)
    return RegistryContext(divisions, dict(user_units), maintenance, units_by_name)
