"""In-app notices with e-mail to the organisation's contacts, sent by a Celery task after commit."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Contact, Notice
from accounts.services import notice_email_deliver, notice_send
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    organisation = OrganisationFactory(kind="insurer")
    Contact.objects.create(organisation=organisation, name="张三", email="zhang@insurer.example.cn")
    Contact.objects.create(organisation=organisation, name="李四", email="li@insurer.example.cn")
    Contact.objects.create(
        organisation=organisation, name="王五", email="wang@insurer.example.cn", receives_notices=False
    )
    return organisation


def test_notice_is_emailed_to_contacts_only_after_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = notice_send(
            organisation=org, subject="保单即将到期", body="3 台电梯的保单将于30天内到期。", link="/x/"
        )
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "保单即将到期"
    assert sorted(message.to) == ["li@insurer.example.cn", "zhang@insurer.example.cn"]
    assert "/x/" in message.body
    notice.refresh_from_db()
    assert notice.emailed_at is not None


def test_email_goes_out_once(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(organisation=org, subject="s")
    assert notice_email_deliver(notice_id=notice.pk) is False
    assert len(mail.outbox) == 1


def test_notice_to_one_user_is_emailed_to_that_user(org, django_capture_on_commit_callbacks):
    user = UserFactory(organisation=org, email="me@insurer.example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(organisation=org, user=user, subject="s")
    assert mail.outbox[0].to == ["me@insurer.example.cn"]


def test_no_contacts_means_in_app_only(django_capture_on_commit_callbacks):
    lonely = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(organisation=lonely, subject="s")
    assert mail.outbox == []
    assert Notice.objects.get(pk=notice.pk).emailed_at is None


def test_bell_counts_unread_and_marking_read_clears_it(org):
    user = UserFactory(organisation=org)
    first = notice_send(organisation=org, subject="一", email=False)
    notice_send(organisation=org, subject="二", email=False)
    notice_send(organisation=OrganisationFactory(), subject="别人的", email=False)
    client = Client()
    client.force_login(user)
    assert client.get("/").context["unread_notice_count"] == 2

    client.post("/notices/mark-read/", {"notice": [first.pk]})
    assert client.get("/").context["unread_notice_count"] == 1
    client.post("/notices/mark-read/")  # nothing selected: nothing changes
    assert client.get("/").context["unread_notice_count"] == 1
    client.post("/notices/mark-read/", {"all": "1"})
    assert client.get("/").context["unread_notice_count"] == 0


def test_one_cannot_mark_another_organisations_notice(org):
    foreign = notice_send(organisation=OrganisationFactory(), subject="别人的", email=False)
    client = Client()
    client.force_login(UserFactory(organisation=org))
    client.post("/notices/mark-read/", {"notice": [foreign.pk]})
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_notice_list_shows_only_own_notices(org):
    notice_send(organisation=org, subject="我的通知", email=False)
    notice_send(organisation=OrganisationFactory(), subject="别人的通知", email=False)
    client = Client()
    client.force_login(UserFactory(organisation=org))
    page = client.get("/notices/")
    assert [n.subject for n in page.context["object_list"]] == ["我的通知"]


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x", "javascript:alert(1)"])
def test_mark_read_never_redirects_off_site(org, target):
    client = Client()
    client.force_login(UserFactory(organisation=org))
    response = client.post("/notices/mark-read/", {"all": "1", "next": target})
    assert response["Location"] == "/notices/"
    assert (
        client.post("/notices/mark-read/", {"all": "1", "next": "/elevators/"})["Location"] == "/elevators/"
    )


def test_odd_notice_ids_are_ignored_not_a_crash(org):
    client = Client()
    client.force_login(UserFactory(organisation=org))
    response = client.post("/notices/mark-read/", {"notice": ["²", "9" * 30, "abc"]})
    assert response.status_code == 302
