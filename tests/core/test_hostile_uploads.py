"""Hostile uploads to every import (the registry, policy lists, claim lists): a zip bomb posing as
.xlsx, a million rows, 16,384 columns, XML entities, formulas, CSV in unexpected encodings, renamed
files. Each is refused with a Chinese message, or handled, within generous bounds of time and memory
(safety bounds on a loaded machine, not speed goals), and nothing is partially written.
"""

import codecs
import io
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from functools import cache

import pytest
from django.core.management import call_command

from core.imports import IMPORT_KINDS
from core.xlsx import TableError
from elevators.models import Elevator
from insurance.models import Claim, Policy
from tests.elevators import files

pytestmark = pytest.mark.django_db

MAX_SECONDS = 20
MAX_MEMORY = 200 * 1024 * 1024
# Which organisation of the world imports each kind of file.
IMPORTERS = {"registry": "city", "policies": "insurer_a", "claims": "insurer_a"}

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "%s</Types>"
)
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>%s'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def cell(column: int, row: int, value) -> str:
    """One cell as raw sheet XML: a number, an inline string, or a formula (`("=", formula, cached)`)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    ref = f"{letters}{row}"
    if isinstance(value, tuple):
        return f'<c r="{ref}" t="str"><f>{value[1]}</f><v>{value[2]}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def row_xml(number: int, values) -> str:
    return (
        f'<row r="{number}">'
        + "".join(cell(i, number, v) for i, v in enumerate(values, 1) if v is not None)
        + "</row>"
    )


def raw_xlsx(sheet_rows, *, doctype: str = "", shared_strings: bytes | None = None, body: str = "") -> bytes:
    """A workbook written as raw XML, part by part, streamed into the zip: a million rows cost a
    second, not what openpyxl would need to build them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", CONTENT_TYPES % (SHARED_STRINGS_TYPE if shared_strings else "")
        )
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((SHEET_HEAD % doctype).encode())
            batch = []
            for number, values in enumerate(sheet_rows, 1):
                batch.append(row_xml(number, values))
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write(("".join(batch) + body + SHEET_TAIL).encode())
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A real-looking workbook whose shared strings inflate from about 0.2 MB to 1 GB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES % SHARED_STRINGS_TYPE)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml", (SHEET_HEAD % "") + row_xml(1, files.HEADERS) + SHEET_TAIL
        )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(1024):
                strings.write(chunk)
            strings.write(b"</t></si></sst>")
    return buffer.getvalue()


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + "]>"
)


def headers_of(kind: str) -> list[str]:
    return files.HEADERS if kind == "registry" else IMPORT_KINDS[kind].template_columns


def written() -> tuple[int, int, int]:
    return Elevator.objects.count(), Policy.objects.count(), Claim.objects.count()


