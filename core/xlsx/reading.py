"""Reading the spreadsheets people send: `.xlsx` or `.csv` as they really are (title rows above the
header, decorated headers, columns in any order, CSV in UTF-8, GB18030 or UTF-16). `read_table`
streams rows, so a registry of hundreds of thousands of elevators never sits in memory at once.
"""

import io
import itertools
import os
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import IO, NamedTuple

from django.utils.translation import gettext_lazy as _

from .sources import TableError, human_size, open_csv, open_xlsx

TableSource = str | os.PathLike[str] | bytes | IO[bytes]

# Suggested limits; callers pass their own (from settings) to `read_table`.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 300_000
HEADER_SEARCH_ROWS = 20
# Far beyond any list imported here (the registry has about 30 columns). A sheet 16,384 columns wide
# costs seconds of parsing per row, so it is refused at the first row that wide.
MAX_COLUMNS = 1024

TABLE_FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv"}

# Characters that never belong in a header: zero-width spaces and a stray byte-order mark.
INVISIBLE_CHARACTERS = re.compile("[\u200b-\u200d\u2060\ufeff]")


class TableRow(NamedTuple):
    """One data row: its row number as Excel shows it, its values by field, and the row as read."""

    number: int
    values: dict[str, object]
    original: list[object]


def normalise_header(value: object) -> str:
    """Fold a header cell to the form aliases are compared in.

    NFKC turns full-width brackets, letters and the ideographic space into ASCII; every kind of
    white space (line breaks included) and invisible character is dropped, then the asterisk
    that marks required columns, then case.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = INVISIBLE_CHARACTERS.sub("", "".join(text.split()))
    return text.strip("*").casefold()


def _alias_lookup(aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for field, variants in aliases.items():
        for variant in variants:
            key = normalise_header(variant)
            if lookup.setdefault(key, field) != field:
                raise ValueError(f"header {variant!r} is an alias of both {lookup[key]!r} and {field!r}")
    return lookup


def _describe_fields(fields: Iterable[str], aliases: Mapping[str, Sequence[str]]) -> str:
    """Each field with every header that names it, e.g. 设备代码、使用单位/使用单位名称."""
    return "、".join("/".join(aliases[field]) for field in fields)


def _is_blank(row: Sequence[object]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in row)


def _refuse_too_wide(row: Sequence[object]) -> None:
    if len(row) > MAX_COLUMNS:
        width = len(row)
        while width > MAX_COLUMNS and row[width - 1] is None:  # styled empty cells do not count
            width -= 1
        if width > MAX_COLUMNS:
            raise TableError(
                _("文件有%(width)d列，超过了%(limit)d列的上限，请删去多余的列后重新上传。")
                % {"width": width, "limit": MAX_COLUMNS},
                code="too_many_columns",
            )


def _clean(value: object) -> object:
    """Strip text; empty text means no value."""
    if isinstance(value, str):
        return value.strip() or None
    return value


class Table:
    """An opened table file positioned after its header row; iterate it once for its data rows.

    `header_row` is the header's row number, `headers` the header cells as written (for an error
    report), `columns` the 0-based column of each recognised field. Use it as a context manager,
    or exhaust it: the file is closed either way.
    """

    def __init__(
        self,
        *,
        rows: Iterator[Sequence[object]],
        close: Callable[[], None],
        aliases: Mapping[str, Sequence[str]],
        required: Collection[str],
        max_rows: int,
        header_search_rows: int,
    ):
        self._rows = rows
        self._close = close
        self._closed = False
        self.max_rows = max_rows
        self.data_rows = 0
        self.header_row = 0
        self.headers: list[object] = []
        self.columns: dict[str, int] = {}
        try:
            self._find_header(aliases=aliases, required=required, search_rows=header_search_rows)
        except BaseException:
            self.close()
            raise

    def _find_header(
        self, *, aliases: Mapping[str, Sequence[str]], required: Collection[str], search_rows: int
    ) -> None:
        unknown = [field for field in required if field not in aliases]
        if unknown:
            raise ValueError(f"required fields without aliases: {unknown}")
        lookup = _alias_lookup(aliases)
        best: tuple[int, list[str]] | None = None  # the row that looked most like a header
        for number, row in enumerate(itertools.islice(self._rows, search_rows), start=1):
            _refuse_too_wide(row)
            columns: dict[str, int] = {}
            for index, cell in enumerate(row):
                field = lookup.get(normalise_header(cell))
                if field is not None:
                    columns.setdefault(field, index)  # a repeated header: the first column wins
            if not columns:
                continue
            missing = [field for field in required if field not in columns]
            if not missing:
                headers = list(row)
                while headers and headers[-1] is None:
                    headers.pop()
                self.header_row, self.headers, self.columns = number, headers, columns
                return
            if best is None or len(missing) < len(best[1]):
                best = (number, missing)
        if best is not None:
            raise TableError(
                _("第%(row)d行像是表头，但缺少必需的列：%(missing)s。")
                % {"row": best[0], "missing": _describe_fields(best[1], aliases)},
                code="missing_columns",
            )
        raise TableError(
            _("在文件前%(rows)d行中没有找到表头，需要的列：%(required)s。")
            % {"rows": search_rows, "required": _describe_fields(required or aliases, aliases)},
            code="no_header",
        )

    def __iter__(self) -> Iterator[TableRow]:
        if self._closed:
            raise RuntimeError("a Table can be read only once")
        width = len(self.headers)
        try:
            for number, row in enumerate(self._rows, start=self.header_row + 1):
                _refuse_too_wide(row)
                if _is_blank(row):
                    continue
                self.data_rows += 1
                if self.data_rows > self.max_rows:
                    raise TableError(
                        _("文件超过了%(limit)d行数据的上限，请拆分后分批导入。") % {"limit": self.max_rows},
                        code="too_many_rows",
                    )
                values = {
                    field: _clean(row[index]) if index < len(row) else None
                    for field, index in self.columns.items()
                }
                original = list(row[:width]) + [None] * (width - len(row))
                yield TableRow(number, values, original)
        finally:
            self.close()

    def close(self) -> None:
        """Release the file; safe to call more than once."""
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_table(
    source: TableSource,
    *,
    filename: str | None = None,
    aliases: Mapping[str, Sequence[str]],
    required: Collection[str] = (),
    max_bytes: int,
    max_rows: int,
    header_search_rows: int = HEADER_SEARCH_ROWS,
) -> Table:
    """Open an .xlsx or .csv table and find its header; iterate the result for its data rows.

    `source` is a path, the file's bytes, or a binary file object (an uploaded file); `filename`
    decides the format (defaults to the path's name). `aliases` maps each field to the header
    texts that name it, compared after `normalise_header`; other columns are ignored. The header
    is the first of the first `header_search_rows` rows that names every `required` field.

    A file over `max_bytes` is refused before it is parsed; iteration raises TableError once more
    than `max_rows` non-blank data rows have been read (rows are counted as they stream, so an
    importer must treat that error as refusing the whole file). Each data row is a TableRow
    (number, {field: value}, original values); entirely blank rows are skipped, text values are
    stripped and empty text becomes None.
    """
    if filename is None:
        if not isinstance(source, str | os.PathLike):
            raise ValueError("filename is required when the source is not a path")
        filename = os.fspath(source)
    extension = os.path.splitext(filename)[1].lower()
    table_format = TABLE_FORMATS.get(extension)
    if table_format is None:
        if extension == ".xls":
            message = _("不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后上传。")
        else:
            message = _("不支持的文件类型“%(extension)s”，请上传.xlsx或.csv文件。") % {
                "extension": extension or filename
            }
        raise TableError(message, code="format")

    if isinstance(source, bytes):
        source = io.BytesIO(source)
    size = _size_of(source)
    if size > max_bytes:
        raise TableError(
            _("文件大小为%(size)s，超过了%(limit)s的上限。")
            % {"size": human_size(size), "limit": human_size(max_bytes)},
            code="too_big",
        )
    opener = open_xlsx if table_format == "xlsx" else open_csv
    rows, close = opener(source, filename=filename)
    return Table(
        rows=rows,
        close=close,
        aliases=aliases,
        required=required,
        max_rows=max_rows,
        header_search_rows=header_search_rows,
    )


def _size_of(source: str | os.PathLike[str] | IO[bytes]) -> int:
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    size = getattr(source, "size", None)  # Django's File knows its size
    if isinstance(size, int):
        source.seek(0)
        return size
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(0)
    return size
