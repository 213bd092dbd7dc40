"""GET /api/v1/notices/ and POST /api/v1/notices/{id}/mark-read/: the caller's in-app notices only.

A notice addressed to an organisation is seen by every user of it and by its API keys; a notice
addressed to one user is that user's alone. Anyone else's notice is a 404, for reading and marking.
"""

import pytest
from django.utils import timezone

from accounts.models import Notice
from tests.factories import NoticeFactory, UserFactory
from tests.utils.api import ReadEndpointTests, Scene, listed_ids, pks
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

NOTICES = "/api/v1/notices/"


def mark_read(client, notice):
    return client.post(f"{NOTICES}{notice.pk}/mark-read/")


@pytest.fixture
def notices(world):
    """Two unread notices and a read one for pm_fancheng, one for pm_xiangcheng, one for a colleague
    of pm_fancheng's user and one for that user alone."""
    own, other = world.orgs["pm_fancheng"], world.orgs["pm_xiangcheng"]
    colleague = UserFactory(organisation=own)
    return {
        "unread": NoticeFactory.create_batch(2, recipient_organisation=own, subject="保单即将到期"),
        "read": NoticeFactory(recipient_organisation=own, read_at=timezone.now()),
        "other": NoticeFactory(recipient_organisation=other),
        "colleagues": NoticeFactory(recipient_organisation=own, recipient_user=colleague),
        "mine": NoticeFactory(recipient_organisation=own, recipient_user=world.users["pm_fancheng"]),
    }


class TestNoticesEndpoint(ReadEndpointTests):
    url = NOTICES
    viewer = "pm_fancheng"
    anonymous_calls = ("GET ", "GET {pk}/", "POST {pk}/mark-read/")

    @pytest.fixture
    def scene(self, world):
        own = world.orgs["pm_fancheng"]
        unread = NoticeFactory.create_batch(2, recipient_organisation=own)
        read = NoticeFactory(recipient_organisation=own, read_at=timezone.now())
        return Scene(
            visible=[*unread, read],
            hidden=NoticeFactory(recipient_organisation=world.orgs["pm_xiangcheng"]),
            filters=[({"unread": "true"}, unread), ({"unread": "false"}, [read])],
        )

    def make_visible(self, world, count):
        return NoticeFactory.create_batch(count, recipient_organisation=world.orgs["pm_fancheng"])


def test_a_user_sees_its_organisations_notices_and_its_own_not_a_colleagues(world, notices):
    expected = [*notices["unread"], notices["read"], notices["mine"]]
    assert listed_ids(session(world, "pm_fancheng").get(NOTICES)) == pks(expected)


def test_an_api_key_sees_the_notices_addressed_to_its_organisation(world, notices):
    expected = [*notices["unread"], notices["read"]]
    assert listed_ids(with_key(world, "pm_fancheng").get(NOTICES)) == pks(expected)


def test_the_list_shows_what_a_notice_says(world, notices):
    notice = notices["unread"][0]
    row = session(world, "pm_fancheng").get(f"{NOTICES}{notice.pk}/").json()
    assert row == {
        "id": notice.pk,
        "subject": "保单即将到期",
        "body": "",
        "link": "",
        "created_at": row["created_at"],
        "read_at": None,
        "is_read": False,
    }


@pytest.mark.parametrize("auth", ["key", "session"])
def test_marking_a_notice_read(world, notices, auth):
    client = (with_key if auth == "key" else session)(world, "pm_fancheng")
    notice = notices["unread"][0]
    response = mark_read(client, notice)
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["is_read"]) == (notice.pk, True)
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert response.json()["read_at"] is not None
    # only that one
    assert Notice.objects.filter(read_at__isnull=True).count() == 4


def test_marking_a_read_notice_again_keeps_when_it_was_read(world, notices):
    notice = notices["read"]
    response = mark_read(session(world, "pm_fancheng"), notice)
    assert response.status_code == 200
    assert Notice.objects.get(pk=notice.pk).read_at == notice.read_at


@pytest.mark.parametrize("auth", ["key", "session"])
@pytest.mark.parametrize("whose", ["other", "colleagues"])
def test_someone_elses_notice_is_404_to_read_and_to_mark(world, notices, auth, whose):
    client = (with_key if auth == "key" else session)(world, "pm_fancheng")
    notice = notices[whose]
    assert client.get(f"{NOTICES}{notice.pk}/").status_code == 404
    assert mark_read(client, notice).status_code == 404
    assert Notice.objects.get(pk=notice.pk).read_at is None


def test_a_users_own_notice_is_not_the_organisations_api_keys(world, notices):
    client = with_key(world, "pm_fancheng")
    assert mark_read(client, notices["mine"]).status_code == 404
    assert Notice.objects.get(pk=notices["mine"].pk).read_at is None
