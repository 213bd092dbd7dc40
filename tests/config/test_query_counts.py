"""Query counts of every page and API endpoint a viewer may GET: they do not grow with the rows.

Every GET route the authorisation matrix (tests.config.authorization_matrix) answers "ok" for a
viewer — lists, details, dashboards, exports and forms, pages and API — is called by the first
three such viewers of CALLERS (pages by the user's session, the API by the organisation's key) on
the scene (tests.config.tenants), once untimed to fill what a process or a session keeps, then
counted as the scene is (N: one object of every model on each side), then
again after the scene has grown to 3N: two more sides like "a" and two like "b" (more rows in every
list), and more of every child of side "a"'s elevator and policy (inspections, maintenance records
and their attachments, hazards, claims, services and rescues: more rows in every detail page).
A route's query count must be the same at N and 3N for every viewer (no query per row), and stay
within the bound declared for its URL name in QUERY_BOUNDS (the most any viewer needed when the
bound was declared; a new route must be declared here, as in the matrix). To find the query that
grows: QUERIES_SHOW=<URL name>,... prints every query of those routes' calls (with -s).

The cache is emptied before each call, so a figure cached by a dashboard is counted as computed.
Set QUERIES_RECORD=<path> to write the observed counts there instead of asserting.
"""

import os
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.config.authorization_matrix import MATRIX, excluded_reason
from tests.config.tenants import _alarm, _side
from tests.config.tenants import scene as scene
from tests.config.test_authorization_matrix import client_for
from tests.config.urlwalk import routes

RECORD = os.environ.get("QUERIES_RECORD")
SHOW = set(filter(None, os.environ.get("QUERIES_SHOW", "").split(",")))  # URL names: print their SQL

# GET routes left out, and why.
NOT_COUNTED = {
    "logout": "signs the viewer out; reads nothing",
    "healthz": "the liveness probe: one fixed query, no rows",
}

# Routes whose count follows the kinds of rows on the page rather than their number, and why: for
# these only the bound holds.
BY_KIND = {
    "audit-search": "one query per kind of object the page's entries name (at most one per audited "
    "model), so which kinds the first page happens to hold moves the count by one or two",
}

# The most queries a call of each URL name may make, whoever calls it and however many rows there are
# (what the walk counted when the route was declared: raise one only with a reason in the commit).
QUERY_BOUNDS: dict[str, int] = {
    "api:api-root": 1,
    "api:claim-detail": 4,
    "api:claim-list": 4,
    "api:claim-proposal-detail": 2,
    "api:claim-proposal-list": 2,
    "api:coverage-forecast": 7,
    "api:coverage-list": 3,
    "api:coverage-maintenance": 6,
    "api:coverage-trend-list": 3,
    "api:elevator-by-code": 2,
    "api:elevator-detail": 2,
    "api:elevator-list": 2,
    "api:elevator-timeline": 12,
    "api:hazard-detail": 3,
    "api:hazard-list": 3,
    "api:inspection-detail": 2,
    "api:inspection-list": 2,
    "api:maintenance-record-detail": 5,
    "api:maintenance-record-list": 5,
    "api:notice-detail": 2,
    "api:notice-list": 2,
    "api:organisation-detail": 2,
    "api:organisation-list": 2,
    "api:policy-detail": 3,
    "api:policy-list": 2,
    "api:product-detail": 6,
    "api:product-list": 6,
    "api:product-versions": 6,
    "api:report-run-detail": 3,
    "api:report-run-download": 3,
    "api:report-run-list": 2,
    "api:rescue-detail": 2,
    "api:rescue-list": 2,
    "api:service-detail": 4,
    "api:service-list": 4,
    "audit-search": 19,
    "claim-detail": 7,
    "claim-history": 11,
    "claim-list": 6,
    "claim-proposal-export": 5,
    "claim-proposal-list": 6,
    "claim-update": 6,
    "coverage-insurers": 10,
    "coverage-overview": 33,
    "coverage-public": 6,
    "coverage-uninsured": 7,
    "coverage-uninsured-export": 5,
    "elevator-card": 9,
    "elevator-detail": 24,
    "elevator-export": 5,
    "elevator-history": 13,
    "elevator-list": 8,
    "elevator-sign": 9,
    "feedback-export": 5,
    "feedback-list": 6,
    "feedback-submit": 5,
    "frozen-month-history": 8,
    "frozen-months": 9,
    "hazard-board": 5,
    "hazard-close": 4,
    "hazard-detail": 6,
    "hazard-export": 5,
    "hazard-history": 11,
    "hazard-list": 7,
    "hazard-rectify": 4,
    "hazard-report": 4,
    "home": 6,
    "import-detail": 6,
    "import-list": 6,
    "import-new": 4,
    "import-progress": 4,
    "login": 3,
    "maintenance-attachment-download": 4,
    "maintenance-company-ranking": 10,
    "maintenance-record-create": 5,
    "maintenance-record-detail": 8,
    "maintenance-record-export": 6,
    "maintenance-record-history": 10,
    "maintenance-record-list": 7,
    "maintenance-record-review-queue": 5,
    "notice-list": 6,
    "organisation-history": 7,
    "organisation-list": 7,
    "password-change": 4,
    "policy-detail": 7,
    "policy-export": 5,
    "policy-history": 9,
    "policy-list": 7,
    "policy-register": 7,
    "product-create": 24,
    "product-detail": 11,
    "product-history": 10,
    "product-list": 11,
    "product-version-create": 30,
    "report-download": 5,
    "report-preview": 5,
    "reports": 8,
    "rescue-board": 6,
    "rescue-detail": 6,
    "rescue-export": 5,
    "rescue-history": 10,
    "rescue-list": 7,
    "rescue-record": 6,
    "service-detail": 7,
    "service-export": 6,
    "service-history": 8,
    "service-list": 8,
    "service-new": 5,
    "target-history": 7,
    "two-factor": 8,
}

