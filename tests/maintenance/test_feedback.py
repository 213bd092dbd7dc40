"""Passenger feedback from the public card: anyone, no login, nothing personal required, CSRF
protected, throttled per address and per elevator; regulators and the maintenance company read it;
complaints counted per maintenance company for its score."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from maintenance.models import PassengerFeedback
from maintenance.selectors.rescues import complaint_counts
from maintenance.services.feedback import FEEDBACK_PER_ADDRESS_PER_HOUR, feedback_submit
from tests.maintenance.conftest_rescues import make_cast
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    return make_cast()


def form_url(elevator):
    return f"/e/{elevator.equipment_code}/feedback/"


def post(client, elevator, address="10.0.0.1", **data):
    return client.post(form_url(elevator), {"rating": "satisfied", **data}, REMOTE_ADDR=address)


def test_the_card_links_to_the_form_and_the_form_needs_no_login(cast, client):
    card = client.get(f"/e/{cast.fan.equipment_code}/").content.decode()
    assert form_url(cast.fan) in card
    page = client.get(form_url(cast.fan))
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_anyone_rates_with_only_a_rating(cast, client):
    response = post(client, cast.fan)
    assert response.status_code == 200
    assert 'data-testid="feedback-thanks"' in response.content.decode()
    feedback = PassengerFeedback.objects.get()
    assert (feedback.elevator, feedback.rating, feedback.complaint, feedback.contact) == (
        cast.fan,
        "satisfied",
        "",
        "",
    )


def test_a_complaint_and_contact_are_optional_and_kept(cast, client):
    post(client, cast.fan, rating="dissatisfied", complaint="  门关得太快  ", contact="13800000000")
    feedback = PassengerFeedback.objects.get()
    assert (feedback.rating, feedback.complaint, feedback.contact) == (
        "dissatisfied",
        "门关得太快",
        "13800000000",
    )


def test_the_card_found_by_its_rescue_code_takes_feedback_too(cast, client):
    response = client.post(
        f"/e/{cast.xiang.rescue_code}/feedback/", {"rating": "so_so"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 200
    assert PassengerFeedback.objects.get().elevator == cast.xiang


@pytest.mark.parametrize(
    "data", [{"rating": ""}, {"rating": "great"}, {"rating": "so_so", "complaint": "长" * 1001}]
)
def test_a_bad_form_is_400_and_stores_nothing(cast, client, data):
    assert client.post(form_url(cast.fan), data, REMOTE_ADDR="10.0.0.1").status_code == 400
    assert PassengerFeedback.objects.count() == 0


def test_an_unknown_code_is_404(cast, client):
    assert client.post("/e/999999999999999999/feedback/", {"rating": "so_so"}).status_code == 404


def test_the_form_is_csrf_protected(cast):
    client = Client(enforce_csrf_checks=True)
    assert client.post(form_url(cast.fan), {"rating": "satisfied"}).status_code == 403
    client.get(form_url(cast.fan))
    token = client.cookies["csrftoken"].value
    response = client.post(form_url(cast.fan), {"rating": "satisfied", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert PassengerFeedback.objects.count() == 1


def test_five_an_hour_from_one_address_then_429(cast, client):
    for _ in range(FEEDBACK_PER_ADDRESS_PER_HOUR):
        assert post(client, cast.fan).status_code == 200
    refused = post(client, cast.xiang)  # any elevator: the limit is the address's
    assert refused.status_code == 429
    assert "每小时最多提交5次" in refused.content.decode()
    assert post(client, cast.fan, address="10.0.0.2").status_code == 200
    assert PassengerFeedback.objects.count() == FEEDBACK_PER_ADDRESS_PER_HOUR + 1


def test_one_elevator_has_a_ceiling_whatever_the_addresses(cast, monkeypatch):
    monkeypatch.setattr("maintenance.services.feedback.FEEDBACK_PER_ELEVATOR_PER_HOUR", 3)
    for n in range(3):
        feedback_submit(elevator=cast.fan, rating="so_so", address=f"10.1.0.{n}")
    from maintenance.services.feedback import FeedbackThrottled

    with pytest.raises(FeedbackThrottled):
        feedback_submit(elevator=cast.fan, rating="so_so", address="10.1.0.99")
    feedback_submit(elevator=cast.xiang, rating="so_so", address="10.1.0.99")
    assert PassengerFeedback.objects.count() == 4


def test_the_address_is_not_stored(cast, client):
    post(client, cast.fan, address="203.0.113.7")
    row = PassengerFeedback.objects.values().get()
    assert "203.0.113.7" not in str(row)


def seed(cast):
    feedback_submit(elevator=cast.fan, rating="dissatisfied", complaint="异响", address="a")
    feedback_submit(elevator=cast.fan, rating="satisfied", address="b")
    feedback_submit(elevator=cast.other, rating="dissatisfied", complaint="停梯", address="c")


@pytest.mark.parametrize(
    ("key", "rows"),
    [
        ("city", 3),
        ("district", 2),
        ("maint", 2),
        ("pm_fancheng", 2),
        ("insurer_a", 0),
        ("nfra", 0),
        ("housing", 0),
    ],
)
def test_who_sees_feedback(cast, key, rows):
    seed(cast)
    page = browser(cast.world, key).get("/feedback/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="feedback-row"') == rows


def test_the_list_filters_by_rating_complaint_and_elevator(cast):
    seed(cast)
    client = browser(cast.world, "city")
    count = lambda query: client.get("/feedback/", query).content.decode().count('data-testid="feedback-row"')  # noqa: E731
    assert count({"rating": "dissatisfied"}) == 2
    assert count({"has_complaint": "true"}) == 2
    assert count({"has_complaint": "false"}) == 1
    assert count({"equipment_code": cast.fan.equipment_code}) == 2
    assert count({"elevator": cast.other.pk}) == 1
    export = client.get("/feedback/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_complaint_counts_per_maintenance_company(cast):
    seed(cast)
    feedback_submit(elevator=cast.xiang, rating="so_so", complaint="按钮失灵", address="d")
    maint, other = cast.world.orgs["maint"].pk, cast.other.maintenance_company_id
    assert complaint_counts([maint, other]) == {maint: 2, other: 1}
    assert complaint_counts([maint]) == {maint: 2}
    assert complaint_counts([maint], since=timezone.localdate() + timedelta(days=1)) == {}
    assert complaint_counts([maint], since=timezone.localdate()) == {maint: 2}


def test_the_service_refuses_a_complaint_over_1000_characters(cast):
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        feedback_submit(elevator=cast.fan, rating="so_so", complaint="长" * 1001, address="e")
    assert refused.value.field == "complaint"
    assert PassengerFeedback.objects.count() == 0
