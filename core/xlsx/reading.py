"""Reading the spreadsheets people send: `.xlsx` or `.csv` as they really are (title rows above the
header, decorated headers, columns in any order, CSV in UTF-8, GB18030 or UTF-16). `read_table`
streams rows, so a registry of hundreds of thousands of elevators never sits in memory at once.
"""

import codecs
import csv
import datetime
import io
import itertools
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import IO, NamedTuple

import openpyxl
import python_calamine
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.utils.translation import gettext_lazy as _
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from core.exceptions import ApplicationError

TableSource = str | os.PathLike[str] | bytes | IO[bytes]

# Suggested limits; callers pass their own (from settings) to `read_table`.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 300_000
HEADER_SEARCH_ROWS = 20
# Far beyond any list imported here (the registry has about 30 columns). A sheet 16,384 columns wide
# costs seconds of parsing per row, so it is refused at the first row that wide.
MAX_COLUMNS = 1024

TABLE_FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv"}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # tried in this order; UTF-16 is recognised by its BOM
CSV_DELIMITERS = (",", "\t")
CSV_SNIFF_LINES = 20
READ_CHUNK = 1024 * 1024
# A zip bomb posing as .xlsx: the parts' uncompressed sizes (from the zip's central directory, read
# before any part is opened) give it away. Real workbooks' XML deflates 5-30 times; a part that
# claims more than MAX_PART_RATIO times its compressed size and over MAX_PART_RATIO_FLOOR is refused,
# and so is a workbook over MAX_UNCOMPRESSED in all. zipfile never inflates a part beyond the size the
# directory states, so a directory that lies cannot get past this.
MAX_PART_RATIO = 100
MAX_PART_RATIO_FLOOR = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
# Which parser reads a workbook, chosen by measurement (bench/registry_import.py; docs/decisions,
# "registry import reader"): python-calamine (Rust) reads a 200,000-row registry export about ten
# times faster than openpyxl's read-only mode, but holds a whole sheet in memory (more than its XML
# inflated: 400 MB for that file). So the first sheet's XML is cut, between rows and without being
# parsed, into pieces of about CALAMINE_PIECE_BYTES, and calamine reads one piece at a time: memory
# stays bounded by the piece whatever the file's size. A workbook without the usual shape is read by
# openpyxl, which streams any valid sheet.
CALAMINE_PIECE_BYTES = 4 * 1024 * 1024
CALAMINE_FIRST_PIECE_BYTES = 64 * 1024
SHEET_HEAD_MAX_BYTES = 4 * 1024 * 1024  # column widths, views and such before <sheetData>
# calamine resolves no DTD; a part that declares one is refused as openpyxl (defusedxml) refuses it.
DOCTYPE_SNIFF_BYTES = 4096

# Characters that never belong in a header: zero-width spaces and a stray byte-order mark.
INVISIBLE_CHARACTERS = re.compile("[\u200b-\u200d\u2060\ufeff]")
# Some systems export ="0123" so that Excel keeps the leading zeros of a code.
CSV_TEXT_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)


class TableError(ApplicationError):
    """The whole file is refused (too big, too many rows, no header, unreadable).

    `code` names the reason for callers and tests; `message` is what the user reads.
    """

    def __init__(self, message, *, code: str, field: str | None = None, extra: dict | None = None):
        super().__init__(message, field=field, extra=extra)
        self.code = code


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


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


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
            % {"size": _human_size(size), "limit": _human_size(max_bytes)},
            code="too_big",
        )
    opener = _open_xlsx if table_format == "xlsx" else _open_csv
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


def _unreadable(filename: str) -> TableError:
    return TableError(
        _("无法读取文件“%(filename)s”：文件可能已损坏，或内容与扩展名不符。")
        % {"filename": os.path.basename(filename)},
        code="unreadable",
    )