ROUTES = [
    route
    for route in routes()
    if excluded_reason(route.pattern) is None and not route.suffixed and route.key not in NOT_COUNTED
]
# Who calls each route: the first three viewers, in this order, that may open it (the widest views
# first; each kind takes its own visibility path). Every viewer of every route would take minutes.
CALLERS = (
    "city",
    "insurer_a",
    "maint",
    "pm_fancheng",
    "district",
    "housing",
    "nfra",
    "finance",
    "backoffice",
)
COUNTED = [
    (route, viewer)
    for route in ROUTES
    for viewer in [v for v in CALLERS if MATRIX.get((route.key, "GET"), {}).get(v) == "ok"][:3]
]


def _grow(scene) -> None:
    """From N to 3N: two more sides like each of the two, and two more of each child of side a."""
    from accounts import services

    world, issue = scene.world, services.api_key_create

    def another_key(*, organisation, name):  # a side names its key alike; an organisation's names differ
        return issue(organisation=organisation, name=f"{name} {organisation.api_keys.count()}")

    with mock.patch.object(services, "api_key_create", another_key):
        for tag in ("c", "d"):
            _side(world, tag, district=world.fancheng, pm="pm_fancheng", maint="maint", insurer="insurer_a",
                  category="RESIDENTIAL")  # fmt: skip
        for tag in ("e", "f"):
            _side(world, tag, district=world.xiangcheng, pm="pm_xiangcheng", maint="maint_b",
                  insurer="insurer_b", category="BUS_STATION")  # fmt: skip
    for tag in ("g", "h"):
        _children(scene, tag)


