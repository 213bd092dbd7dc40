"""Pure builders of the monthly report: ReportData in, an .xlsx file out (on the workbook of
reporting.reports.workbook: XlsxWriter in constant-memory mode, rows streamed in order). No
database access happens here beyond iterating the rows `report_data` prepared.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..selectors import CoverageFigure
from .data import ReportData
from .maintenance import maintenance_sheet
from .workbook import Book, Column, Sheet, tables

FIGURE_COLUMNS = (
    Column(gettext_lazy("代码")),
    Column(gettext_lazy("名称")),
    Column(gettext_lazy("应投保电梯（台）"), "int"),
    Column(gettext_lazy("已投保电梯（台）"), "int"),
    Column(gettext_lazy("未投保电梯（台）"), "int"),
    Column(gettext_lazy("投保率"), "percent"),
)


def _figure_rows(figures: Iterable[CoverageFigure]):
    for f in figures:
        yield (f.key, f.label, f.in_scope, f.insured, f.uninsured, f.rate)


def _change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None:
        return None
    return current - previous


def summary_sheet(book: Book, data: ReportData) -> None:
    """Title, the month's figures beside the target and last month, and a chart of the trend."""
    sheet = book.sheet(_("汇总"))
    sheet.text(
        0,
        _("%(month)s 电梯安全责任保险投保情况（%(department)s）")
        % {"month": f"{data.month:%Y-%m}", "department": data.department_label},
        book.formats["title"],
    )
    sheet.row += 1
    sheet.note(
        _("统计范围：%(scope)s；统计日：%(on)s；数据状态：%(status)s；计算时间：%(at)s。")
        % {
            "scope": data.scope_label,
            "on": data.on.isoformat(),
            "status": data.status_label,
            "at": timezone.localtime(data.frozen_at).strftime("%Y-%m-%d %H:%M"),
        }
    )
    total, previous = data.coverage.total, data.previous.total if data.previous else None
    rows = [
        (_("应投保电梯（台）"), total.in_scope, "int"),
        (_("已投保电梯（台）"), total.insured, "int"),
        (_("未投保电梯（台）"), total.uninsured, "int"),
        (_("投保率"), total.rate, "percent"),
        (_("目标投保率"), data.target, "percent"),
        (_("与目标差距"), _change(total.rate, data.target), "percent"),
        (_("上月投保率"), previous.rate if previous else None, "percent"),
        (_("环比变化"), _change(total.rate, previous.rate if previous else None), "percent"),
    ]
    sheet.text(0, _("指标"), book.formats["header"])
    sheet.text(1, _("数值"), book.formats["header"])
    sheet.worksheet.freeze_panes(sheet.row + 1, 0)
    sheet.row += 1
    for label, value, kind in rows:
        sheet.text(0, label)
        sheet.value(1, value, kind)
        sheet.row += 1
    sheet.row += 1
    trend_first = sheet.row + 1
    sheet.table(
        (Column(_("月份")), Column(_("投保率"), "percent"), Column(_("目标投保率"), "percent")),
        data.trend,
        freeze=False,
    )
    trend_last = sheet.row - 1
    if data.trend:
        _trend_chart(book, sheet, trend_first, trend_last)


def _trend_chart(book: Book, sheet: Sheet, first: int, last: int) -> None:
    name = sheet.worksheet.name
    chart = book.workbook.add_chart({"type": "line"})
    chart.add_series(
        {
            "name": _("投保率"),
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 1, last, 1],
            "marker": {"type": "circle"},
        }
    )
    chart.add_series(
        {
            "name": _("目标投保率"),
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 2, last, 2],
            "line": {"dash_type": "dash"},
        }
    )
    chart.set_title({"name": _("月度投保率与目标")})
    chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
    chart.set_legend({"position": "bottom"})
    sheet.worksheet.insert_chart(1, 3, chart, {"x_scale": 1.4, "y_scale": 1.2})


def figures_sheet(book: Book, title: str, figures: list[CoverageFigure], total: CoverageFigure) -> None:
    sheet = book.sheet(title)
    sheet.table(FIGURE_COLUMNS, [*_figure_rows(figures), *_figure_rows([total])])


