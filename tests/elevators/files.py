"""Registry export files as the province really sends them, built in memory for tests."""

import io
from datetime import date, datetime

import openpyxl

HEADERS = [
    "*设备代码",
    "使用登记证编号",
    "设备品种",
    "使用单位\n名称",
    "使用单位统一社会信用代码",
    "维保单位",
    "所在区县",
    "使用地点",
    "场所类别",
    "设备状态",
    "最近检验日期",
    "检验结论",
    "下次检验日期",
    "安装日期",
]


def row(
    code="311042001201500123",
    registration="梯11鄂F00001(21)",
    category="3110",
    user_unit="襄阳某物业服务有限公司",
    user_unit_code="",
    maintenance="襄阳某电梯工程有限公司",
    district="樊城区",
    address="樊城区长征路1号",
    place="住宅小区",
    status="在用",
    inspected=date(2026, 3, 1),
    result="合格",
    due=date(2027, 3, 1),
    installed=date(2015, 6, 1),
) -> list:
    return [
        code, registration, category, user_unit, user_unit_code, maintenance, district, address, place, status,
        inspected, result, due, installed,
    ]  # fmt: skip


def xlsx(
    rows: list[list], *, headers=HEADERS, title: str | None = "襄阳市在用电梯台账（截至2026年10月）"
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(headers)
    for values in rows:
        sheet.append([datetime(v.year, v.month, v.day) if type(v) is date else v for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(rows: list[list], *, encoding="utf-8-sig", headers=HEADERS) -> bytes:
    def text(v):
        return "" if v is None else (v.isoformat() if isinstance(v, date) else str(v))

    lines = [",".join('"' + h.replace("\n", "") + '"' for h in headers)]
    lines += [",".join(text(v) for v in values) for values in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
