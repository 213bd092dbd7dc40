"""Registering a policy guides the property manager: the picker marks elevators out of scope or
insured under a model, a clash shows with the quote, and the insurer hears of the new policy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notice
from elevators.models import Elevator
from insurance.models import Policy
from tests.insurance import test_policy_views as policy_views
from tests.insurance.factories import policy, product_version
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db

REGISTER = "/policies/register/"
estate = policy_views.estate


def row_of(content: str, elevator) -> str:
    """The picker's table row of one elevator."""
    start = content.index(f'id="elevator-{elevator.pk}"')
    return content[start : content.index("</tr>", start)]


def terms(estate, elevators, start):
    return {
        "elevators": [e.pk for e in elevators],
        "product": estate["version"].product_id,
        "start_date": start.isoformat(),
        "funding_source": "self",
    }


def test_the_picker_marks_an_elevator_out_of_scope(world, estate):
    lapsed = estate["garden"][1]
    Elevator.objects.filter(pk=lapsed.pk).update(next_inspection_due=timezone.localdate() - timedelta(days=1))
    content = browser(world, "pm_fancheng").get(REGISTER).content.decode()
    assert 'data-out-of-scope="true"' in row_of(content, lapsed)
    assert 'data-out-of-scope="true"' not in row_of(content, estate["garden"][0])


def test_the_picker_names_the_model_an_elevator_is_insured_under(world, estate):
    insured = estate["garden"][0]
    policy(estate["version"], [insured], start=timezone.localdate())
    content = browser(world, "pm_fancheng").get(REGISTER).content.decode()
    row = row_of(content, insured)
    assert 'data-insured="true"' in row and "电梯安全责任险已投保至" in row
    assert 'data-insured="true"' not in row_of(content, estate["garden"][1])


def test_a_clash_is_shown_with_the_quote_and_confirm_is_not_offered(world, estate):
    insured, free = estate["garden"]
    existing = policy(estate["version"], [insured], start=timezone.localdate())
    client = browser(world, "pm_fancheng")
    start = timezone.localdate() + timedelta(days=30)
    page = client.post(REGISTER, {**terms(estate, [insured, free], start), "step": "quote"})
    content = page.content.decode()
    assert page.status_code == 200
    assert f"已由保单 {existing.number} 承保" in content  # the holder's own policy: named
    assert 'data-testid="confirm"' not in content and 'data-testid="drop-flagged"' in content
    assert page.context["remaining"] == [free.pk]


def test_another_model_is_no_clash(world, estate):
    insured = estate["garden"][0]
    policy(
        product_version(world.orgs["insurer_b"], model="insurance_maintenance"),
        [insured],
        start=timezone.localdate(),
    )
    page = browser(world, "pm_fancheng").post(
        REGISTER, {**terms(estate, [insured], timezone.localdate() + timedelta(days=1)), "step": "quote"}
    )
    assert 'data-testid="confirm"' in page.content.decode()


def test_the_insurer_gets_a_notice_when_a_property_manager_registers_with_it(world, estate):
    chosen = estate["garden"]
    client = browser(world, "pm_fancheng")
    response = client.post(
        REGISTER, {**terms(estate, chosen, timezone.localdate() + timedelta(days=1)), "step": "confirm"}
    )
    registered = Policy.objects.get()
    assert response.status_code == 302
    notice = Notice.objects.get(recipient_organisation=world.orgs["insurer_a"])
    assert registered.number in notice.subject and world.orgs["pm_fancheng"].name in notice.subject
    assert notice.link == f"/policies/{registered.pk}/"
    assert not Notice.objects.filter(recipient_organisation=world.orgs["insurer_b"]).exists()
    # the insurer sees it in its notices and may open the policy
    insurer = browser(world, "insurer_a")
    assert registered.number in insurer.get("/notices/").content.decode()
    assert insurer.get(notice.link).status_code == 200
