"""Maintenance companies scored and ranked (maintenance.selectors.companies, decision 0009), the
ranking page for regulators only, and the review queue (flagged, not yet reviewed)."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from maintenance.models import Hazard, PassengerFeedback, RecordFlag, RescueIncident
from maintenance.selectors.companies import company_scores
from tests.maintenance.conftest_records import maintained, stored, world  # noqa: F401
from tests.utils.clients import browser
from tests.utils.dates import today

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def hazard(elevator, number, found_by):
    return Hazard.objects.create(
        reporter=elevator.maintenance_company, hazard_number=number, elevator=elevator, found_on=today() - timedelta(days=5),
        found_by=found_by, severity="general", description="门锁触点烧蚀",
    )  # fmt: skip


def rescue(elevator, number, minutes):
    day = today()
    alarm = datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ) - timedelta(days=2)
    return RescueIncident.objects.create(
        reporter=elevator.maintenance_company, rescue_number=number, elevator=elevator, alarm_at=alarm,
        arrived_at=alarm + timedelta(minutes=minutes),
    )  # fmt: skip


@pytest.fixture
def cast(world):
    """maint: 4 elevators in use (2 on time, 1 overdue, 1 without records), 3 records of which 1
    flagged, 2 hazards by others and 1 of its own, rescues of 10 and 25 minutes, 1 complaint of 2
    feedbacks. maint_b: 1 elevator on time, nothing else."""
    a = [maintained(world) for _ in range(4)]
    b = maintained(world, maintenance_company=world.orgs["maint_b"])
    stored(a[0], today() - timedelta(days=1))
    flagged = stored(a[1], today() - timedelta(days=15))
    RecordFlag.objects.create(record=flagged, flag="no_evidence")
    stored(a[2], today() - timedelta(days=16))
    stored(b, today())
    hazard(a[0], "H-1", "inspection")
    hazard(a[1], "H-2", "public")
    hazard(a[2], "H-3", "maintenance")
    rescue(a[0], "R-1", 10)
    rescue(a[1], "R-2", 25)
    PassengerFeedback.objects.create(elevator=a[0], rating="dissatisfied", complaint="经常停梯")
    PassengerFeedback.objects.create(elevator=a[0], rating="satisfied")
    return world


def test_figures_of_each_company(cast):
    scores = {s.company.pk: s for s in company_scores(on=today())}
    a, b = scores[cast.orgs["maint"].pk], scores[cast.orgs["maint_b"].pk]
    assert (a.elevators, a.no_record, a.on_time, a.overdue) == (4, 1, 2, 1)
    assert a.on_time_rate == Decimal("0.6667")
    assert (a.records, a.flagged, a.flagged_share) == (3, 1, Decimal("0.3333"))
    assert (a.hazards_by_others, a.mean_arrival_minutes, a.complaints) == (2, Decimal("17.5"), 1)
    assert (b.on_time_rate, b.flagged_share, b.mean_arrival_minutes) == (
        Decimal("1.0000"),
        Decimal("0.0000"),
        None,
    )
    assert (b.rank, a.rank) == (1, 2)


def test_ranking_page_is_for_regulators(cast):
    page = browser(cast, "city").get("/maintenance/companies/ranking/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(cast.orgs["maint_b"].name) < html.index(cast.orgs["maint"].name)
    assert "67%" in html and "17.5" in html
    for viewer in ("maint", "insurer_a", "pm_fancheng"):
        assert browser(cast, viewer).get("/maintenance/companies/ranking/").status_code == 403


def test_review_queue_lists_flagged_records_until_reviewed(cast):
    client = browser(cast, "district")
    assert client.get("/maintenance/records/review/").content.decode().count('data-testid="record-row"') == 1
    flagged = RecordFlag.objects.get().record
    assert client.post(f"/maintenance/records/{flagged.pk}/", {"outcome": "accepted"}).status_code == 302
    assert 'data-testid="record-row"' not in client.get("/maintenance/records/review/").content.decode()
    assert browser(cast, "maint").get("/maintenance/records/review/").status_code == 200
    assert browser(cast, "pm_fancheng").get("/maintenance/records/review/").status_code == 403