def _guarded(rows: Iterator[Sequence[object]], *, filename: str) -> Iterator[Sequence[object]]:
    """Rows from a parser; whatever the parser trips over in an uploaded file is the file's fault."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # a corrupt upload may fail anywhere inside the parser
            raise _unreadable(filename) from exc
        yield row


def _leading_dimensions(self: ReadOnlyWorksheet) -> None:
    """openpyxl's read-only sheet looks for <dimension> until the *end* of <sheetData>: a sheet
    without one (many exports, a hostile file) was parsed whole, into memory, before its first row
    was read, so a million-row sheet took minutes and gigabytes before the row limit could refuse
    it. <dimension> precedes <sheetData> when present; stop at the start of <sheetData>."""
    with self._get_source() as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                self._min_column, self._min_row, self._max_column, self._max_row = SheetDimension.from_tree(
                    element
                ).boundaries
                return
            if element.tag == DATA_TAG:
                return


ReadOnlyWorksheet._get_size = _leading_dimensions


def _refuse_zip_bomb(source: str | os.PathLike[str] | IO[bytes], *, filename: str) -> list[zipfile.ZipInfo]:
    """Refuse a workbook whose parts would inflate far beyond any real one, before parsing it;
    returns the parts (from the zip's directory)."""
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(filename) from exc
    finally:
        if not isinstance(source, str | os.PathLike):
            source.seek(0)
    total = sum(part.file_size for part in parts)
    inflated = any(
        part.file_size > MAX_PART_RATIO_FLOOR and part.file_size > MAX_PART_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if inflated or total > MAX_UNCOMPRESSED:
        raise TableError(
            _("文件“%(filename)s”解压后有%(size)s，远超正常的Excel文件，已拒绝读取。")
            % {"filename": os.path.basename(filename), "size": _human_size(total)},
            code="zip_bomb",
        )
    return parts


def _open_xlsx(
    source: str | os.PathLike[str] | IO[bytes], *, filename: str
) -> tuple[Iterator[Sequence[object]], Callable[[], None]]:
    parts = _refuse_zip_bomb(source, filename=filename)
    if _declares_doctype(source, parts):
        raise _unreadable(filename)
    pieces = _SheetPieces.open(source)
    if pieces is None:
        return _open_xlsx_openpyxl(source, filename=filename)
    return _guarded(pieces.rows(), filename=filename), pieces.close


def _open_xlsx_openpyxl(
    source: str | os.PathLike[str] | IO[bytes], *, filename: str
) -> tuple[Iterator[Sequence[object]], Callable[[], None]]:
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not a workbook, a broken part: all the file's fault
        raise _unreadable(filename) from exc
    if not workbook.worksheets:
        workbook.close()
        raise _unreadable(filename)
    sheet = workbook.worksheets[0]
    # The stored dimensions are often wrong in exports from other systems; read what is there.
    sheet.reset_dimensions()
    return _guarded(sheet.iter_rows(values_only=True), filename=filename), workbook.close


def _declares_doctype(source: str | os.PathLike[str] | IO[bytes], parts: list[zipfile.ZipInfo]) -> bool:
    """Whether an XML part opens with a DTD (entity declarations): no spreadsheet needs one."""
    try:
        with zipfile.ZipFile(source) as archive:
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    with archive.open(part) as stream:
                        if b"<!DOCTYPE" in stream.read(DOCTYPE_SNIFF_BYTES).upper():
                            return True
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        return True  # not a readable zip: refused as unreadable
    finally:
        if not isinstance(source, str | os.PathLike):
            source.seek(0)
    return False


SHEET_DATA_START = re.compile(rb"<(?:\w+:)?sheetData(?:\s[^>]*)?(/?)>")
SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
ROW_END = re.compile(rb"</(?:\w+:)?row>")
EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class _SheetPieces:
    """The first sheet of a workbook, read by calamine a piece (CALAMINE_PIECE_BYTES) at a time.

    Each piece is a small workbook held in memory: the original's other parts (shared strings,
    styles, the workbook; other sheets emptied) and the first sheet's XML head, a run of whole rows
    and the closing tags. Rows keep their own references, so calamine places them as in the whole
    sheet; `rows()` yields them as openpyxl's read-only mode does.
    """

    def __init__(self, archive: zipfile.ZipFile, sheet_path: str, stream: IO[bytes], head: bytes, tail: str):
        self.archive, self.sheet_path, self.stream = archive, sheet_path, stream
        self.head, self.pending = head, tail
        self.parts = {}
        for part in archive.infolist():
            if part.filename == sheet_path or part.is_dir():
                continue
            is_sheet = part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
            self.parts[part.filename] = EMPTY_SHEET if is_sheet else archive.read(part)

    @classmethod
    def open(cls, source) -> "_SheetPieces | None":
        """Ready to read the first sheet, or None when the workbook has not the usual shape (no
        first sheet found, no <sheetData> near the start, no rows): openpyxl then reads it."""
        archive = stream = None
        try:
            archive = zipfile.ZipFile(source)
            sheet_path = _first_sheet_path(archive)
            if sheet_path is not None:
                stream = archive.open(sheet_path)
                head = b""
                while (match := SHEET_DATA_START.search(head)) is None and len(head) < SHEET_HEAD_MAX_BYTES:
                    chunk = stream.read(READ_CHUNK)
                    if not chunk:
                        break
                    head += chunk
                if match is not None and not match[1]:
                    return cls(archive, sheet_path, stream, head[: match.end()], head[match.end() :])
        except Exception:  # a broken part: openpyxl's reading decides what to say
            pass
        finally:
            if not isinstance(source, str | os.PathLike):
                source.seek(0)
        if stream is not None:
            stream.close()
        if archive is not None:
            archive.close()
        return None

    def _row_runs(self) -> Iterator[bytes]:
        """The sheet's rows as runs of whole rows: small at first (the header and an early refusal
        cost little), then of about CALAMINE_PIECE_BYTES each."""
        pending, size = self.pending, CALAMINE_FIRST_PIECE_BYTES
        self.pending = b""
        while True:
            chunk = self.stream.read(size)
            size = min(size * 4, CALAMINE_PIECE_BYTES)
            pending += chunk
            if not chunk:
                end = SHEET_DATA_END.search(pending)
                if end is not None and end.start() > 0:
                    yield pending[: end.start()]
                return
            cut = pending.rfind(b"</row>") + len(b"</row>")
            if cut < len(b"</row>"):  # none, or rows written with a namespace prefix
                rows_from = max(0, len(pending) - len(chunk) - 64)
                cut = max((end.end() for end in ROW_END.finditer(pending, rows_from)), default=0)
            if not cut:
                if len(pending) > 8 * CALAMINE_PIECE_BYTES:  # one row that long is no list's row
                    raise ValueError("a sheet row too long")
                continue
            yield pending[:cut]
            pending = pending[cut:]

    def _workbook(self, rows: bytes) -> io.BytesIO:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as piece:
            for name, content in self.parts.items():
                piece.writestr(name, content)
            piece.writestr(self.sheet_path, self.head + rows + b"</sheetData></worksheet>")
        buffer.seek(0)
        return buffer

    def rows(self) -> Iterator[list[object]]:
        """Every row from row 1 (blank rows as []), each as `_openpyxl_values` makes it."""
        next_row = 0  # 0-based index of the next row to yield
        for run in self._row_runs():
            workbook = python_calamine.CalamineWorkbook.from_filelike(self._workbook(run))
            del run
            sheet = workbook.get_sheet_by_index(0)
            start = sheet.start
            values = sheet.to_python() if start is not None else []  # from its first cell used
            workbook.close()
            if start is None:
                continue
            first_row, first_column = start
            if first_row < next_row:
                raise ValueError("sheet rows out of order")
            while next_row < first_row:
                next_row += 1
                yield []
            lead = [None] * first_column
            for row in values:
                next_row += 1
                yield _openpyxl_values(lead + row if first_column else row)
            del values

    def close(self) -> None:
        self.stream.close()
        self.archive.close()


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    """The part holding the workbook's first sheet (xl/workbook.xml and its relationships)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    workbook = safe_fromstring(archive.read("xl/workbook.xml"))
    sheet = next((e for e in workbook.iter() if e.tag.endswith("}sheet")), None)
    if sheet is None:
        return None
    rid = sheet.get(f"{{{RELATIONSHIPS_NS}}}id")
    relationships = safe_fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((e.get("Target") for e in relationships if e.get("Id") == rid), None)
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return path if path in names and path.startswith("xl/worksheets/") else None


def _openpyxl_values(cells: list[object]) -> list[object]:
    """A row of calamine's values as openpyxl's read-only mode gives it, so that either reader gives
    one result: an empty cell None (calamine: ""), a whole number an int, a date a datetime."""
    number, day, moment = float, datetime.date, datetime.datetime
    for index, value in enumerate(cells):
        kind = type(value)
        if kind is str:
            if not value:
                cells[index] = None
        elif kind is number:
            if value.is_integer() and -WHOLE_NUMBER_LIMIT < value < WHOLE_NUMBER_LIMIT:
                cells[index] = int(value)
        elif kind is day:
            cells[index] = moment(value.year, value.month, value.day)
    return cells


# openpyxl reads "123" as an int and "1.23E+19" (how Excel writes a number past 15 digits) as a float.
WHOLE_NUMBER_LIMIT = 10**15


def _detect_encoding(binary: IO[bytes]) -> str | None:
    """The first encoding that decodes the whole file, reading it in chunks."""
    binary.seek(0)
    if binary.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"  # Excel's "Unicode text" export
    for encoding in CSV_ENCODINGS:
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := binary.read(READ_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _open_csv(
    source: str | os.PathLike[str] | IO[bytes], *, filename: str
) -> tuple[Iterator[Sequence[object]], Callable[[], None]]:
    owned = isinstance(source, str | os.PathLike)
    binary: IO[bytes] = open(source, "rb") if owned else source  # closed by Table.close()
    encoding = _detect_encoding(binary)
    if encoding is None:
        if owned:
            binary.close()
        raise TableError(
            _("无法识别CSV文件的编码，请另存为UTF-8或GB18030编码的CSV，或直接上传Excel文件。"),
            code="encoding",
        )
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    sample = list(itertools.islice(text, CSV_SNIFF_LINES))
    delimiter = max(CSV_DELIMITERS, key=lambda d: sum(line.count(d) for line in sample))
    reader = csv.reader(itertools.chain(sample, text), delimiter=delimiter)

    def close() -> None:
        # Closing the wrapper would close an uploaded file that the caller still owns.
        text.detach()
        if owned:
            binary.close()

    def unwrapped() -> Iterator[list[str]]:
        for row in reader:
            yield [_unwrap_text_formula(value) for value in row]

    return _guarded(unwrapped(), filename=filename), close


def _unwrap_text_formula(value: str) -> str:
    match = CSV_TEXT_FORMULA.match(value)
    return match[1] if match else value