@contextmanager
def bounded():
    """Fails the test if the block takes over MAX_SECONDS or peaks over MAX_MEMORY of Python
    allocations; yields the measures for the assertion message."""
    measures = {}
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield measures
    finally:
        measures["seconds"] = time.monotonic() - started
        measures["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert measures["seconds"] < MAX_SECONDS, measures
    assert measures["peak"] < MAX_MEMORY, measures


@pytest.fixture(autouse=True)
def reference_data(db):
    call_command("loaddata", "xiangyang", verbosity=0)


def upload(world, kind: str, content: bytes, filename: str):
    """Run the import of `kind` as the browser and the command do, within the safety bounds."""
    before = written()
    user = world.users[IMPORTERS[kind]]
    with bounded():
        try:
            outcome = IMPORT_KINDS[kind].run(
                source=io.BytesIO(content), filename=filename, user=user, dry_run=False
            )
        except TableError as refused:
            outcome = refused
    assert written() == before, "nothing may be written"
    return outcome


def assert_refused(outcome, code: str) -> None:
    assert isinstance(outcome, TableError), outcome
    assert outcome.code == code, (outcome.code, str(outcome.message))
    assert any("\u4e00" <= character <= "\u9fff" for character in str(outcome.message))


KINDS = list(IMPORTERS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_zip_bomb_posing_as_xlsx_is_refused_before_it_is_inflated(world, kind):
    content = zip_bomb()
    assert len(content) < 5 * 1024 * 1024
    assert_refused(upload(world, kind, content, "台账.xlsx"), "zip_bomb")


@cache
def million_rows() -> str:
    """A million data rows of sheet XML, written once for every kind's file."""
    return "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x{n}</t></is></c><c r="B{n}"><v>{n}</v></c></row>'
        for n in range(2, 1_000_002)
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_million_rows_are_refused_by_the_row_limit_before_they_are_all_read(world, kind, settings):
    settings.TIBAO = {**settings.TIBAO, "IMPORT_MAX_ROWS": 2_000}
    content = raw_xlsx([headers_of(kind)], body=million_rows())
    assert_refused(upload(world, kind, content, "大文件.xlsx"), "too_many_rows")


@pytest.mark.parametrize("kind", KINDS)
def test_a_sheet_16384_columns_wide_is_refused_at_its_first_row(world, kind):
    width = 16_384
    header = headers_of(kind) + [f"多余{n}" for n in range(width - len(headers_of(kind)))]
    rows = [header] + [[f"值{n}"] * width for n in range(20)]
    assert_refused(upload(world, kind, raw_xlsx(rows), "宽表.xlsx"), "too_many_columns")


@pytest.mark.parametrize("kind", KINDS)
def test_xml_entities_are_refused(world, kind):
    content = raw_xlsx([headers_of(kind), ["&lol9;"]], doctype=BILLION_LAUGHS)
    assert_refused(upload(world, kind, content, "台账.xlsx"), "unreadable")


def test_formulas_are_read_as_their_values_never_as_formulas(world):
    values = files.row()
    values[3] = ("=", '"襄阳"&amp;"某物业服务有限公司"', "襄阳某物业服务有限公司")
    values[7] = ("=", 'HYPERLINK("http://evil.example/","x")', "樊城区长征路1号")
    rows = [files.HEADERS, [v.isoformat() if hasattr(v, "isoformat") else v for v in values]]
    result = upload_committing(world, raw_xlsx(rows), "台账.xlsx")
    elevator = Elevator.objects.get()
    assert (elevator.user_unit.name, elevator.address) == ("襄阳某物业服务有限公司", "樊城区长征路1号")
    assert result.committed


def upload_committing(world, content: bytes, filename: str):
    with bounded():
        return IMPORT_KINDS["registry"].run(
            source=io.BytesIO(content), filename=filename, user=world.users["city"], dry_run=False
        )


CSV_ROW = files.row()


def csv_bytes(encoding: str, bom: bytes = b"") -> bytes:
    lines = [",".join(files.HEADERS).replace("\n", ""), ",".join(str(v) for v in CSV_ROW)]
    return bom + "\r\n".join(lines).encode(encoding)


@pytest.mark.parametrize(
    "content",
    [csv_bytes("gbk"), csv_bytes("utf-16-le", codecs.BOM_UTF16_LE), csv_bytes("utf-8", codecs.BOM_UTF8)],
    ids=["gbk", "utf-16", "utf-8-bom"],
)
def test_csv_in_gbk_utf16_and_utf8_with_bom_is_imported(world, content):
    result = upload_committing(world, content, "台账.csv")
    assert result.committed, result.summary()
    assert Elevator.objects.get().user_unit.name == "襄阳某物业服务有限公司"


@pytest.mark.parametrize("kind", KINDS)
def test_csv_in_an_encoding_it_cannot_be_is_refused(world, kind):
    content = ",".join(headers_of(kind)).encode("utf-8") + b"\r\n\xff\xfe\xff" * 3  # no BOM at the start
    assert_refused(upload(world, kind, b"\x81\x30" + content, "台账.csv"), "encoding")


RENAMED = {
    "exe-as-xlsx": (b"MZ\x90\x00" + bytes(4096), "台账.xlsx", "unreadable"),
    "xls": (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4096), "台账.xls", "format"),
    "xls-as-xlsx": (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4096), "台账.xlsx", "unreadable"),
    "exe": (b"MZ\x90\x00" + bytes(4096), "setup.exe", "format"),
    "zip-of-nothing-as-xlsx": (b"PK\x05\x06" + bytes(18), "台账.xlsx", "unreadable"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", RENAMED)
def test_a_renamed_file_is_refused(world, kind, name):
    content, filename, code = RENAMED[name]
    assert_refused(upload(world, kind, content, filename), code)
