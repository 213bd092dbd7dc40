"""The services pages: list (visibility, filters, export), detail (elevators with policies,
attachments), the insurer's form picking from the elevators it covers, the timeline, navigation,
and service_figures."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.navigation import navigation_for
from maintenance.models import Attachment, ServiceRecord
from maintenance.selectors.service_records import service_figures
from tests.maintenance.conftest_service_records import IN_COVER, cast, service_of  # noqa: F401
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"0" * 40


@pytest.fixture
def services(cast):  # noqa: F811
    return {
        "A-1": service_of(cast, "A-1", findings="门锁"),
        "A-2": service_of(cast, "A-2", kind="maintenance_quality", quality_score=88),
        "B-1": service_of(cast, "B-1", insurer="insurer_b"),
    }


def form_data(cast, **fields):  # noqa: F811
    return {
        "service_number": "F-1",
        "kind": "usage_monitoring",
        "performed_on": IN_COVER.isoformat(),
        "elevators": [cast.covered.pk],
        **fields,
    }


def listed(response) -> list[str]:
    assert response.status_code == 200
    html = response.content.decode()
    return sorted(n for n in ("A-1", "A-2", "B-1") if f">{n}</a>" in html)


@pytest.mark.parametrize(
    ("key", "sees"),
    [
        ("insurer_a", ["A-1", "A-2"]),
        ("insurer_b", ["B-1"]),
        ("maint", ["A-1", "A-2", "B-1"]),
        ("pm_xiangcheng", []),
    ],
)
def test_the_list_shows_what_each_kind_sees(cast, services, key, sees):  # noqa: F811
    assert listed(browser(cast.world, key).get(reverse("service-list"))) == sees


def test_filters_and_search(cast, services):  # noqa: F811
    client = browser(cast.world, "insurer_a")
    assert listed(client.get(reverse("service-list"), {"kind": "maintenance_quality"})) == ["A-2"]
    assert listed(client.get(reverse("service-list"), {"q": "门锁"})) == ["A-1"]
    assert listed(client.get(reverse("service-list"), {"ordering": "-service_number"})) == ["A-1", "A-2"]


def test_export_lists_the_same_rows(cast, services):  # noqa: F811
    response = browser(cast.world, "insurer_a").get(
        reverse("service-export"), {"kind": "maintenance_quality"}
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("服务编号", "保险机构", "服务类型", "服务日期")
    assert [(row[0], row[4], row[5], row[7]) for row in rows[1:]] == [
        ("A-2", cast.covered.equipment_code, cast.policy_a.number, 88)
    ]


def test_detail_shows_elevators_with_policies_and_attachments(cast, services, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    from maintenance.services.attachments import attachment_add

    attachment_add(owner=services["A-1"], file=SimpleUploadedFile("r.pdf", PDF))
    response = browser(cast.world, "pm_fancheng").get(reverse("service-detail", args=[services["A-1"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert cast.policy_a.number in html and cast.covered.equipment_code in html
    assert html.count('data-testid="service-attachment"') == 1
    assert (
        browser(cast.world, "insurer_b").get(reverse("service-detail", args=[services["A-1"].pk])).status_code
        == 404
    )


def test_the_form_offers_only_elevators_the_insurer_covers_under_insurance_maintenance(cast):  # noqa: F811
    response = browser(cast.world, "insurer_a").get(reverse("service-new"))
    assert response.status_code == 200
    offered = list(response.context["form"].fields["elevators"].queryset)
    assert offered == [cast.covered]


@pytest.mark.parametrize("key", ["maint", "city", "pm_fancheng"])
def test_only_insurers_open_the_form(cast, key):  # noqa: F811
    assert browser(cast.world, key).get(reverse("service-new")).status_code == 403


def test_the_form_records_a_service_with_an_attachment(cast, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    data = form_data(
        cast, kind="maintenance_quality", quality_score="75", attachment=SimpleUploadedFile("photo.pdf", PDF)
    )
    response = browser(cast.world, "insurer_a").post(reverse("service-new"), data)
    service = ServiceRecord.objects.get(service_number="F-1")
    assert response.status_code == 302 and response["Location"] == reverse(
        "service-detail", args=[service.pk]
    )
    assert (service.quality_score, service.maintenance_company, Attachment.objects.get().service) == (
        75,
        cast.world.orgs["maint"],
        service,
    )


def test_the_form_shows_a_refusal_and_stores_nothing(cast, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    after_the_cover = "2027-02-01"
    data = form_data(cast, performed_on=after_the_cover, attachment=SimpleUploadedFile("photo.pdf", PDF))
    response = browser(cast.world, "insurer_a").post(reverse("service-new"), data)
    assert response.status_code == 200
    assert cast.covered.equipment_code in str(response.context["form"].errors["elevators"])
    assert ServiceRecord.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_bad_attachment_refuses_the_whole_form(cast, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    data = form_data(cast, attachment=SimpleUploadedFile("photo.jpg", b"<html>"))
    response = browser(cast.world, "insurer_a").post(reverse("service-new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["attachment"] == [
        "只接受JPEG、PNG图片或PDF文件（按文件内容判断，与文件名无关）。"
    ]
    assert ServiceRecord.objects.count() == 0


def test_services_on_the_elevator_timeline_for_those_who_see_them(cast, services):  # noqa: F811
    url = reverse("elevator-detail", args=[cast.covered.pk])
    kinds = [e.kind for e in browser(cast.world, "pm_fancheng").get(url).context["timeline"]]
    assert kinds.count("service") == 2


def test_navigation(cast):  # noqa: F811
    def names(key):
        return [item["url_name"] for item in navigation_for(cast.world.users[key])]

    assert "service-list" in names("insurer_a") and "service-list" in names("maint")
    assert "service-list" not in names("finance")


def test_service_figures_by_insurer_and_kind(cast, services):  # noqa: F811
    service_of(cast, "A-3", performed_on=date(2026, 8, 1))
    figures = service_figures(user=cast.world.users["city"], start=date(2026, 1, 1), end=date(2026, 6, 30))
    by = {(f["insurer_id"], f["kind"]): (f["services"], f["elevators"]) for f in figures}
    a, b = cast.world.orgs["insurer_a"].pk, cast.world.orgs["insurer_b"].pk
    assert by == {
        (a, "usage_monitoring"): (1, 1),
        (a, "maintenance_quality"): (1, 1),
        (b, "usage_monitoring"): (1, 1),
    }
    own = service_figures(user=cast.world.users["insurer_b"], start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert [(f["insurer_id"], f["services"]) for f in own] == [(b, 1)]
