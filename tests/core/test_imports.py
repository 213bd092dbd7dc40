"""Importing in the browser: upload, dry run, per-row report, confirm, error report download."""

import io

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from core.models import ImportRun
from elevators.models import Elevator
from tests.elevators import files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("loaddata", "xiangyang", verbosity=0)


class CommittingClient(Client):
    """A test client whose requests run their on-commit callbacks (the queued import task)."""

    capture = None

    def post(self, *args, **kwargs):
        with self.capture(execute=True):
            return super().post(*args, **kwargs)


@pytest.fixture(autouse=True)
def _commit_callbacks(django_capture_on_commit_callbacks):
    CommittingClient.capture = staticmethod(django_capture_on_commit_callbacks)


def client_for(user) -> Client:
    client = CommittingClient()
    client.force_login(user)
    return client


def upload(client, content: bytes, *, dry_run=True, name="台账.xlsx"):
    data = {"file": SimpleUploadedFile(name, content), "category_scheme": "2014"}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/imports/new/registry/", data)


def test_dry_run_then_confirm(world):
    client = client_for(world.users["district"])
    response = upload(client, files.xlsx([files.row(), files.row(code="311042001201500124")]))
    checked = ImportRun.objects.get()
    assert response["Location"] == f"/imports/{checked.pk}/"
    assert checked.status == ImportRun.Status.CHECKED
    assert checked.summary["created"] == 2
    assert not Elevator.objects.exists()
    page = client.get(f"/imports/{checked.pk}/")
    assert "确认导入" in page.content.decode()

    confirmed = client.post(f"/imports/{checked.pk}/confirm/")
    real = ImportRun.objects.exclude(pk=checked.pk).get()
    assert confirmed["Location"] == f"/imports/{real.pk}/"
    assert (real.status, real.dry_run, real.checksum) == (ImportRun.Status.DONE, False, checked.checksum)
    assert Elevator.objects.count() == 2
    # the bulk write is audited by its job row, attributed to the user who confirmed it
    assert LogEntry.objects.get_for_object(real).filter(actor=world.users["district"]).exists()


def test_only_the_uploading_organisation_confirms_its_dry_run(world):
    upload(client_for(world.users["district"]), files.xlsx([files.row()]))
    checked = ImportRun.objects.get()
    city = client_for(world.users["city"])
    assert city.get(f"/imports/{checked.pk}/").status_code == 200  # the city regulator reads it
    assert city.post(f"/imports/{checked.pk}/confirm/").status_code == 403
    assert ImportRun.objects.count() == 1
    assert not Elevator.objects.exists()


def test_bad_rows_are_reported_and_downloadable_and_cannot_be_confirmed(world):
    client = client_for(world.users["city"])
    upload(client, files.xlsx([files.row(), files.row(code="311042001201500124", place="游乐园")]))
    run = ImportRun.objects.get()
    assert run.summary["refused"] == 1
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "游乐园" in page and "确认导入" not in page
    report = client.get(f"/imports/{run.pk}/errors.xlsx")
    assert report.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.values)
    assert rows[0][-1] == "错误原因" and rows[1][0] == "311042001201500124"
    client.post(f"/imports/{run.pk}/confirm/")
    assert ImportRun.objects.count() == 1


def test_real_run_with_a_bad_row_writes_nothing(world):
    client = client_for(world.users["city"])
    upload(client, files.xlsx([files.row(), files.row(code="1.1E+19")]), dry_run=False)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    assert not Elevator.objects.exists()


def test_unreadable_file_is_refused_with_a_reason(world):
    client = client_for(world.users["city"])
    upload(client, b"not a spreadsheet", name="台账.xlsx")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    assert run.message


def test_oversized_file_is_refused_before_it_is_stored(world, settings):
    settings.TIBAO = {**settings.TIBAO, "IMPORT_MAX_BYTES": 1024}
    response = upload(client_for(world.users["city"]), b"x" * 2048)
    assert response.status_code == 200
    assert "上限" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("viewer", ["insurer_a", "pm_fancheng", "housing", "nfra", "maint", "finance"])
def test_only_regulators_may_import(world, viewer):
    client = client_for(world.users[viewer])
    assert client.get("/imports/new/registry/").status_code == 403
    assert upload(client, files.xlsx([files.row()])).status_code == 403
    assert not ImportRun.objects.exists()


def test_an_import_is_seen_by_its_organisation_and_the_city_only(world):
    upload(client_for(world.users["district"]), files.xlsx([files.row()]))
    run = ImportRun.objects.get()
    assert client_for(world.users["city"]).get(f"/imports/{run.pk}/").status_code == 200
    assert client_for(world.users["pm_fancheng"]).get(f"/imports/{run.pk}/").status_code == 404
    assert client_for(world.users["insurer_a"]).post(f"/imports/{run.pk}/confirm/").status_code == 404


@pytest.mark.parametrize("value", ["1e30", "1000000000000", "-5", "abc", "1.234"])
def test_money_cells_refuse_what_cannot_be_an_amount(value):
    from core.tabular import RowRefused, cell_money

    with pytest.raises(RowRefused):
        cell_money({"premium": value}, "premium")


def test_money_cells_accept_yuan_with_separators():
    from decimal import Decimal

    from core.tabular import cell_money

    assert cell_money({"premium": "¥1,234.50元"}, "premium") == Decimal("1234.50")
    assert cell_money({"premium": 83.70000000000000284}, "premium") == Decimal("83.70")


def test_the_result_page_names_duplicate_rows(world):
    client = client_for(world.users["city"])
    upload(client, files.xlsx([files.row(address="旧地址"), files.row(address="新地址")]))
    page = client.get(f"/imports/{ImportRun.objects.get().pk}/").content.decode()
    assert "第4行与第5行设备代码相同（311042001201500123），以第5行为准" in page


def test_an_import_is_named_by_the_kind_its_app_registered():
    assert [ImportRun(kind=key).kind_label for key in ("registry", "policies", "claims")] == [
        "电梯台账",
        "保单清单",
        "理赔清单",
    ]
    assert ImportRun(kind="retired").kind_label == "retired"
