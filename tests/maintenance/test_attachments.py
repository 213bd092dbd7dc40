"""Attachments: the type read from the content (not the name), the size limit, the SHA-256, and a
download only for those who may see the owner (404 otherwise), always as a nosniff download."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.exceptions import ApplicationError
from maintenance.models import Attachment, ServiceElevator, ServiceRecord
from maintenance.services.attachments import attachment_add
from tests.maintenance.conftest_service_records import IN_COVER, cast  # noqa: F401
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 100
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def service(cast):  # noqa: F811
    record = ServiceRecord.objects.create(
        insurer=cast.world.orgs["insurer_a"],
        service_number="S-1",
        kind="usage_monitoring",
        performed_on=IN_COVER,
    )
    ServiceElevator.objects.create(service=record, elevator=cast.covered, policy=cast.policy_a)
    return record


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    # The browser's declared type is whatever it says: here always the one the name suggests.
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_suffix"),
    [
        ("car.jpg", JPEG, "image/jpeg", "car.jpg"),
        ("pit.PNG", PNG, "image/png", "pit.png"),
        ("report.pdf", PDF, "application/pdf", "report.pdf"),
        # A PDF named like a photo is kept as what it is: a PDF, served as one.
        ("photo.jpg", PDF, "application/pdf", "photo.pdf"),
    ],
)
def test_accepted_types_are_known_by_their_content(service, name, content, content_type, stored_suffix):
    attachment = attachment_add(owner=service, file=upload(name, content), spot="pit", moment="before")
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.file.name.endswith(stored_suffix)
    assert attachment.file.name.startswith(f"maintenance/service/{service.pk}/")
    assert (attachment.spot, attachment.moment) == ("pit", "before")


@pytest.mark.parametrize(("name", "content"), [("photo.jpg", HTML), ("setup.exe", EXE), ("car.jpg", EXE)])
def test_html_and_executables_are_refused_whatever_their_name(service, name, content):
    with pytest.raises(ApplicationError) as exc:
        attachment_add(owner=service, file=upload(name, content))
    assert exc.value.field == "file"
    assert str(exc.value.message) == "只接受JPEG、PNG图片或PDF文件（按文件内容判断，与文件名无关）。"
    assert Attachment.objects.count() == 0


def test_size_limit_is_the_setting_and_the_limit_itself_is_accepted(service, settings):
    settings.TIBAO = {**settings.TIBAO, "ATTACHMENT_MAX_BYTES": 1024 * 1024}
    exact = JPEG + b"\x00" * (1024 * 1024 - len(JPEG))
    assert attachment_add(owner=service, file=upload("a.jpg", exact)).size == 1024 * 1024
    with pytest.raises(ApplicationError) as exc:
        attachment_add(owner=service, file=upload("b.jpg", exact + b"\x00"))
    assert str(exc.value.message) == "文件超过1MB的大小限制。"
    assert Attachment.objects.count() == 1


def test_an_empty_file_is_refused(service):
    with pytest.raises(ApplicationError, match="文件为空"):
        attachment_add(owner=service, file=upload("a.jpg", b""))


def test_an_unknown_spot_is_refused(service):
    with pytest.raises(ApplicationError) as exc:
        attachment_add(owner=service, file=upload("a.jpg", JPEG), spot="roof")
    assert exc.value.field == "spot"


def test_download_is_an_attachment_with_its_checked_type_and_nosniff(cast, service):  # noqa: F811
    attachment = attachment_add(owner=service, file=upload("photo.jpg", PDF))
    url = reverse("maintenance-attachment-download", args=[attachment.pk])
    response = browser(cast.world, "insurer_a").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="photo.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("insurer_a", 200),  # its own service
        ("city", 200),
        ("district", 200),  # the elevator is in 樊城区
        ("pm_fancheng", 200),  # the elevator's user unit
        ("maint", 200),  # it maintains the elevator
        ("insurer_b", 404),  # another insurer's service
        ("pm_xiangcheng", 404),
        ("finance", 404),
    ],
)
def test_download_only_for_those_who_see_the_owner(cast, service, key, status):  # noqa: F811
    attachment = attachment_add(owner=service, file=upload("car.jpg", JPEG))
    url = reverse("maintenance-attachment-download", args=[attachment.pk])
    assert browser(cast.world, key).get(url).status_code == status


def test_anonymous_download_goes_to_the_login(service):
    attachment = attachment_add(owner=service, file=upload("car.jpg", JPEG))
    response = Client().get(reverse("maintenance-attachment-download", args=[attachment.pk]))
    assert response.status_code == 302


def test_a_chinese_file_name_is_kept_and_sent_encoded(cast, service):  # noqa: F811
    attachment = attachment_add(owner=service, file=upload("轿顶照片.jpg", JPEG))
    assert attachment.file.name.endswith("-轿顶照片.jpg")
    response = browser(cast.world, "insurer_a").get(
        reverse("maintenance-attachment-download", args=[attachment.pk])
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%BD%BF%E9%A1%B6%E7%85%A7%E7%89%87.jpg"
    )


def test_a_name_that_is_only_a_path_becomes_a_plain_name(service):
    attachment = attachment_add(owner=service, file=upload("../../etc/passwd.png", PNG))
    assert attachment.file.name.startswith(f"maintenance/service/{service.pk}/")
    assert attachment.file.name.endswith("-passwd.png")
