"""Reading import tables, parsing spreadsheet dates, writing exports and error reports."""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, time
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from core.xlsx import (
    TableError,
    normalise_header,
    parse_date,
    read_table,
    write_error_report,
    write_xlsx,
)

ALIASES = {
    "equipment_code": ["设备代码"],
    "category": ["设备品种", "设备类别代码"],
    "user_unit": ["使用单位", "使用单位名称"],
    "premium": ["保费（元）"],
    "address": ["使用地点", "详细地址"],
    "installed_on": ["安装日期", "投用日期"],
    "next_due": ["下次检验日期"],
}
REQUIRED = ["equipment_code", "category", "user_unit"]
LIMITS = {"max_bytes": 1024 * 1024, "max_rows": 1000}

TITLE = "襄阳市在用电梯台账（截至2026年10月）"
HEADERS = [
    "使用单位\n名称",
    "内部编号",
    "*设备代码",
    "保费(元)",
    "　使用地点 ",
    "设备品种",
    "安装日期",
    "下次检验日期",
]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    """An .xlsx as Excel would save it (a normal workbook, so date cells are real dates)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def registry_rows() -> list[list[object]]:
    return [
        [TITLE],
        [],
        HEADERS,
        [
            "樊城物业",
            "A-1",
            "311042001201500123",
            300,
            "樊城区长征路1号",
            "3110",
            datetime(2021, 3, 5),
            44260,
        ],
        ["襄城物业", "A-2", "31104206062014080025", 280.5, "襄城区1号", "自动扶梯", 44260, "2021/3/5"],
        [None, "  ", None, None, None, None, None, None],
        ["宜城物业", None, "３１１０４２００１２０１５００１２４", None, None, "3110", "2021年3月5日", None],
    ]


def read(source, filename: str, **kwargs):
    options = {"aliases": ALIASES, "required": REQUIRED, **LIMITS, **kwargs}
    return read_table(source, filename=filename, **options)


# --- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("*设备代码", "设备代码"),
        ("＊设备代码", "设备代码"),
        ("使用单位\n名称", "使用单位名称"),
        ("使用单位\r\n 名称", "使用单位名称"),
        ("　使用地点 ", "使用地点"),
        ("保费（元）", "保费(元)"),
        ("\ufeff设备代码\u200b", "设备代码"),
        ("USCC", "uscc"),
        (None, ""),
        (2021, "2021"),
    ],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


# --- read_table: xlsx -------------------------------------------------------------------------------


def test_xlsx_with_title_rows_decorated_headers_and_odd_column_order():
    with read(xlsx_bytes(registry_rows()), "台账.xlsx") as table:
        assert table.header_row == 3
        assert table.headers == HEADERS
        assert table.columns["user_unit"] == 0
        assert table.columns["premium"] == 3
        rows = list(table)
    assert [row.number for row in rows] == [4, 5, 7]  # the blank row 6 is skipped
    first = rows[0]
    assert first.values == {
        "user_unit": "樊城物业",
        "equipment_code": "311042001201500123",
        "premium": 300,
        "address": "樊城区长征路1号",
        "category": "3110",
        "installed_on": datetime(2021, 3, 5),
        "next_due": 44260,
    }
    assert "内部编号" not in first.values.values() and "A-1" not in first.values.values()
    assert first.original == [
        "樊城物业",
        "A-1",
        "311042001201500123",
        300,
        "樊城区长征路1号",
        "3110",
        datetime(2021, 3, 5),
        44260,
    ]
    assert (
        parse_date(first.values["installed_on"]) == parse_date(first.values["next_due"]) == date(2021, 3, 5)
    )
    second, third = rows[1], rows[2]
    assert (
        parse_date(second.values["installed_on"]) == parse_date(second.values["next_due"]) == date(2021, 3, 5)
    )
    assert third.values["equipment_code"] == "３１１０４２００１２０１５００１２４"  # raw: codes normalise it
    assert third.values["address"] is None and third.values["next_due"] is None
    assert len(third.original) == len(HEADERS)


def test_xlsx_from_path_and_uploaded_files(tmp_path):
    data = xlsx_bytes(registry_rows())
    path = tmp_path / "台账.xlsx"
    path.write_bytes(data)
    assert len(list(read_table(path, aliases=ALIASES, required=REQUIRED, **LIMITS))) == 3
    upload = SimpleUploadedFile("台账.xlsx", data)
    assert len(list(read(upload, upload.name))) == 3
    temporary = TemporaryUploadedFile("台账.xlsx", "application/octet-stream", len(data), None)
    temporary.write(data)
    assert len(list(read(temporary, temporary.name))) == 3
    temporary.close()


def test_xlsx_with_wrong_stored_dimensions_is_read_in_full():
    """Some systems write <dimension ref="A1"/>; read-only openpyxl would then see one cell."""
    data = xlsx_bytes(registry_rows())
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as patched:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', content)
            patched.writestr(item, content)
    assert len(list(read(target.getvalue(), "台账.xlsx"))) == 3


def test_read_table_stops_early_and_closes():
    table = read(xlsx_bytes(registry_rows()), "台账.xlsx")
    with table:
        assert next(iter(table)).number == 4
    with pytest.raises(RuntimeError):
        next(iter(table))


def test_header_aliases_may_be_given_with_full_width_brackets_or_not():
    aliases = {**ALIASES, "premium": ["保费(元)"]}
    rows = [["设备代码", "设备品种", "使用单位", "保费（元）"], ["311042001201500123", "3110", "甲", 1]]
    table = read(xlsx_bytes(rows), "a.xlsx", aliases=aliases)
    assert next(iter(table)).values["premium"] == 1


def test_repeated_header_keeps_the_first_column():
    rows = [["设备代码", "设备品种", "使用单位", "使用单位名称"], ["311042001201500123", "3110", "甲", "乙"]]
    assert next(iter(read(xlsx_bytes(rows), "a.xlsx"))).values["user_unit"] == "甲"


# --- read_table: csv --------------------------------------------------------------------------------

CSV_TEXT = (
    "襄阳市在用电梯台账\n"
    "\n"
    '"使用单位\n名称",*设备代码,设备品种,保费（元）,安装日期\n'
    '樊城物业,="311042001201500123",曳引驱动乘客电梯,300,2021-03-05\n'
    ",,,,\n"
    "襄城物业, 31104206062014080025 ,3110,,2021年3月5日\n"
)


def test_csv_utf8_with_bom():
    rows = list(read(CSV_TEXT.encode("utf-8-sig"), "台账.csv"))
    assert [row.number for row in rows] == [4, 6]
    assert rows[0].values == {
        "user_unit": "樊城物业",
        "equipment_code": "311042001201500123",  # the ="..." text marker is unwrapped
        "category": "曳引驱动乘客电梯",
        "premium": "300",
        "installed_on": "2021-03-05",
    }
    assert rows[1].values["equipment_code"] == "31104206062014080025"
    assert rows[1].values["premium"] is None


def test_csv_utf8_without_bom():
    table = read(CSV_TEXT.encode("utf-8"), "台账.csv")
    assert table.headers[0] == "使用单位\n名称"
    assert len(list(table)) == 2


def test_csv_gb18030_tab_separated():
    data = CSV_TEXT.replace(",", "\t").encode("gb18030")
    rows = list(read(data, "台账.txt"))
    assert rows[0].values["user_unit"] == "樊城物业"
    assert rows[1].values["installed_on"] == "2021年3月5日"


def test_csv_utf16_from_excel_unicode_text():
    data = CSV_TEXT.replace(",", "\t").encode("utf-16")
    assert len(list(read(data, "台账.txt"))) == 2


def test_csv_upload_is_left_open_for_its_owner():
    upload = SimpleUploadedFile("台账.csv", CSV_TEXT.encode("gb18030"))
    assert len(list(read(upload, upload.name))) == 2
    assert not upload.closed
    upload.seek(0)
    assert upload.read().startswith("襄阳".encode("gb18030"))


def test_csv_in_an_unknown_encoding_is_refused():
    with pytest.raises(TableError) as caught:
        read(b"\x80\x80\xff\xfe\x00abc", "a.csv")
    assert caught.value.code == "encoding"
    assert "编码" in str(caught.value.message)


# --- read_table: whole-file refusals ------------------------------------------------------------------


def test_file_over_max_bytes_is_refused_before_parsing(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed a file that is too big")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)
    with pytest.raises(TableError) as caught:
        read(b"x" * 2048, "big.xlsx", max_bytes=1024)
    assert caught.value.code == "too_big"
    assert "MB" in str(caught.value.message)


def test_uploaded_file_over_max_bytes_is_refused():
    upload = SimpleUploadedFile("big.csv", b"a,b\n" * 1000)
    with pytest.raises(TableError) as caught:
        read(upload, upload.name, max_bytes=100)
    assert caught.value.code == "too_big"


def test_too_many_rows_stops_with_an_error():
    rows = [["设备代码", "设备品种", "使用单位"]] + [[f"code{n}", "3110", "甲"] for n in range(5)]
    seen = []
    with pytest.raises(TableError) as caught:
        for row in read(xlsx_bytes(rows), "a.xlsx", max_rows=3):
            seen.append(row.number)
    assert caught.value.code == "too_many_rows"
    assert "3" in str(caught.value.message)
    assert seen == [2, 3, 4]


def test_blank_rows_do_not_count_towards_max_rows():
    rows = [["设备代码", "设备品种", "使用单位"], ["a", "3110", "甲"], [], [None, ""], ["b", "3110", "乙"]]
    assert len(list(read(xlsx_bytes(rows), "a.xlsx", max_rows=2))) == 2


def test_no_recognisable_header_lists_the_required_headers():
    rows = [[TITLE], ["编号", "名称"], ["1", "甲"]]
    with pytest.raises(TableError) as caught:
        read(xlsx_bytes(rows), "a.xlsx")
    assert caught.value.code == "no_header"
    message = str(caught.value.message)
    for header in ("设备代码", "设备品种/设备类别代码", "使用单位/使用单位名称"):
        assert header in message


def test_header_missing_a_required_column_names_it():
    rows = [[TITLE], ["设备代码", "使用单位", "备注"], ["1", "甲", ""]]
    with pytest.raises(TableError) as caught:
        read(xlsx_bytes(rows), "a.xlsx")
    assert caught.value.code == "missing_columns"
    assert "第2行" in str(caught.value.message)
    assert "设备品种/设备类别代码" in str(caught.value.message)
    assert "设备代码" not in str(caught.value.message)


def test_header_is_searched_only_near_the_top():
    rows = [[f"说明{n}"] for n in range(25)] + [["设备代码", "设备品种", "使用单位"]]
    with pytest.raises(TableError) as caught:
        read(xlsx_bytes(rows), "a.xlsx")
    assert caught.value.code == "no_header"
    assert len(list(read(xlsx_bytes(rows), "a.xlsx", header_search_rows=30))) == 0


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"PK\x03\x04 not really a zip", "a.xlsx", "unreadable"),
        (b"\xd0\xcf\x11\xe0 legacy", "a.xlsx", "unreadable"),
        (b"anything", "a.xls", "format"),
        (b"anything", "a.pdf", "format"),
        (b"anything", "noextension", "format"),
    ],
)
def test_unreadable_or_unsupported_files(data, filename, code):
    with pytest.raises(TableError) as caught:
        read(data, filename)
    assert caught.value.code == code


def test_csv_error_mid_file_is_a_table_error():
    old_limit = csv.field_size_limit(100)
    try:
        data = ("设备代码,设备品种,使用单位\n" + "a" * 200 + ",3110,甲\n").encode()
        with pytest.raises(TableError) as caught:
            list(read(data, "a.csv"))
        assert caught.value.code == "unreadable"
    finally:
        csv.field_size_limit(old_limit)


def test_alias_used_for_two_fields_is_a_programming_error():
    with pytest.raises(ValueError, match="设备代码"):
        read(xlsx_bytes([["设备代码"]]), "a.xlsx", aliases={**ALIASES, "other": ["*设备代码"]})
    with pytest.raises(ValueError, match="unknown_field"):
        read(xlsx_bytes([["设备代码"]]), "a.xlsx", required=["unknown_field"])


# --- parse_date -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        date(2021, 3, 5),
        datetime(2021, 3, 5, 14, 30),
        44260,
        44260.0,
        44260.75,
        "44260",
        20210305,
        20210305.0,
        "2021-03-05",
        "2021-3-5",
        "2021/3/5",
        "2021/03/05",
        "2021.03.05",
        "2021.3.5",
        "20210305",
        "2021年3月5日",
        "2021年03月05日",
        "2021年3月5",
        " 2021 年 3 月 5 日 ",
        "２０２１－０３－０５",
        "２０２１年３月５日",
        "2021-03-05 00:00:00",
        "2021/3/5 0:00",
        "2021-03-05T08:00:00",
    ],
)
def test_parse_date_accepts(value):
    assert parse_date(value) == date(2021, 3, 5)


@pytest.mark.parametrize("value", [None, "", "   ", "　"])
def test_parse_date_empty_is_unknown(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "明天",
        "2021-02-30",
        "2021/03-05",
        "03/05/2021",
        "2021年3月",
        "2021-13-01",
        "1.1E+19",
        2015,
        "2015",
        9999,
        9999.5,
        True,
        0,
        -5,
        3e6,
        time(8, 0),
        "21-3-5",
    ],
)
def test_parse_date_refuses_garbage_quoting_it(value):
    with pytest.raises(ValidationError) as caught:
        parse_date(value)
    assert caught.value.code == "date"
    assert str(value) in caught.value.messages[0]


# --- writing ----------------------------------------------------------------------------------------------


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def test_write_xlsx_streams_values_safely():
    rows = [
        ["311042001201500123", Decimal("300.50"), date(2021, 3, 5), '=HYPERLINK("http://x")'],
        ["a\x00b\x07c", None, datetime(2021, 3, 5, 0, 30, tzinfo=UTC), 7],
    ]
    sheet = load(write_xlsx(["设备代码", "保费（元）", "日期", "备注"], rows, sheet_title="电梯/清单"))
    assert sheet.title == "电梯清单"
    assert sheet.freeze_panes == "A2"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["设备代码", "保费（元）", "日期", "备注"]
    assert values[1][:3] == ["311042001201500123", 300.5, datetime(2021, 3, 5)]
    assert sheet["D2"].data_type == "s"  # text, not a formula
    assert values[2] == ["abc", None, datetime(2021, 3, 5, 8, 30), 7]  # local time, Asia/Shanghai


@pytest.mark.parametrize("text", ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_write_xlsx_neutralises_formula_prefixes(text):
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(["备注"], [[text], ["普通文字"]]))).worksheets[0]
    # An XML parser reads a CR in text as LF (lxml does; openpyxl's own parser keeps it).
    value = sheet["A2"].value.replace("\n", "\r") if text.startswith("\r") else sheet["A2"].value
    assert (value, sheet["A2"].data_type, sheet["A2"].quotePrefix) == (text, "s", True)
    assert (sheet["A3"].value, sheet["A3"].quotePrefix) == ("普通文字", False)


def test_error_report_round_trip():
    with read(xlsx_bytes(registry_rows()), "台账.xlsx") as table:
        refused = [
            (row.original, ["设备代码错误", "缺少使用地点"]) for row in table if row.values["address"] is None
        ]
        headers = table.headers
    report = write_error_report(headers, refused + [(["只有一列"], "单个原因")])
    sheet = load(report)
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == [*HEADERS, "错误原因"]
    assert values[1][0] == "宜城物业"
    assert values[1][-1] == "设备代码错误；缺少使用地点"
    assert values[2] == ["只有一列"] + [None] * (len(HEADERS) - 1) + ["单个原因"]
    # The corrected report imports again: "错误原因" is just an unknown column.
    assert [row.values["user_unit"] for row in read(report, "错误报告.xlsx")] == ["宜城物业", "只有一列"]


def both_readers(content: bytes) -> tuple[list, list]:
    """The rows of `content` as openpyxl's read-only mode gives them and as read_table's reader
    (python-calamine, a piece at a time) does, trailing empty cells dropped."""
    from core.xlsx import sources

    def trimmed(rows):
        out = []
        for row in rows:
            row = list(row)
            while row and row[-1] is None:
                row.pop()
            out.append(row)
        return out

    rows, close = sources.open_xlsx_openpyxl(io.BytesIO(content), filename="x.xlsx")
    expected = trimmed(rows)
    close()
    rows, close = sources.open_xlsx(io.BytesIO(content), filename="x.xlsx")
    got = trimmed(rows)
    close()
    return expected, got


def test_calamine_pieces_give_what_openpyxl_gives(monkeypatch):
    from core.xlsx import sources

    monkeypatch.setattr(sources, "CALAMINE_FIRST_PIECE_BYTES", 512)
    monkeypatch.setattr(sources, "CALAMINE_PIECE_BYTES", 2048)  # many pieces
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["C3"] = "标题"  # the first cell used is neither in row 1 nor in column A
    sheet["D3"] = 5
    for n in range(6, 400):
        if n % 7 == 0:
            continue  # blank rows between, some at a piece's edge
        sheet.cell(n, 2, f"值{n}")
        sheet.cell(n, 3, n * 1.5)
        sheet.cell(n, 4, date(2020, 1, 1 + n % 28))
        sheet.cell(n, 5, datetime(2021, 3, 4, 5, 6))
        sheet.cell(n, 6, n % 2 == 0)
        sheet.cell(n, 7, 3.1104206062017e19)  # a 20-digit code typed as a number
        sheet.cell(n, 8, "" if n % 3 else None)
    sheet.cell(450, 1, "末行")
    buffer = io.BytesIO()
    workbook.save(buffer)
    expected, got = both_readers(buffer.getvalue())
    assert got == expected
    assert expected[2] == [None, None, "标题", 5] and len(expected) == 450


def test_calamine_reader_falls_back_to_openpyxl_for_an_empty_sheet():
    expected, got = both_readers(xlsx_bytes([]))
    assert got == expected
