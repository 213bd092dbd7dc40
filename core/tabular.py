"""What every importer of tabular files shares: refusing a row, the import's report, reading cells.

An importer (the registry, policy lists, claims) reads a file with `core.xlsx.read_table`, parses
each row into its own fields, and refuses a row by raising `RowRefused(field, reason)`; a parser
that reads a row's cells through `RowChecks` goes on after a bad cell and refuses the row once with
every defect it found. The result (`TableImportResult`, extended by each importer with its own
counts) keeps every refused row with its row number, the column as the file wrote it and each
Chinese reason, and writes the error report (the refused rows as they were, plus a column of
reasons). No domain rules here.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import progress
from .xlsx import Table, TableRow, parse_date, read_table, write_error_report


class RowRefused(Exception):
    """One row cannot be imported: `field` names the column at fault, `reason` says why (Chinese).

    `problems` holds every (field, reason) of the row, the first being `field` and `reason`;
    `RowRefused.every(problems)` raises them together.
    """

    def __init__(self, field: str, reason):
        super().__init__(reason)
        self.field, self.reason = field, str(reason)
        self.problems: list[tuple[str, str]] = [(self.field, self.reason)]

    @classmethod
    def every(cls, problems: Sequence[tuple[str, str]]) -> "RowRefused":
        refused = cls(*problems[0])
        refused.problems = [(field, str(reason)) for field, reason in problems]
        return refused


class RowChecks:
    """Every defect of one row, so that its report names them all rather than the first.

    A parser reads each cell through `read` (a refusal is kept and None stands in for the value),
    adds rules of its own with `refuse`, skips a rule whose inputs were refused (`refused(field)`),
    and calls `done()` at the end, which raises RowRefused with every problem found.
    """

    def __init__(self):
        self.problems: list[tuple[str, str]] = []

    def read(self, reader: Callable, *args, **kwargs):
        try:
            return reader(*args, **kwargs)
        except RowRefused as refused:
            self.problems.extend(refused.problems)
            return None

    def refuse(self, field: str, reason) -> None:
        self.problems.append((field, str(reason)))

    def refused(self, *fields: str) -> bool:
        return any(field in fields for field, _reason in self.problems)

    def done(self) -> None:
        if self.problems:
            raise RowRefused.every(self.problems)


@dataclass
class RowProblem:
    row: int
    column: str
    reason: str


@dataclass
class TableImportResult:
    """What an import did (or, for a dry run, would do): the rows read and the rows refused.

    Importers subclass it with their own counts and extend `summary()`. Nothing is written unless
    no row was refused and it is not a dry run (`committed`).
    """

    dry_run: bool
    rows: int = 0
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)  # (earlier row, later row, key)
    problems: list[RowProblem] = field(default_factory=list)  # one per defect
    refused_rows: list[tuple[list, list[str]]] = field(default_factory=list)  # (original, reasons)
    headers: list = field(default_factory=list)
    _refused_at: dict[int, int] = field(default_factory=dict, repr=False)  # row number: refused_rows index

    @property
    def refused(self) -> int:
        return len(self.refused_rows)

    @property
    def committed(self) -> bool:
        return not self.dry_run and not self.refused_rows

    def refuse(self, row: TableRow, column: str, reason: str) -> None:
        """Record a refused row: one problem for the page, one line of the error report."""
        self.refuse_row(row, [(column, reason)])

    def refuse_row(self, row: TableRow, problems: Iterable[tuple[str, str]]) -> None:
        """Record a refused row with each of its defects (column as the file wrote it, reason): one
        problem each for the page, one line of the error report with every reason. A row refused
        again adds its reasons to its line; `refused` stays a count of rows."""
        problems = [(column, str(reason)) for column, reason in problems]
        self.problems.extend(RowProblem(row.number, column, reason) for column, reason in problems)
        reasons = [f"{column}：{reason}" for column, reason in problems]
        if row.number in self._refused_at:
            self.refused_rows[self._refused_at[row.number]][1].extend(reasons)
        else:
            self._refused_at[row.number] = len(self.refused_rows)
            self.refused_rows.append((row.original, reasons))

    def order_by_row(self) -> None:
        """Put the problems and the report's rows in the file's order (an importer that refuses rows
        in more than one pass, e.g. row by row and then policy by policy, calls it at the end)."""
        self.problems.sort(key=lambda problem: problem.row)  # stable: a row's defects keep their order
        numbers = sorted(self._refused_at, key=self._refused_at.__getitem__)
        pairs = sorted(zip(numbers, self.refused_rows, strict=True), key=lambda pair: pair[0])
        self.refused_rows = [refused for _number, refused in pairs]
        self._refused_at = {number: index for index, (number, _refused) in enumerate(pairs)}

    def summary(self) -> dict:
        """Counts and the first problems, as kept on the ImportRun and shown in the browser."""
        return {
            "rows": self.rows,
            "refused": self.refused,
            "duplicates": [{"row": a, "later_row": b, "code": c} for a, b, c in self.duplicates],
            "problems": [p.__dict__ for p in self.problems[:1000]],
            "committed": self.committed,
        }

    def error_report(self) -> bytes:
        """The refused rows with a column of reasons, as .xlsx."""
        return write_error_report(self.headers, self.refused_rows)


def open_import_table(
    source,
    *,
    filename: str,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    result: TableImportResult,
) -> Table:
    """Open an uploaded table within the configured size and row limits; the result keeps its
    header row for the error report."""
    table = read_table(
        source,
        filename=filename,
        aliases=aliases,
        required=required,
        max_bytes=settings.TIBAO["IMPORT_MAX_BYTES"],
        max_rows=settings.TIBAO["IMPORT_MAX_ROWS"],
    )
    result.headers = list(table.headers)
    progress.watch(result)
    return table


def column_label(table: Table, aliases: Mapping[str, Sequence[str]], field_name: str) -> str:
    """The header of `field_name` as the file wrote it, for a report.

    A `<name>_code` field missing from the file falls back to the `<name>` column (a unit named
    only by its name); a field the file lacks altogether is named by its first alias.
    """
    index = table.columns.get(field_name)
    if index is None and field_name.endswith("_code"):
        index = table.columns.get(field_name.removesuffix("_code"))
    if index is not None and index < len(table.headers) and table.headers[index] is not None:
        return str(table.headers[index])
    return aliases[field_name][0] if field_name in aliases else field_name


# --- cells ------------------------------------------------------------------------------------


def cell_text(
    values: Mapping[str, object], name: str, *, required: bool = False, limit: int | None = None
) -> str:
    """A text cell stripped; "" when empty. Numbers that Excel stored (1001.0) read as 1001."""
    raw = values.get(name)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = "" if raw is None else str(raw).strip()
    if required and not text:
        raise RowRefused(name, _("必填项为空。"))
    if limit and len(text) > limit:
        raise RowRefused(name, _("超过%(limit)d个字符。") % {"limit": limit})
    return text


def cell_date(values: Mapping[str, object], name: str, *, required: bool = False) -> date | None:
    """A date in any of the forms core.xlsx.parse_date accepts; None when empty."""
    try:
        day = parse_date(values.get(name))
    except ValidationError as exc:
        raise RowRefused(name, exc.messages[0]) from exc
    if required and day is None:
        raise RowRefused(name, _("必填项为空。"))
    return day


def cell_word(values: Mapping[str, object], name: str, words: Mapping[str, object], default=None):
    """One of a fixed set of words (在用/停用, 自筹/财政, ...), mapped to its value; `default` when empty."""
    raw = values.get(name)
    if raw is None:
        return default
    found = words.get(str(raw).strip())
    if found is None:
        raise RowRefused(
            name, _("“%(value)s”不是可接受的取值：%(allowed)s") % {"value": raw, "allowed": "、".join(words)}
        )
    return found


MONEY_LIMIT = Decimal("1e12")


def cell_money(values: Mapping[str, object], name: str, *, required: bool = False) -> Decimal | None:
    """An amount in yuan with at most two decimals (1,234.50 and ¥93 are understood); None when empty."""
    raw = values.get(name)
    if raw is None:
        if required:
            raise RowRefused(name, _("必填项为空。"))
        return None
    if isinstance(raw, bool):
        raise RowRefused(name, _("“%(value)s”不是金额。") % {"value": raw})
    text = str(raw).strip().replace(",", "").replace("，", "").lstrip("¥￥").removesuffix("元").strip()
    try:
        amount = Decimal(text) if not isinstance(raw, float) else Decimal(repr(raw))
    except InvalidOperation:
        raise RowRefused(name, _("“%(value)s”不是金额。") % {"value": raw}) from None
    if not amount.is_finite() or amount < 0:
        raise RowRefused(name, _("“%(value)s”不是金额。") % {"value": raw})
    if amount >= MONEY_LIMIT:  # the columns hold 14 digits, 2 after the point
        raise RowRefused(name, _("金额“%(value)s”过大。") % {"value": raw})
    rounded = amount.quantize(Decimal("0.01"))
    # A float cell may carry binary noise (=93*0.9 is 83.70000000000000284); typed text may not.
    noise = Decimal("0.000001") if isinstance(raw, float) else Decimal(0)
    if abs(rounded - amount) > noise:
        raise RowRefused(name, _("金额“%(value)s”最多保留两位小数（分）。") % {"value": raw})
    return rounded


def chunks(rows: Iterable[TableRow], size: int) -> Iterator[list[TableRow]]:
    """The rows in lists of `size`, so an importer can look rows up a chunk at a time; after each
    chunk the running import's progress is reported (core.progress)."""
    chunk: list[TableRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            progress.report()  # the importer asks for the next chunk: this one is done
            chunk = []
    if chunk:
        yield chunk
        progress.report()
