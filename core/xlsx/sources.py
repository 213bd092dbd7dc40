"""Opening an uploaded table's rows safely: an `.xlsx` read by python-calamine a piece of its sheet at a
time (openpyxl's read-only mode for a workbook of unusual shape), a `.csv` in whichever encoding
decodes it. Whatever the file holds is refused here, before it costs time or memory: a zip bomb, a
DTD (entity declarations), a parser's failure on a corrupt part. `reading.read_table` finds the
header and streams the rows these openers give.
"""

import codecs
import csv
import datetime
import io
import itertools
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import IO

import openpyxl
import python_calamine
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.utils.translation import gettext_lazy as _
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from core.exceptions import ApplicationError

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
# Some systems export ="0123" so that Excel keeps the leading zeros of a code.
CSV_TEXT_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)


class TableError(ApplicationError):
    """The whole file is refused (too big, too many rows, no header, unreadable).

    `code` names the reason for callers and tests; `message` is what the user reads.
    """

    def __init__(self, message, *, code: str, field: str | None = None, extra: dict | None = None):
        super().__init__(message, field=field, extra=extra)
        self.code = code


def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


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
            % {"filename": os.path.basename(filename), "size": human_size(total)},
            code="zip_bomb",
        )
    return parts


def open_xlsx(
    source: str | os.PathLike[str] | IO[bytes], *, filename: str
) -> tuple[Iterator[Sequence[object]], Callable[[], None]]:
    parts = _refuse_zip_bomb(source, filename=filename)
    if _declares_doctype(source, parts):
        raise _unreadable(filename)
    pieces = _SheetPieces.open(source)
    if pieces is None:
        return open_xlsx_openpyxl(source, filename=filename)
    return _guarded(pieces.rows(), filename=filename), pieces.close


def open_xlsx_openpyxl(
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


def open_csv(
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
