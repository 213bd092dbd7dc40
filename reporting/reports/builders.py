"""Pure builders of the monthly report: ReportData in, an .xlsx file out (XlsxWriter in constant-
memory mode, rows streamed in order). No database access happens here beyond iterating the rows
`report_data` prepared.

Every text cell is written as a string (never a formula, a number or a link); text a spreadsheet
would read as a formula (= + - @, a tab or a carriage return first) also carries Excel's quote
prefix, so editing the cell or saving the sheet as CSV keeps it text.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.xlsx.writing import FORMULA_PREFIXES, TableColumn, table_rows_write, xlsxwriter_close

from ..selectors import CoverageFigure
from .data import ReportData
from .maintenance import maintenance_sheet

ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    header: object  # text, or a lazy translation resolved when the sheet is written
    kind: str = "text"  # text | int | money | percent | date | datetime


def _width(value: object) -> int:
    text = value if isinstance(value, str) else str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Sheet:
    """One worksheet written top to bottom: tables with a bold, frozen header row, an auto-filter,
    number formats per column and widths that fit what was written.

    A table's rows (the work lists run to hundreds of thousands) go straight into the sheet's XML,
    a row in one step (`tables`, core.xlsx.writing.table_rows_write): XlsxWriter's call per cell
    was nearly all of a large report's time. Single cells (titles, headers, the summary's figures)
    go to XlsxWriter's undecorated writers (_write_string, _write_number, _write_datetime).
    """

    def __init__(self, book: "Book", title: str):
        self.book = book
        self.worksheet = book.workbook.add_worksheet(title[:31])
        self.row = 0
        self.widths: dict[int, int] = {}

    def _fit(self, col: int, value: object) -> None:
        self.widths[col] = max(self.widths.get(col, 8), min(_width(value) + 2, MAX_WIDTH))

    def _fit_text(self, col: int, text: str) -> None:
        # Measure a text only when it could widen its column. Its width is its length plus one per
        # wide character, every one of which takes at least three bytes in UTF-8: so at most its
        # length plus half the bytes beyond one a character.
        width = self.widths.setdefault(col, 8)
        if width < MAX_WIDTH:
            length = len(text)
            if length + (len(text.encode()) - length) // 2 + 2 > width:
                self.widths[col] = max(width, min(_width(text) + 2, MAX_WIDTH))

    def text(self, col: int, value: object, fmt=None) -> None:
        text = "" if value is None else value if type(value) is str else str(value)
        if ILLEGAL_XML.search(text):
            text = ILLEGAL_XML.sub("", text)
        if text.startswith(FORMULA_PREFIXES):
            fmt = self.book.formats["quoted"]
        self.worksheet._write_string(self.row, col, text, fmt)
        self._fit_text(col, text)

    def _writer(self, kind: str):
        """The cell writer (col, value) of a column of `kind`; an empty value leaves the cell blank
        and a text value is written as text whatever the kind."""
        formats, worksheet, text = self.book.formats, self.worksheet, self.text
        if kind == "text":

            def write(col, value):
                if value is not None and value != "":
                    text(col, value)

        elif kind == "percent":
            percent = formats["percent"]

            def write(col, value):
                if value is None or value == "" or isinstance(value, str):
                    return write_other(col, value)
                worksheet._write_number(self.row, col, float(value), percent)
                self._fit(col, "100.00%")

        elif kind in ("date", "datetime"):

            def write(col, value):
                if isinstance(value, datetime):
                    if timezone.is_aware(value):
                        value = timezone.localtime(value).replace(tzinfo=None)
                    worksheet._write_datetime(self.row, col, value, formats["datetime"])
                    self._fit(col, "2021-06-30 00:00")
                elif isinstance(value, date):
                    worksheet._write_datetime(self.row, col, value, formats["date"])
                    self._fit(col, "2021-06-30")
                else:
                    write_other(col, value)

        else:
            number = formats["money"] if kind == "money" else formats["int"]

            def write(col, value):
                if value is None or value == "" or isinstance(value, str):
                    return write_other(col, value)
                worksheet._write_number(
                    self.row, col, float(value) if isinstance(value, Decimal) else value, number
                )
                self._fit(col, f"{value:,}")

        def write_other(col, value):
            # blank or text in a column of numbers or dates; numbers in a date column
            if value is None or value == "":
                return
            if isinstance(value, str):
                return text(col, value)
            self._writer("money" if kind == "money" else "int")(col, value)

        return write

    def value(self, col: int, value: object, kind: str) -> None:
        self._writer(kind)(col, value)

    def note(self, text: str) -> None:
        self.text(0, text, self.book.formats["note"])
        self.row += 1

    def table(
        self, columns: Sequence[Column], rows: Iterable[Sequence[object]], *, freeze: bool = True
    ) -> int:
        """A header row (frozen, filtered) and the rows beneath it; returns how many were written."""
        return tables([self], columns, rows, freeze=freeze)

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.worksheet.set_column(col, col, width)


def _table_column(book: "Book", kind: str) -> TableColumn:
    """How a column of `kind` writes its values (core.xlsx.writing.table_rows_write): text as
    text whatever the kind; numbers in a date column as integers."""
    formats = book.formats
    if kind == "text":
        return TableColumn()
    if kind == "percent":
        return TableColumn(number=formats["percent"], number_width=len("100.00%"))
    if kind in ("date", "datetime"):
        return TableColumn(number=formats["int"], date=formats["date"], datetime=formats["datetime"])
    return TableColumn(number=formats["money"] if kind == "money" else formats["int"])


def tables(
    sheets: Sequence[Sheet],
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    freeze: bool = True,
) -> int:
    """The same table on each of `sheets` (one per workbook), its rows read once: a header row
    (frozen, filtered) and the rows beneath it, each row's XML rendered once for all the sheets
    (table_rows_write). Returns how many rows were written."""
    header_rows = []
    for sheet in sheets:
        header_rows.append(sheet.row)
        for col, column in enumerate(columns):
            sheet.text(col, column.header, sheet.book.formats["header"])
        if freeze:
            sheet.worksheet.freeze_panes(sheet.row + 1, 0)
        sheet.row += 1
    # Sheets whose next row and styles agree share one rendering (workbooks built alike do).
    groups: dict[tuple, list[Sheet]] = {}
    for sheet in sheets:
        specs = [_table_column(sheet.book, column.kind) for column in columns]
        styles = [
            fmt._get_xf_index() if fmt is not None else None
            for spec in specs
            for fmt in (spec.number, spec.date, spec.datetime)
        ]
        groups.setdefault((sheet.row, sheet.book.formats["quoted"]._get_xf_index(), *styles), []).append(
            sheet
        )
    if len(groups) > 1:
        rows = list(rows)  # read once, written per group
    count = 0
    for group in groups.values():
        first = group[0]
        count, widths = table_rows_write(
            [sheet.worksheet for sheet in group],
            first.row,
            [_table_column(first.book, column.kind) for column in columns],
            rows,
            quoted=first.book.formats["quoted"],
            widths=[first.widths.get(col, 8) - 2 for col in range(len(columns))],
            width_cap=MAX_WIDTH - 2,
        )
        for sheet in group:
            sheet.row += count
            for col, width in enumerate(widths):
                sheet.widths[col] = max(sheet.widths.get(col, 8), min(width + 2, MAX_WIDTH))
    for sheet, header_row in zip(sheets, header_rows, strict=True):
        sheet.worksheet.autofilter(header_row, 0, max(sheet.row - 1, header_row), len(columns) - 1)
    return count


class Book:
    def __init__(self, path: str):
        self.workbook = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        add = self.workbook.add_format
        self.formats = {
            "header": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": False}),
            "quoted": add({"quote_prefix": True}),
            "note": add({"italic": True, "font_color": "#555555"}),
            "title": add({"bold": True, "font_size": 14}),
            "int": add({"num_format": "#,##0"}),
            "money": add({"num_format": "#,##0.00"}),
            "percent": add({"num_format": "0.00%"}),
            "date": add({"num_format": "yyyy-mm-dd"}),
            "datetime": add({"num_format": "yyyy-mm-dd hh:mm"}),
        }
        self.sheets: list[Sheet] = []

    def sheet(self, title: str) -> Sheet:
        sheet = Sheet(self, title)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.finish()
        xlsxwriter_close(self.workbook)


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
