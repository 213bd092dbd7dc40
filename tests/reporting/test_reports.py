"""The monthly Excel reports: what each department's file holds, one run per month and
department, replacement on a re-run, and retries that leave no half-written file."""

from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Contact, Department, District
from core.principal import SYSTEM
from reporting import services
from reporting.models import ReportRun, ReportStatus
from reporting.reports.data import report_data
from reporting.selectors import coverage_by
from reporting.services import (
    month_approve,
    month_freeze,
    month_publish,
    report_generate,
    reports_request,
    target_set,
)
from reporting.tasks import generate_report

from .conftest import LAST_MONTH, ON

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(world, registry):
    target_set(user=SYSTEM, due_on=ON, rate="0.6")
    month, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    return month


def build(frozen, department):
    [run] = reports_request(user=SYSTEM, frozen_month=frozen, departments=[department], enqueue=False)
    return report_generate(report_run_id=run.pk)


def workbook(run):
    with run.file.open("rb") as handle:
        return openpyxl.load_workbook(handle)


def summary(book) -> dict:
    sheet = book["汇总"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=4, max_row=11, max_col=2, values_only=True)}


def table(sheet, header_row=1):
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    header, body = rows[0], rows[1:]
    return [dict(zip(header, row, strict=False)) for row in body]


@pytest.mark.parametrize(
    "department,user_key",
    [(Department.HOUSING, "housing"), (Department.FINANCE, "finance"), (Department.SAMR, "city")],
)
def test_each_department_file_holds_its_sector_as_coverage_by_counts_it(
    world, frozen, media, department, user_key
):
    run = build(frozen, department)
    assert run.status == ReportStatus.DONE and len(run.checksum) == 64 and run.size > 0
    book = workbook(run)
    live = coverage_by(user=world.users[user_key], on=ON, by="district")
    figures = summary(book)
    assert figures["应投保电梯（台）"] == live.total.in_scope
    assert figures["已投保电梯（台）"] == live.total.insured
    assert Decimal(str(figures["投保率"])) == live.total.rate
    assert figures["目标投保率"] == 0.6
    by_district = {r["代码"]: (r["应投保电梯（台）"], r["已投保电梯（台）"]) for r in table(book["按区县"])}
    assert by_district == {
        **{r.key: (r.in_scope, r.insured) for r in live.rows},
        "total": (live.total.in_scope, live.total.insured),
    }
    uninsured = table(book["未投保清单"], header_row=2)
    assert len(uninsured) == live.total.uninsured
    assert ("按保险机构" in book.sheetnames) is (department == Department.NFRA)
    assert ("财政投保保单" in book.sheetnames) is (department == Department.FINANCE)


def test_the_sheets_are_formatted_and_user_text_never_becomes_a_formula(world, frozen, media):
    book = workbook(build(frozen, Department.HOUSING))
    work = book["未投保清单"]
    assert work.freeze_panes == "A3" and work.auto_filter.ref.startswith("A2:")
    cells = [c for row in work.iter_rows(min_row=3) for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert book["按区县"]["F2"].number_format == "0.00%"
    assert book["汇总"]._charts or book["汇总"].max_row > 10  # openpyxl drops charts on reading
    nfra = workbook(build(frozen, Department.NFRA))
    insurers = table(nfra["按保险机构"])
    assert {r["统一社会信用代码"] for r in insurers} == {
        world.orgs["insurer_a"].credit_code,
        world.orgs["insurer_b"].credit_code,
    }
    finance = workbook(build(frozen, Department.FINANCE))
    assert len(table(finance["财政投保保单"])) == 1


def sheets(run) -> dict:
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook(run).worksheets}


def test_departments_of_one_scope_are_built_together_as_each_alone(world, frozen, media):
    """SAMR and NFRA read the city: one batch (one task) writes both workbooks from one read of
    the work list, and each holds what it holds when built alone."""
    runs = reports_request(user=SYSTEM, frozen_month=frozen, enqueue=False)
    batches = services.report_batches(runs)
    by_pk = {run.pk: run.department for run in runs}
    assert len(batches) == 7
    # the largest first: the city's work list (its uninsured elevators) for two reports
    pair = batches[0]
    assert {by_pk[pk] for pk in pair} == {Department.SAMR, Department.NFRA}
    assert [len(batch) for batch in batches[1:]] == [1] * 6
    together = services.reports_generate(report_run_ids=pair)
    assert [run.status for run in together] == [ReportStatus.DONE] * 2
    both = {run.department: sheets(run) for run in together}
    assert "按保险机构" in both[Department.NFRA] and "按保险机构" not in both[Department.SAMR]
    for department in (Department.SAMR, Department.NFRA):
        alone = build(frozen, department)
        assert sheets(alone) == both[department], department
    # a batch already done is left alone
    assert [r.checksum for r in services.reports_generate(report_run_ids=pair)] == [
        ReportRun.objects.get(pk=pk).checksum for pk in sorted(pair, key=by_pk.get)
    ]


