"""The figures a kept day holds beside coverage (reporting.models.DailySummary): the insurance
summary, the maintenance states and the first ending policies of each scope, equal to what each
reader's live dashboard counts, read by the dashboard in a constant number of queries, and never
read by another scope's reader."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Department
from core.principal import SYSTEM
from insurance.models import PolicyElevator
from maintenance.models import MaintenanceRecord, MaintenanceState
from reporting.models import DailySummary, ScopeKind
from reporting.months import freeze_scopes
from reporting.reports.maintenance import maintenance_figures
from reporting.selectors import coverage_forecast, insurance_summary
from reporting.selectors.daily import kept_coverage
from reporting.selectors.forecast import forecast_all, forecast_slices
from reporting.selectors.summaries import summaries_all, summaries_slices
from reporting.services import daily_figures_refresh, month_freeze
from reporting.services.months import _cell_slice, _per_scope
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy
from tests.utils.clients import browser
from tests.utils.dates import today

from .conftest import LAST_MONTH, ON
from .dashboard_scene import build_scene, more_elevators

pytestmark = pytest.mark.django_db
OVERVIEW = "/coverage/"
FAN, XIANG = "420606", "420602"


@pytest.fixture
def scene(world):
    """build_scene's city, and: one policy of insurer A covering f_ending (樊城区) and x_ending
    (襄城区) that ends in 64 days with no renewal (the renewal cliff lists it), f_renewed's policy
    ending then too but renewed from the day after (not listed); f_insured maintained 5 days ago
    (on time), f_lapsed 30 days ago (overdue), every other elevator without a record."""
    s = build_scene(world)
    e, p = s.elevators, s.policies
    e["f_ending"] = ElevatorFactory(district=world.fancheng)
    e["x_ending"] = ElevatorFactory(district=world.xiangcheng, user_unit=e["f_ending"].user_unit)
    e["f_renewed"] = ElevatorFactory(district=world.fancheng)
    start = today() - timedelta(days=300)
    p["ending"] = policy(s.versions["a"], [e["f_ending"], e["x_ending"]], start=start)
    p["renewed"] = policy(s.versions["a"], [e["f_renewed"]], start=start)
    p["renewal"] = policy(s.versions["a"], [e["f_renewed"]], start=p["renewed"].end_date + timedelta(days=1))
    for key, days in (("f_insured", 5), ("f_lapsed", 30)):
        MaintenanceRecord.objects.create(
            company=world.orgs["maint"],
            elevator=e[key],
            record_number=f"R-{key}",
            performed_on=today() - timedelta(days=days),
        )
    return s


def premium(scene, *keys):
    """The declared premium of the covers of `keys` (elevator keys) in force today."""
    elevators = [scene.elevators[k] for k in keys]
    covers = PolicyElevator.objects.filter(elevator__in=elevators).in_force_on(today())
    return sum((c.premium for c in covers), Decimal(0)).quantize(Decimal("0.01"))


def expected(scene):
    """Each scope's figures, from the rules: policies in force today covering the scope's
    elevators (f_lapsed's ended 36 days ago, the renewal starts later), the claims reported in the
    last 365 days on them (C-1 paid 1,000.00 on f_insured, C-2 on f_mall), the elevators in use by
    state (f_scrapped is not in use: nine are), and the policies ending within 90 days with no cover then."""
    p = scene.policies
    fan = ("f_insured", "f_mall", "f_ending", "f_renewed")
    return {
        (ScopeKind.CITY, ""): {
            "policies": 5,
            "elevators_covered": 6,
            "premium": premium(scene, *fan, "x_housing", "x_ending"),
            "claims": 2,
            "paid": Decimal("1000.00"),
            "states": (1, 1, 7),
            "ending": [[p["ending"].pk, 2]],
        },
        (ScopeKind.DISTRICT, FAN): {
            "policies": 4,
            "elevators_covered": 4,
            "premium": premium(scene, *fan),
            "claims": 2,
            "paid": Decimal("1000.00"),
            "states": (1, 1, 4),
            "ending": [[p["ending"].pk, 1]],
        },
        (ScopeKind.DISTRICT, XIANG): {
            "policies": 2,
            "elevators_covered": 2,
            "premium": premium(scene, "x_housing", "x_ending"),
            "claims": 0,
            "paid": Decimal("0.00"),
            "states": (0, 0, 3),
            "ending": [[p["ending"].pk, 1]],
        },
        # residential and public housing: all but the mall
        (ScopeKind.DEPARTMENT, Department.HOUSING): {
            "policies": 4,
            "elevators_covered": 5,
            "premium": premium(scene, "f_insured", "f_ending", "f_renewed", "x_housing", "x_ending"),
            "claims": 1,
            "paid": Decimal("1000.00"),
            "states": (1, 1, 6),
            "ending": [[p["ending"].pk, 2]],
        },
        # its sector (public housing) and the publicly funded elevators; the publicly funded
        # policies only
        (ScopeKind.DEPARTMENT, Department.FINANCE): {
            "policies": 1,
            "elevators_covered": 1,
            "premium": premium(scene, "x_housing"),
            "claims": 0,
            "paid": Decimal("0.00"),
            "states": (0, 0, 1),
            "ending": [],
        },
    }


def as_kept(summary: DailySummary) -> dict:
    return {
        "policies": summary.policies,
        "elevators_covered": summary.elevators_covered,
        "premium": summary.premium,
        "claims": summary.claims,
        "paid": summary.paid,
        "states": (summary.maintenance_on_time, summary.maintenance_overdue, summary.maintenance_none),
        "ending": summary.ending_policies,
    }


def as_live(*, user, filters: dict, district) -> dict:
    """What the reader's live dashboard counts for the slice."""
    insurance = insurance_summary(user=user, on=today(), filters=filters)
    figures = maintenance_figures(user=user, start=today(), end=today(), district=district)
    _points, policies = coverage_forecast(user=user, on=today(), filters=filters)
    return {
        "policies": insurance.policies,
        "elevators_covered": insurance.elevators_covered,
        "premium": insurance.premium,
        "claims": insurance.claims,
        "paid": insurance.paid,
        "states": (figures.on_time, figures.overdue, figures.no_record),
        "ending": [[p.pk, p.elevators_ending] for p in policies[:20]],
    }


# (reader, the district it narrows to) and the scope it reads
READERS = [
    ("city", None, (ScopeKind.CITY, "")),
    ("nfra", None, (ScopeKind.CITY, "")),
    ("city", FAN, (ScopeKind.DISTRICT, FAN)),
    ("city", XIANG, (ScopeKind.DISTRICT, XIANG)),
    ("nfra", XIANG, (ScopeKind.DISTRICT, XIANG)),
    ("district", None, (ScopeKind.DISTRICT, FAN)),
    ("housing", None, (ScopeKind.DEPARTMENT, Department.HOUSING)),
    ("finance", None, (ScopeKind.DEPARTMENT, Department.FINANCE)),
]


@pytest.mark.parametrize(("reader", "district_code", "scope"), READERS)
def test_each_scope_keeps_what_its_readers_dashboard_counts_live(world, scene, reader, district_code, scope):
    snapshot = daily_figures_refresh()
    want = expected(scene)[scope]
    kept = DailySummary.objects.get(snapshot=snapshot, scope=scope[0], scope_code=scope[1])
    assert as_kept(kept) == want
    user = world.users[reader]
    filters = {"district": district_code} if district_code else {}
    district = {FAN: world.fancheng, XIANG: world.xiangcheng}.get(district_code)
    assert as_live(user=user, filters=filters, district=district) == want
    # what the reader's dashboard reads: its own scope's summary
    read = kept_coverage(user=user, on=today(), filters=filters)
    assert read.summary == kept
    insurance = read.insurance()
    assert (insurance.policies, insurance.premium, insurance.claims, insurance.paid) == (
        want["policies"],
        want["premium"],
        want["claims"],
        want["paid"],
    )
    assert read.maintenance_states() == dict(
        zip(
            (MaintenanceState.OK, MaintenanceState.OVERDUE, MaintenanceState.NONE),
            want["states"],
            strict=True,
        )
    )
    assert [[p.pk, p.elevators_ending] for p in read.ending_policies(user)] == want["ending"]


def test_the_dashboard_shows_the_kept_summary_and_counts_none_of_it(world, scene):
    client = browser(world, "city")
    snapshot = daily_figures_refresh()
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    want = expected(scene)[(ScopeKind.CITY, "")]
    insurance = response.context["insurance"]
    assert (insurance.policies, insurance.elevators_covered, insurance.premium) == (
        5,
        6,
        want["premium"],
    )
    assert (insurance.claims, insurance.paid) == (2, Decimal("1000.00"))
    assert insurance.window == (today() - timedelta(days=364), today())
    figures = response.context["maintenance"]["figures"]
    assert (figures.on_time, figures.overdue, figures.no_record) == (1, 1, 7)
    assert [(p.number, p.elevators_ending) for p in response.context["ending_policies"]] == [
        (scene.policies["ending"].number, 2)
    ]
    assert response.context["computed_at"] == snapshot.computed_at
    # a claim reported after the refresh is on the page at the next refresh, not before
    scene.claims["open"].pk = None
    scene.claims["open"].claim_number = "C-3"
    scene.claims["open"].save()
    assert client.get(OVERVIEW).context["insurance"].claims == 2
    daily_figures_refresh()
    assert client.get(OVERVIEW).context["insurance"].claims == 3


def test_the_kept_dashboards_queries_do_not_grow_with_the_registry(world, scene):
    client = browser(world, "city")
    daily_figures_refresh()
    client.get(OVERVIEW)  # warm
    with CaptureQueriesContext(connection) as before:
        assert client.get(OVERVIEW).status_code == 200
    more_elevators(world, 5, tag="grow")
    daily_figures_refresh()
    with CaptureQueriesContext(connection) as after:
        response = client.get(OVERVIEW)
    assert response.status_code == 200 and response.context["insurance"].policies == 5 + 10
    assert len(after) == len(before)
    # none of them counts the covers, the claims or the maintenance records
    counted = [q["sql"] for q in after.captured_queries if "insurance_policyelevator" in q["sql"]]
    assert counted == [], counted
    assert not [q for q in after.captured_queries if "maintenance_maintenancerecord" in q["sql"]]


def test_no_reader_reads_another_scopes_summary(world, scene):
    daily_figures_refresh()
    u = world.users
    scopes = lambda key: set(DailySummary.objects.visible_to(u[key]).values_list("scope", "scope_code"))  # noqa: E731
    assert scopes("district") == {(ScopeKind.DISTRICT, FAN)}
    assert scopes("housing") == {(ScopeKind.DEPARTMENT, Department.HOUSING)}
    assert scopes("finance") == {(ScopeKind.DEPARTMENT, Department.FINANCE)}
    assert (ScopeKind.DEPARTMENT, Department.HOUSING) not in scopes("city")
    assert scopes("insurer_a") == set() and scopes("maint") == set()
    # the district regulator asking for another district is no kept scope: counted live, through
    # its own visibility (nothing of 襄城区)
    assert kept_coverage(user=u["district"], on=today(), filters={"district": XIANG}) is None
    page = browser(world, "district").get(OVERVIEW, {"district": XIANG})
    assert page.status_code == 200
    assert page.context["insurance"].policies == 0 and page.context["total"].in_scope == 0
    assert page.context["maintenance"]["figures"].no_record == 0


def test_a_day_kept_by_a_freeze_has_no_summary_and_its_dashboard_counts_them(world, registry):
    month_freeze(user=SYSTEM, month=LAST_MONTH)
    assert not DailySummary.objects.exists()
    assert kept_coverage(user=world.users["city"], on=ON).summary is None
    response = browser(world, "city").get(OVERVIEW, {"on": ON.isoformat()})
    assert response.status_code == 200
    assert response.context["insurance"] == insurance_summary(user=world.users["city"], on=ON)


def test_the_one_pass_agrees_with_each_slice_counted_as_its_reader(world, scene):
    """The refresh counts every scope in one pass of cells; a scope whose reader's rule is not one
    of the cells' is counted slice by slice as its reader (summaries_all, forecast_all): both give
    the same."""
    scopes = freeze_scopes()
    one_pass = summaries_slices(on=today(), slices=[_cell_slice(scope) for scope in scopes])
    by_slice = _per_scope(lambda **slice_: summaries_all(on=today(), **slice_))
    assert [scope.key for scope, _fields in by_slice] == [scope.key for scope in scopes]
    assert one_pass == [fields for _scope, fields in by_slice]
    # the renewal cliff's points likewise (forecast_slices against forecast_all per slice)
    points = forecast_slices(on=today(), slices=[_cell_slice(scope) for scope in scopes])
    assert points == [p for _scope, p in _per_scope(lambda **slice_: forecast_all(on=today(), **slice_))]
    # in scope today: the nine in use; insured in 90 days: f_insured, f_mall, x_housing and f_renewed
    # (its renewal), not f_ending and x_ending (their policy ends in 64 days)
    city = points[0]
    assert [(p.days, p.figure.in_scope, p.figure.insured) for p in city] == [
        (30, 9, 6),
        (60, 9, 6),
        (90, 9, 4),
    ]
    assert {scope.key: fields["policies"] for scope, fields in by_slice} == {
        key: figures["policies"] for key, figures in expected(scene).items()
    } | {key: 0 for key in {s.key for s in scopes} - set(expected(scene))}