WORK_LIST_COLUMNS = (
    Column(gettext_lazy("设备代码")),
    Column(gettext_lazy("使用登记证编号")),
    Column(gettext_lazy("区县")),
    Column(gettext_lazy("场所类别")),
    Column(gettext_lazy("楼盘/场所名称")),
    Column(gettext_lazy("使用地点")),
    Column(gettext_lazy("使用单位")),
    Column(gettext_lazy("使用单位电话")),
    Column(gettext_lazy("产权单位")),
    Column(gettext_lazy("情况")),
    Column(gettext_lazy("上一保单止期"), "date"),
)


def _work_rows(rows):
    lapsed, never = _("脱保"), _("从未投保")
    for row in rows:
        yield (*row[:9], lapsed if row[9] else never, row[9])


POLICY_COLUMNS = (
    Column(gettext_lazy("保单号")),
    Column(gettext_lazy("保险机构")),
    Column(gettext_lazy("投保人")),
    Column(gettext_lazy("投保模式")),
    Column(gettext_lazy("保险起期"), "date"),
    Column(gettext_lazy("保险止期"), "date"),
    Column(gettext_lazy("电梯数（台）"), "int"),
    Column(gettext_lazy("总保费（元）"), "money"),
)
CLAIM_COLUMNS = (
    Column(gettext_lazy("状态")),
    Column(gettext_lazy("件数"), "int"),
    Column(gettext_lazy("索赔金额（元）"), "money"),
    Column(gettext_lazy("已赔金额（元）"), "money"),
)
INSURER_COLUMNS = (
    Column(gettext_lazy("统一社会信用代码")),
    Column(gettext_lazy("保险机构")),
    Column(gettext_lazy("承保电梯（台）"), "int"),
    Column(gettext_lazy("占应投保比例"), "percent"),
    Column(gettext_lazy("有效保单（件）"), "int"),
    Column(gettext_lazy("保费（元）"), "money"),
)


def _with_total(rows: list[tuple], label: str) -> list[tuple]:
    if not rows:
        return rows
    return [*rows, (label, sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows))]


def build_report(data: ReportData, path: str) -> None:
    """Write `data` as the department's monthly workbook at `path`."""
    build_reports([(data, path)])


def build_reports(reports: Sequence[tuple[ReportData, str]]) -> None:
    """Write the monthly workbooks of departments that share one scope (SAMR and NFRA read the
    city's), each at its path: the rows they share (the work list, the policies ending next
    month) are read once and written to every workbook side by side."""
    books = [Book(path) for _data, path in reports]
    datas = [data for data, _path in reports]
    shared = datas[0]
    if any(data.scope_label != shared.scope_label or data.on != shared.on for data in datas):
        raise ValueError("build_reports: the reports must be of one scope and month")
    for book, data in zip(books, datas, strict=True):
        summary_sheet(book, data)
        total = data.coverage.total
        figures_sheet(book, _("按区县"), data.coverage.by("district"), total)
        figures_sheet(book, _("按场所类别"), data.coverage.by("place_category"), total)
    work = [book.sheet(_("未投保清单")) for book in books]
    for sheet in work:
        sheet.note(
            _(
                "截至 %(on)s 应投保而未投保的电梯，按生成报表时的登记数据列出（登记数据此后的更正会反映在此表中，汇总数字以冻结数据为准）。"
            )
            % {"on": shared.on.isoformat()}
        )
    tables(work, WORK_LIST_COLUMNS, _work_rows(shared.work_list))
    tables([book.sheet(_("下月到期保单")) for book in books], POLICY_COLUMNS, shared.ending_next_month)
    for book, data in zip(books, datas, strict=True):
        claims = book.sheet(_("理赔汇总"))
        claims.note(_("本月报案的理赔，按状态汇总。"))
        claims.table(CLAIM_COLUMNS, _with_total(data.claims, str(_("合计"))))
        if data.maintenance is not None:
            maintenance_sheet(book, data.maintenance)
        if data.per_insurer is not None:
            insurers = book.sheet(_("按保险机构"))
            insurers.table(INSURER_COLUMNS, data.per_insurer)
        if data.public_policies is not None:
            public = book.sheet(_("财政投保保单"))
            public.table(POLICY_COLUMNS, data.public_policies)
    for book in books:
        book.close()
