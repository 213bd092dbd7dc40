"""A long import shows its progress: rows read of the rows in the file and refusals so far, written
as the import goes, polled by its page as JSON; the user may leave and come back."""

import io

import pytest
from django.test import Client

from core import progress
from core.models import ImportRun
from core.progress import count_rows
from insurance.importing import claims as claims_import
from tests.insurance import test_claims_views as claims_views
from tests.insurance.test_claims_views import sheet_rows, upload, workbook
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db

world, media, uploader = claims_views.world, claims_views.media, claims_views.uploader


def test_the_import_writes_its_progress_chunk_by_chunk(world, uploader, monkeypatch):
    monkeypatch.setattr(claims_import, "CLAIMS_BATCH_MAX", 1)
    monkeypatch.setattr(progress, "PROGRESS_EVERY_SECONDS", 0)
    written = []
    write = progress.Reporter.write

    def recording(self, **values):
        written.append((values["rows_read"], values["rows_refused"]))
        write(self, **values)

    monkeypatch.setattr(progress.Reporter, "write", recording)
    upload(uploader, workbook(sheet_rows(world)), dry_run=False)
    run = ImportRun.objects.get()
    # four rows, one a chunk; rows 3 and 4 are refused (another insurer's policy, an unknown kind)
    assert written == [(1, 0), (2, 0), (3, 1), (4, 2)]
    assert (run.rows_total, run.rows_read, run.rows_refused) == (5, 4, 2)  # a title row above the header
    assert run.progress()["percent"] == 100 and run.progress()["is_finished"]


def test_the_progress_json_of_a_running_import(world):
    run = ImportRun.objects.create(
        kind="claims",
        filename="理赔.xlsx",
        checksum="0" * 64,
        status=ImportRun.Status.RUNNING,
        organisation=world.orgs["insurer_a"],
        rows_total=200,
        rows_read=50,
        rows_refused=3,
    )
    client = browser(world, "insurer_a")
    response = client.get(f"/imports/{run.pk}/progress.json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "running",
        "status_display": "处理中",
        "is_finished": False,
        "rows_total": 200,
        "rows_read": 50,
        "rows_refused": 3,
        "percent": 25,
    }
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert f'data-tb-progress="/imports/{run.pk}/progress.json"' in page
    assert "<script>" not in page and 'http-equiv="refresh"' in page  # only as a fallback without script
    listing = client.get("/imports/").content.decode()
    assert 'data-testid="import-row-progress"' in listing and "50 / 200" in listing


def test_another_organisations_import_progress_is_404(world):
    run = ImportRun.objects.create(
        kind="claims", filename="x.xlsx", checksum="0" * 64, organisation=world.orgs["insurer_a"]
    )
    assert browser(world, "insurer_b").get(f"/imports/{run.pk}/progress.json").status_code == 404
    assert Client().get(f"/imports/{run.pk}/progress.json").status_code == 302  # to the login page


def test_rows_in_the_file_are_counted_for_xlsx_and_csv():
    content = workbook([["a"], [None], ["b"]])  # a title row, the header, two data rows, one blank row
    assert count_rows(io.BytesIO(content), filename="x.xlsx") == 3
    assert count_rows(io.BytesIO("编号,名称\r\n1,甲\r\n\r\n2,乙\r\n".encode()), filename="x.csv") == 2
    assert count_rows(io.BytesIO(b""), filename="x.pdf") is None


def test_a_percent_needs_a_total():
    run = ImportRun(status=ImportRun.Status.RUNNING, rows_read=10)
    assert run.progress_percent is None
    run.rows_total = 40
    assert run.progress_percent == 25