def test_a_rerun_replaces_the_report_in_place(world, frozen, media, django_capture_on_commit_callbacks):
    first = build(frozen, Department.HOUSING)
    old_name = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        second = build(frozen, Department.HOUSING)
    assert second.pk == first.pk and ReportRun.objects.count() == 1
    assert second.file.name != old_name and second.file.storage.exists(second.file.name)
    assert not second.file.storage.exists(old_name)  # removed once the new one was in place
    # a run already done is left alone by the task
    assert report_generate(report_run_id=second.pk).file.name == second.file.name


def test_a_failed_build_leaves_the_last_good_file_and_is_retried(world, frozen, media, monkeypatch):
    good = build(frozen, Department.HOUSING)
    [run] = reports_request(user=SYSTEM, frozen_month=frozen, departments=[Department.HOUSING], enqueue=False)
    import reporting.reports as reports

    real_build, calls = reports.build_report, []

    def flaky(data, path):
        calls.append(path)
        if len(calls) == 1:
            with open(path, "wb") as handle:
                handle.write(b"half a workbook")
            raise OSError("disk full")
        real_build(data, path)

    monkeypatch.setattr(reports, "build_report", flaky)
    with pytest.raises(OSError):
        report_generate(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.file.name, run.checksum) == (ReportStatus.FAILED, good.file.name, good.checksum)
    assert "disk full" in run.message
    files = [p.name for p in (media / "reports").rglob("*.xlsx")]
    assert files == [good.file.name.rsplit("/", 1)[-1]]  # nothing half-written was stored
    generate_report.delay(run.pk)  # the task retries (in-process here: at once)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ReportStatus.DONE, 2)
    assert run.file.name != good.file.name


def test_publishing_builds_the_eight_reports_and_mails_each_department(
    world, frozen, media, django_capture_on_commit_callbacks
):
    Contact.objects.create(organisation=world.orgs["housing"], name="住建联系人", email="h@zj.example.cn")
    month_approve(user=SYSTEM, frozen_month=frozen)
    with django_capture_on_commit_callbacks(execute=True):
        month_publish(user=SYSTEM, frozen_month=frozen)
    runs = ReportRun.objects.filter(frozen_month=frozen)
    assert sorted(runs.values_list("department", flat=True)) == sorted(Department.values)
    assert set(runs.values_list("status", flat=True)) == {ReportStatus.DONE}
    [message] = mail.outbox
    assert message.to == ["h@zj.example.cn"] and message.attachments[0][0].endswith("-HOUSING.xlsx")
    assert runs.get(department=Department.HOUSING).emailed_at is not None


def test_departments_see_their_own_reports_of_published_months(world, frozen, media):
    reports_request(user=SYSTEM, frozen_month=frozen, enqueue=False)
    housing = world.users["housing"]
    assert not ReportRun.objects.visible_to(housing).exists()  # a draft month
    month_approve(user=SYSTEM, frozen_month=frozen)
    month_publish(user=SYSTEM, frozen_month=frozen)
    assert list(ReportRun.objects.visible_to(housing).values_list("department", flat=True)) == ["HOUSING"]
    assert ReportRun.objects.visible_to(world.users["city"]).count() == 8
    assert not ReportRun.objects.visible_to(world.users["insurer_a"]).exists()
    assert services  # the module under test


def test_the_work_list_is_read_one_district_at_a_time_in_the_sheets_order(world, frozen, registry):
    """One query per district, in district order, so a worker holds one district's rows at a time;
    the rows are those of one query ordered by district, place category and equipment code."""
    data = report_data(frozen_month=frozen, department=Department.SAMR)
    with CaptureQueriesContext(connection) as queries:
        rows = list(data.work_list)
    open_ones = [registry[key] for key in ("fan_open_1", "fan_open_2", "xiang_open")]
    expected = sorted(open_ones, key=lambda e: (e.district_id, e.place_category_id, e.equipment_code))
    assert [row[0] for row in rows] == [e.equipment_code for e in expected]
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "elevators_elevator"' in q["sql"]]
    assert len(reads) == District.objects.count() == 2  # the world's two districts
