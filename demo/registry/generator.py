"""The registry demo as a stream: sites one after another, and the elevators of each site.

`RegistryStream` is pure (no database access once it has its `RegistryContext`): the same seed,
context and day give the same elevators in the same order, and a longer run begins with exactly
the elevators of a shorter one, so `seed_demo --elevators N` can extend an earlier, smaller demo.
Uniqueness is by construction: serials count per (category, manufacturer, year), legacy codes per
(category, registering office, month).

Realism in brief: a site (a residential compound, a hospital, a mall) has one user unit, one
maintenance company, one brand and one construction date; its elevators follow the place's mix
of categories. Elevators registered before 2016 mostly carry a legacy 20-digit code. The latest
inspection is within the last year for most elevators in use, past due for some; suspended,
scrapped and cancelled ones stopped being inspected. `history.elevator_history` adds yearly
inspections and the lifecycle events for the timeline.
"""

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from elevators.codes import CATEGORIES_BY_CODE, CategoryGroup, EquipmentCodeForm
from elevators.models import ElevatorStatus, Inspection, years_before

from . import data
from .context import Division, RegistryContext, Unit
from .drawing import Weighted

DEVICE_SERIAL_DIGITS = 100_000
LETTER_SERIALS = "ABCDEFGHJKLMNPQRTUWXY"  # letters take over past 99999, as the code allows
LEGACY_SEQUENCE_LIMIT = 10_000
REGISTRATION_SEQUENCE_LIMIT = 100_000
LATEST_INSTALLATION_DAYS = 120  # an elevator installed, inspected and registered by today
CHINESE_DIGITS = "〇一二三四五六七八九"


# --- what the stream yields ----------------------------------------------------------------


@dataclass(slots=True)
class DemoElevator:
    """One generated elevator: its registry row and the facts its history is built from."""

    equipment_code: str
    code_form: str
    registration_number: str
    registered_on: date
    category: str
    manufacturer: str
    model_number: str
    factory_serial: str
    manufactured_on: date
    installed_on: date
    site_name: str
    address: str
    district_id: str
    place_category_id: str
    user_unit_id: int | None
    owner_id: int | None
    maintenance_company_id: int | None
    has_repair_funds: bool
    status: str
    last_inspected_on: date
    inspection_result: str
    next_inspection_due: date
    # not columns of the elevator: its latest inspection and its history's anchors
    inspection_kind: str
    inspection_body: str
    report_number: str
    accepted_on: date
    status_changed_on: date | None

    ELEVATOR_FIELDS = (
        "equipment_code", "code_form", "registration_number", "registered_on", "category", "manufacturer",
        "model_number", "factory_serial", "manufactured_on", "installed_on", "site_name", "address",
        "district_id", "place_category_id", "user_unit_id", "owner_id", "maintenance_company_id",
        "has_repair_funds", "status", "last_inspected_on", "inspection_result", "next_inspection_due",
    )  # fmt: skip

    # The latest inspection: Inspection's fields, and the attributes that hold them here.
    INSPECTION_FIELDS = ("inspected_on", "kind", "result", "next_due", "inspection_body", "report_number")
    INSPECTION_ATTRIBUTES = (
        "last_inspected_on", "inspection_kind", "inspection_result", "next_inspection_due", "inspection_body",
        "report_number",
    )  # fmt: skip

    def elevator_fields(self) -> dict:
        return {name: getattr(self, name) for name in self.ELEVATOR_FIELDS}

    def latest_inspection_fields(self) -> dict:
        return {
            field: getattr(self, attribute)
            for field, attribute in zip(self.INSPECTION_FIELDS, self.INSPECTION_ATTRIBUTES, strict=True)
        }


@dataclass
class Site:
    division: Division
    place: str
    name: str
    address: str
    user_unit: Unit | None
    maintainer: Unit | None
    has_repair_funds: bool
    manufacturer: data.Manufacturer
    built_on: date
    categories: list[str] | None  # a landmark's fixed list; else drawn from the place's mix
    size: int


def inspection_body(year: int) -> str:
    return next(body for until, body in data.INSPECTION_BODIES if year < until)


def serial_text(number: int) -> str:
    """A manufacturer's 5-character serial: digits up to 99999, then a letter and 4 base-36 digits."""
    if number < DEVICE_SERIAL_DIGITS:
        return f"{number:05d}"
    letter, rest = divmod(number - DEVICE_SERIAL_DIGITS, 36**4)
    digits = ""
    for _ in range(4):
        rest, digit = divmod(rest, 36)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + digits
    return LETTER_SERIALS[letter % len(LETTER_SERIALS)] + digits


def phase_name(number: int) -> str:
    """二期, 三期 ... 九期, then 10期."""
    return f"{CHINESE_DIGITS[number]}期" if number < len(CHINESE_DIGITS) else f"{number}期"