def _children(scene, tag: str) -> None:
    """One more of every child of side a's elevator, policy and maintenance record."""
    from django.core.files.base import ContentFile

    from insurance.models import Claim
    from maintenance.models import Attachment, Hazard, MaintenanceRecord
    from maintenance.services.rescues import rescue_record
    from maintenance.services.service_records import service_record_upsert
    from tests.elevators.factories import InspectionFactory

    a, orgs, today = scene.a, scene.world.orgs, timezone.localdate()
    elevator, earlier = a.elevator, timedelta(days=400 if tag == "g" else 800)
    InspectionFactory(elevator=elevator, inspected_on=today - earlier)
    Claim.objects.create(
        insurer=orgs["insurer_a"], claim_number=f"LP-{tag}", policy=a.objects["policy"], elevator=elevator,
        kind="trapping", incident_at=_alarm(), coverage_item="rescue", reported_on=today - timedelta(days=1),
    )  # fmt: skip
    service_record_upsert(
        insurer=orgs["insurer_a"],
        data={
            "service_number": f"FW-{tag}",
            "kind": "usage_monitoring",
            "performed_on": today - timedelta(days=3),
            "equipment_codes": [elevator.equipment_code],
        },
    )
    MaintenanceRecord.objects.create(
        company=orgs["maint"], elevator=elevator, record_number=f"WB-{tag}",
        performed_on=today - timedelta(days=6), level="half_monthly",
    )  # fmt: skip
    attachment = Attachment(record=a.objects["record"], content_type="image/jpeg", size=3, sha256="cd" * 32)
    attachment.file.save(f"az-{tag}.jpg", ContentFile(b"\xff\xd8\xff"), save=True)
    Hazard.objects.create(
        reporter=orgs["maint"], found_by="maintenance", description="层门变形", hazard_number=f"YH-{tag}",
        elevator=elevator, found_on=today - timedelta(days=5), severity="general",
        deadline=today + timedelta(days=10),
    )  # fmt: skip
    alarm = _alarm() - timedelta(hours=3 if tag == "g" else 6)
    rescue_record(
        user=scene.world.users["maint"],
        data={
            "rescue_number": f"JY-{tag}",
            "equipment_code": elevator.equipment_code,
            "alarm_at": alarm,
            "arrived_at": alarm + timedelta(minutes=20),
            "released_at": alarm + timedelta(minutes=45),
            "people_trapped": 1,
        },
    )


def _count(client, route, path: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)  # a streamed export runs its queries as it is read
    assert 200 <= response.status_code < 400, (path, response.status_code)
    if route.key in SHOW:
        print(f"--- {route.key} {path}", *(query["sql"] for query in captured), sep="\n")
    return len(captured)


def _walk(scene, clients) -> dict:
    return {(route.key, viewer): _count(clients[viewer, route.key.startswith("api:")], route, route.path(scene))
            for route, viewer in COUNTED if not SHOW or route.key in SHOW}  # fmt: skip


@pytest.fixture(scope="module")
def counts(scene, django_db_blocker):
    """{(URL name, viewer): (queries at N, queries at 3N)}, measured once for the module."""
    quiet = override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        TIBAO_2FA_REQUIRED_KINDS=[],
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), quiet:
        from rest_framework.settings import api_settings

        rates = api_settings.DEFAULT_THROTTLE_RATES
        saved = dict(rates)
        rates.update(dict.fromkeys(rates, "1000000/min"))
        # An API key notes when it was last used at most once a minute: not within the walks.
        keys_noted = mock.patch("accounts.authentication.LAST_USED_RESOLUTION", timedelta(days=365))
        try:
            keys_noted.start()
            viewers = {viewer for _route, viewer in COUNTED}
            clients = {
                (viewer, api): client_for(scene, viewer, api=api)
                for viewer in viewers
                for api in (False, True)
            }
            _walk(scene, clients)  # a first call fills what a process or a session keeps (content types, ...)
            before = _walk(scene, clients)
            _grow(scene)
            after = _walk(scene, clients)
        finally:
            keys_noted.stop()
            rates.clear()
            rates.update(saved)
    if RECORD:
        with open(RECORD, "w") as out:
            out.writelines(
                f"{key}\t{viewer}\t{before[key, viewer]}\t{after[key, viewer]}\n" for key, viewer in before
            )
    return {key: (before[key], after[key]) for key in before}


def test_every_counted_url_has_a_declared_bound():
    missing = sorted({route.key for route, _viewer in COUNTED} - set(QUERY_BOUNDS))
    assert not missing, f"declare the query bound of {missing} in QUERY_BOUNDS"
    stale = sorted(set(QUERY_BOUNDS) - {route.key for route, _viewer in COUNTED})
    assert not stale, f"QUERY_BOUNDS names no counted URL: {stale}"


@pytest.mark.parametrize("key", sorted({route.key for route, _viewer in COUNTED}))
def test_queries_do_not_grow_with_the_rows(counts, db, key):
    if RECORD:
        pytest.skip("recording")
    mine = {viewer: got for (name, viewer), got in counts.items() if name == key}
    grown = {viewer: f"{n} at N, {n3} at 3N" for viewer, (n, n3) in mine.items() if n != n3}
    assert key in BY_KIND or not grown, f"{key}: a query per row for {grown}"
    over = {viewer: max(n, n3) for viewer, (n, n3) in mine.items() if max(n, n3) > QUERY_BOUNDS.get(key, 0)}
    assert not over, f"{key}: more than its bound of {QUERY_BOUNDS.get(key)} queries for {over}"