# --- the stream -----------------------------------------------------------------------------


class RegistryStream:
    """An endless, deterministic stream of demo elevators (take as many as you need)."""

    def __init__(self, *, seed: int, context: RegistryContext, today: date):
        self.rng = random.Random(seed)
        self.context = context
        self.today = today
        self.latest_installation = today - timedelta(days=LATEST_INSTALLATION_DAYS)
        present = {code: share for code, share in data.DISTRICT_SHARES.items() if code in context.divisions}
        for code in context.divisions:  # another city's divisions, or a division added later
            present.setdefault(code, min(data.DISTRICT_SHARES.values()))
        self.divisions = Weighted.of(present)
        self.divisions_by_place = {
            place: Weighted.of({c: w for c, w in present.items() if c in spec.districts})
            for place, spec in data.PLACES.items()
            if spec.districts
        }
        # A site's weight is its place's share of elevators over the place's mean site size.
        self.places = Weighted.of(
            {place: spec.share / (sum(spec.size) / 3) for place, spec in data.PLACES.items()}
        )
        self.categories = {place: Weighted.of(spec.categories) for place, spec in data.PLACES.items()}
        self.years_ago = Weighted.of(data.YEARS_AGO_WEIGHTS)
        self.manufacturers = Weighted(data.MANUFACTURERS, [m.share for m in data.MANUFACTURERS])
        self.makers_of = {
            code: Weighted(makers, [m.share for m in makers])
            for code in CATEGORIES_BY_CODE
            if (makers := [m for m in data.MANUFACTURERS if code in m.models])
        }
        self.statuses = Weighted.of(data.STATUS_WEIGHTS)
        self.results = Weighted.of(data.RESULT_WEIGHTS)
        self.acceptance_results = Weighted.of(data.ACCEPTANCE_RESULT_WEIGHTS)
        self.three_no_kinds = Weighted.of(data.THREE_NO_KINDS)
        self.user_units = {place: self._fallback(units) for place, units in context.user_units.items()}
        self.user_units_by_division = {
            (place, division): self._weighted_units([u for u in units if u.district == division])
            for place, units in context.user_units.items()
            for division in context.divisions
        }
        self.maintainers = self._fallback(context.maintainers)
        self.maintainers_by_division = {
            division: self._weighted_units([u for u in context.maintainers if u.district == division])
            for division in context.divisions
        }
        self.site_names: dict[tuple[str, str], int] = defaultdict(int)
        self.serials: dict[tuple[str, str, int], int] = {}
        self.legacy_sequences: dict[tuple[str, str, str], int] = {}
        self.registration_sequences: dict[tuple[str, int], int] = {}
        self.report_sequences: dict[int, int] = {}

    @staticmethod
    def _weighted_units(units: list[Unit]) -> Weighted:
        return Weighted(units, [u.weight for u in units])

    def _fallback(self, units: list[Unit]) -> Weighted:
        """Who takes on a site with no unit of its own division: one of the city proper, if any."""
        divisions = self.context.divisions
        urban = [u for u in units if u.district in divisions and divisions[u.district].is_urban]
        return self._weighted_units(urban or units)

    def __iter__(self) -> Iterator[DemoElevator]:
        for landmark in data.LANDMARKS:
            if landmark.district in self.context.divisions:
                yield from self._elevators(self._landmark_site(landmark))
        while True:
            yield from self._elevators(self._random_site())

    # --- sites ------------------------------------------------------------------------------

    def _built_on(self, years_ago: int) -> date:
        start = date(self.today.year - years_ago, 1, 1)
        return min(start + timedelta(days=int(self.rng.random() * 365)), self.latest_installation)

    def _address(self, division: Division, road: str, number: int) -> str:
        return f"{division.city_name}{division.label}{road}{number}号"

    def _unique_name(self, division: Division, name: str) -> str:
        key = (division.code, name)
        self.site_names[key] += 1
        seen = self.site_names[key]
        return name if seen == 1 else f"{name}{phase_name(seen)}"

    def _landmark_site(self, landmark: data.Landmark) -> Site:
        division = self.context.divisions[landmark.district]
        categories = [code for code, count in landmark.categories.items() for _ in range(count)]
        return Site(
            division=division,
            place=landmark.place,
            name=self._unique_name(division, landmark.name),
            address=self._address(division, landmark.road, landmark.number),
            user_unit=self.context.units_by_name.get(landmark.user_unit),
            maintainer=self._maintainer(division),
            has_repair_funds=True,
            manufacturer=self.manufacturers.pick(self.rng),
            built_on=self._built_on(landmark.years_ago),
            categories=categories,
            size=len(categories),
        )

    def _random_site(self) -> Site:
        rng = self.rng
        place = self.places.pick(rng)
        spec = data.PLACES[place]
        division = self.context.divisions[(self.divisions_by_place.get(place) or self.divisions).pick(rng)]
        user_unit = self._user_unit(place, division.code)
        maintainer = self._maintainer(division)
        three_no = self.three_no_kinds.pick(rng) if rng.random() < data.THREE_NO_SHARE else None
        roads = data.ROADS.get(division.code) or data.ROADS["420606"]
        road = roads[int(rng.random() * len(roads))]
        number = 1 + int(rng.random() * 399)
        name = self._site_name(place, division, user_unit)
        return Site(
            division=division,
            place=place,
            name=self._unique_name(division, name),
            address=self._address(division, road, number),
            user_unit=None if three_no == "no_user_unit" else user_unit,
            maintainer=None if three_no == "no_maintenance" else maintainer,
            has_repair_funds=three_no != "no_repair_funds",
            manufacturer=self.manufacturers.pick(rng),
            built_on=self._built_on(self.years_ago.pick(rng)),
            categories=None,
            size=max(1, round(rng.triangular(spec.size[0], spec.size[1], spec.size[2]))),
        )

    def _user_unit(self, place: str, division: str) -> Unit | None:
        share = 1.0 if place in data.NAMED_AFTER_USER_UNIT else data.SAME_DIVISION_SHARE
        local = self.user_units_by_division.get((place, division))
        if self.rng.random() < share and local and local.items:
            return local.pick(self.rng)
        return (self.user_units.get(place) or Weighted([], [])).pick(self.rng)

    def _maintainer(self, division: Division) -> Unit | None:
        local = self.maintainers_by_division.get(division.code)
        if self.rng.random() < data.SAME_DIVISION_MAINTAINER_SHARE and local and local.items:
            return local.pick(self.rng)
        return self.maintainers.pick(self.rng)

    def _site_name(self, place: str, division: Division, user_unit: Unit | None) -> str:
        rng = self.rng
        templates = data.SITE_TEMPLATES[place]
        template = templates[int(rng.random() * len(templates))]
        word = data.WORDS[int(rng.random() * len(data.WORDS))]
        suffix = data.RESIDENTIAL_SUFFIXES[int(rng.random() * len(data.RESIDENTIAL_SUFFIXES))]
        bureau = data.BUREAUS[int(rng.random() * len(data.BUREAUS))]
        area = data.AREA_NAMES.get(division.code, division.label)
        name = template.format(word=word, suffix=suffix, bureau=bureau, area=area, gov=division.government)
        if place in data.NAMED_AFTER_USER_UNIT:
            buildings = data.BUILDINGS[place]
            building = buildings[int(rng.random() * len(buildings))]
            if user_unit is None:
                return f"{name}{building}"
            campus = (
                "" if user_unit.district == division.code else f"{area}{data.NAMED_AFTER_USER_UNIT[place]}"
            )
            return f"{user_unit.name}{campus}{building}"
        return name

    # --- elevators --------------------------------------------------------------------------

    def _elevators(self, site: Site) -> Iterator[DemoElevator]:
        for k in range(site.size):
            yield self._elevator(site, k)

    def _elevator(self, site: Site, k: int) -> DemoElevator:
        rng, today = self.rng, self.today
        category = site.categories[k] if site.categories else self.categories[site.place].pick(rng)
        info = CATEGORIES_BY_CODE[category]
        maker = site.manufacturer
        models = maker.models.get(category) or maker.models.get(data.MODEL_FALLBACK.get(category, ""))
        if not models:
            maker = self.makers_of[data.MODEL_FALLBACK.get(category, category)].pick(rng)
            models = maker.models.get(category) or maker.models[data.MODEL_FALLBACK[category]]
        model_number = models[int(rng.random() * len(models))]

        installed_on = min(site.built_on + timedelta(days=int(rng.random() * 60)), self.latest_installation)
        manufactured_on = installed_on - timedelta(days=30 + int(rng.random() * 210))
        accepted_on = installed_on + timedelta(days=3 + int(rng.random() * 22))
        registered_on = accepted_on + timedelta(days=3 + int(rng.random() * 25))

        serial = self._next_serial(category, maker.code, manufactured_on.year)
        legacy = registered_on.year < data.LEGACY_CODES_UNTIL and rng.random() < data.LEGACY_CODE_SHARE
        code = self._legacy_code(category, site.division, registered_on) if legacy else None
        if code is None:
            code = f"{category}{maker.code}{manufactured_on.year}{serial}"
        code_form = EquipmentCodeForm.DEVICE if len(code) == 18 else EquipmentCodeForm.REGISTRATION
        year = registered_on.year % 100
        sequence = self._next(self.registration_sequences, (info.variety, year), start=50, step=2)
        registration_number = (
            f"梯{info.variety}{data.REGISTRATION_PROVINCE}{data.REGISTRATION_CITY_LETTER}"
            f"{sequence % REGISTRATION_SEQUENCE_LIMIT:05d}({year:02d})"
        )

        status = self.statuses.pick(rng)
        if status == ElevatorStatus.SCRAPPED and installed_on > years_before(today, data.SCRAPPED_MIN_YEARS):
            status = ElevatorStatus.SUSPENDED.value
        inspected_on, kind, result, changed_on = self._latest_inspection(status, accepted_on)
        report = self._next(self.report_sequences, inspected_on.year, start=300, step=1)

        if info.group == CategoryGroup.VERTICAL:
            position = (
                f"{k // 2 + 1}栋{k % 2 + 1}号梯"
                if site.place in {"RESIDENTIAL", "PUBLIC_HOUSING"}
                else f"{k + 1}号梯"
            )
        else:
            position = f"{k + 1}号扶梯" if info.group == CategoryGroup.ESCALATOR else f"{k + 1}号人行道"
        user_unit_id = site.user_unit.id if site.user_unit else None
        return DemoElevator(
            equipment_code=code,
            code_form=code_form,
            registration_number=registration_number,
            registered_on=registered_on,
            category=category,
            manufacturer=maker.name,
            model_number=model_number,
            factory_serial=f"{maker.serial_prefix}{manufactured_on.year % 100:02d}{info.variety}{serial}",
            manufactured_on=manufactured_on,
            installed_on=installed_on,
            site_name=site.name,
            address=f"{site.address}{site.name}{position}",
            district_id=site.division.code,
            place_category_id=site.place,
            user_unit_id=user_unit_id,
            owner_id=user_unit_id,
            maintenance_company_id=site.maintainer.id if site.maintainer else None,
            has_repair_funds=site.has_repair_funds,
            status=status,
            last_inspected_on=inspected_on,
            inspection_result=result,
            next_inspection_due=years_before(inspected_on, -1),
            inspection_kind=kind,
            inspection_body=inspection_body(inspected_on.year),
            report_number=f"DT{inspected_on.year}-{report % 1_000_000:06d}",
            accepted_on=accepted_on,
            status_changed_on=changed_on,
        )

    def _latest_inspection(self, status: str, accepted_on: date) -> tuple[date, str, str, date | None]:
        """Date, kind and result of the latest inspection, and when the status changed (if it did)."""
        rng, today = self.rng, self.today
        result_draw, overdue_draw, age_draw, change_draw = (
            rng.random(),
            rng.random(),
            rng.random(),
            rng.random(),
        )
        if status == ElevatorStatus.IN_USE:
            if overdue_draw < data.OVERDUE_SHARE:
                days_ago = 367 + int(age_draw * 180)  # due between one and six months ago
            else:
                days_ago = int(age_draw * 365)
        elif status == ElevatorStatus.SUSPENDED:
            days_ago = 200 + int(age_draw * 900)
        else:
            days_ago = 400 + int(age_draw * 1400)
        inspected_on = today - timedelta(days=days_ago)
        if inspected_on <= accepted_on:
            inspected_on, kind = accepted_on, Inspection.Kind.ACCEPTANCE
            result = self.acceptance_results.at(result_draw)
        else:
            kind, result = Inspection.Kind.PERIODIC, self.results.at(result_draw)
        changed_on = None
        if status != ElevatorStatus.IN_USE:
            span = max((today - inspected_on).days, 1)
            changed_on = inspected_on + timedelta(days=1 + int(change_draw * (span - 1)))
        return inspected_on, kind, result, changed_on

    def _next_serial(self, category: str, maker: str, year: int) -> str:
        """The maker's next serial of the category and year (makers' serials skip a few)."""
        return serial_text(self._next(self.serials, (category, maker, year), start=3000, step=6))

    def _legacy_code(self, category: str, division: Division, registered_on: date) -> str | None:
        """The 20-digit code of a registration before 2016, or None when the month's numbers ran out."""
        month = f"{registered_on.year}{registered_on.month:02d}"
        sequence = self._next(
            self.legacy_sequences, (category, division.registry_region, month), start=20, step=1
        )
        if sequence >= LEGACY_SEQUENCE_LIMIT:
            return None
        return f"{category}{division.registry_region}{month}{sequence:04d}"

    def _next(self, counters: dict, key, *, start: int, step: int) -> int:
        """The next number of a counter that starts at 1 to `start` and moves on by 1 to `step`."""
        number = counters.get(key)
        draw = self.rng.random()
        number = 1 + int(draw * start) if number is None else number + 1 + int(draw * step)
        counters[key] = number
        return number


def elevators_generate(*, seed: int, context: RegistryContext, today: date, count: int) -> list[DemoElevator]:
    """The first `count` elevators of the stream (for tests and small demos)."""
    stream = iter(RegistryStream(seed=seed, context=context, today=today))
    return [next(stream) for _ in range(count)]
