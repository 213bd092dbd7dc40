"""Elevator codes as data, and the functions that validate them (see reference/codes.md).

Three things identify an elevator on paper: its category (特种设备目录 2014 edition), its
special-equipment code (设备代码, in one of two forms) and its use-registration certificate number
(使用登记证编号). The tables below are the single source of those facts; the functions only read
them. Nothing here touches the database.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop
from django.utils.translation import gettext_lazy as _

from core.text import normalise_code


class CategoryGroup(models.TextChoices):
    """How the plan counts elevators: vertical elevators, escalators and moving walkways."""

    VERTICAL = "vertical", _("垂直电梯")
    ESCALATOR = "escalator", _("自动扶梯")
    MOVING_WALKWAY = "moving_walkway", _("自动人行道")


class EquipmentCodeForm(models.TextChoices):
    """The two forms of 设备代码 found in the same registry column."""

    DEVICE = "device", _("设备代码（18位）")
    REGISTRATION = "registration", _("注册代码（20位）")


@dataclass(frozen=True)
class ElevatorCategory:
    """One elevator category of the special-equipment catalogue."""

    code: str  # 4-digit catalogue code, e.g. "3110"
    name: str  # official name, e.g. "曳引驱动乘客电梯"
    group: CategoryGroup
    variety: str  # 2-digit variety number used in the use-registration certificate, e.g. "11"


# 特种设备目录 (2014). An older provincial scheme reused these numbers for other categories; an
# import that meets such a file must be told so — this table is the 2014 catalogue only.
ELEVATOR_CATEGORIES: tuple[ElevatorCategory, ...] = (
    ElevatorCategory("3110", gettext_noop("曳引驱动乘客电梯"), CategoryGroup.VERTICAL, "11"),
    ElevatorCategory("3120", gettext_noop("曳引驱动载货电梯"), CategoryGroup.VERTICAL, "12"),
    ElevatorCategory("3130", gettext_noop("强制驱动载货电梯"), CategoryGroup.VERTICAL, "13"),
    ElevatorCategory("3210", gettext_noop("液压乘客电梯"), CategoryGroup.VERTICAL, "21"),
    ElevatorCategory("3220", gettext_noop("液压载货电梯"), CategoryGroup.VERTICAL, "22"),
    ElevatorCategory("3310", gettext_noop("自动扶梯"), CategoryGroup.ESCALATOR, "31"),
    ElevatorCategory("3320", gettext_noop("自动人行道"), CategoryGroup.MOVING_WALKWAY, "32"),
    ElevatorCategory("3410", gettext_noop("防爆电梯"), CategoryGroup.VERTICAL, "41"),
    ElevatorCategory("3420", gettext_noop("消防员电梯"), CategoryGroup.VERTICAL, "42"),
    ElevatorCategory("3430", gettext_noop("杂物电梯"), CategoryGroup.VERTICAL, "43"),
)

# Parent entries of the catalogue; not categories an elevator can have, but they name the groups.
ELEVATOR_CATEGORY_PARENTS: dict[str, str] = {
    "3100": "曳引与强制驱动电梯",
    "3200": "液压驱动电梯",
    "3300": "自动扶梯与自动人行道",
    "3400": "其它类型电梯",
}

CATEGORIES_BY_CODE: dict[str, ElevatorCategory] = {c.code: c for c in ELEVATOR_CATEGORIES}
CATEGORIES_BY_VARIETY: dict[str, ElevatorCategory] = {c.variety: c for c in ELEVATOR_CATEGORIES}
CATEGORIES_BY_NAME: dict[str, ElevatorCategory] = {c.name: c for c in ELEVATOR_CATEGORIES}
# Shown in the reader's language (the names are Chinese: files and the registry use them as they are).
CATEGORY_CHOICES: list[tuple[str, str]] = [(c.code, gettext_lazy(c.name)) for c in ELEVATOR_CATEGORIES]

# Province-level division codes (GB/T 2260, first two digits of a region code).
PROVINCE_CODES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

EARLIEST_CODE_YEAR = 1950

# Layout of each form: (start, end) slices of the normalised code.
DEVICE_CODE_LENGTH = 18
DEVICE_CODE_PARTS = {"category": (0, 4), "manufacturer": (4, 9), "year": (9, 13), "serial": (13, 18)}
REGISTRATION_CODE_LENGTH = 20
REGISTRATION_CODE_PARTS = {"category": (0, 4), "region": (4, 10), "year": (10, 14), "month": (14, 16)}
EQUIPMENT_CODE_FORMS_BY_LENGTH = {
    DEVICE_CODE_LENGTH: EquipmentCodeForm.DEVICE,
    REGISTRATION_CODE_LENGTH: EquipmentCodeForm.REGISTRATION,
}
EQUIPMENT_CODE_MAX_LENGTH = 21  # room to spare, as codes.md asks

CODE_CHARACTERS = re.compile(r"[0-9A-Z]")
# What Excel (or Python) prints for a large number: 1.1E+19, 3.11042E+19, 3E+19. A real code never
# holds "." or "+", so this cannot match one.
SCIENTIFIC_NOTATION = re.compile(r"^[0-9]+(?:\.[0-9]+E[+-]?|E[+-])[0-9]+$")
SCIENTIFIC_NOTATION_MESSAGE = _(
    "设备代码被Excel转成了科学计数法（%(value)s），已丢失位数，请将该列设为文本后重新导出。"
)
# Floats are exact integers only below 2**53; anything larger has already lost digits.
FLOAT_EXACT_LIMIT = 2**53

REGISTRATION_NUMBER = re.compile(
    r"^梯(?P<variety>[0-9]{2})(?P<province>[\u4e00-\u9fff])(?P<city>[A-Z])"
    r"(?P<sequence>[0-9]{5})\((?P<year>[0-9]{2})\)$"
)
REGISTRATION_NUMBER_EXAMPLE = "梯11鄂F00001(21)"

# A category may come as "3110曳引驱动乘客电梯" or "曳引驱动乘客电梯(3110)"; both halves must agree.
CATEGORY_CODE_AND_NAME = (
    re.compile(r"^(?P<code>[0-9]{4})[-_:、.]?(?P<name>\D+)$"),
    re.compile(r"^(?P<name>\D+?)[(\[](?P<code>[0-9]{4})[)\]]$"),
)


def _compact(value: object) -> str:
    """A cell as text without any white space; integral numbers lose their ".0"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_code(value)


def category_by_code_or_name(value: object) -> ElevatorCategory | None:
    """The 2014-catalogue category named by `value`, or None.

    Accepts the code ("3110", 3110, "３１１０"), the name ("曳引驱动乘客电梯") or both together
    ("3110 曳引驱动乘客电梯", "曳引驱动乘客电梯（3110）") with stray spaces and full-width
    characters. A code and a name that disagree give None rather than a guess.
    """
    text = _compact(value)
    if not text:
        return None
    found = CATEGORIES_BY_CODE.get(text) or CATEGORIES_BY_NAME.get(text)
    if found:
        return found
    for pattern in CATEGORY_CODE_AND_NAME:
        match = pattern.match(text)
        if match:
            by_code = CATEGORIES_BY_CODE.get(match["code"])
            if by_code and by_code is CATEGORIES_BY_NAME.get(match["name"]):
                return by_code
    return None


def _known_categories() -> str:
    return "、".join(c.code for c in ELEVATOR_CATEGORIES)


def _equipment_code_text(value: object) -> str:
    """The cell as normalised text, refusing numbers that Excel has already rounded."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < FLOAT_EXACT_LIMIT:
            return str(int(value))
        raise ValidationError(
            SCIENTIFIC_NOTATION_MESSAGE,
            code="scientific_notation",
            params={"value": f"{value:.6G}"},
        )
    # A leading apostrophe is how people force Excel to keep a number as text.
    return normalise_code(value).removeprefix("'")


def normalise_equipment_code(value: object, *, today: date | None = None) -> tuple[str, EquipmentCodeForm]:
    """Normalise and validate a special-equipment code (设备代码); return (code, form).

    The 18-character device code is category (4) + manufacturer (5) + manufacture year (4) +
    serial (5, letters allowed); the 20-digit legacy registration code is category (4) + region
    (6) + year and month (6) + sequence (4). Full width, lower case and spaces are folded first;
    integers from Excel cells are accepted, floats only when they still hold every digit. Each way
    of being wrong raises ValidationError with its own `code`.
    """
    code = _equipment_code_text(value)
    if not code:
        raise ValidationError(_("设备代码不能为空。"), code="required")
    if SCIENTIFIC_NOTATION.match(code):
        raise ValidationError(
            SCIENTIFIC_NOTATION_MESSAGE,
            code="scientific_notation",
            params={"value": code},
        )
    bad = sorted(set(CODE_CHARACTERS.sub("", code)))
    if bad:
        raise ValidationError(
            _("设备代码含有不允许的字符：%(chars)s（只能是数字和字母）。"),
            code="characters",
            params={"chars": " ".join(bad)},
        )
    form = EQUIPMENT_CODE_FORMS_BY_LENGTH.get(len(code))
    if form is None:
        raise ValidationError(
            _("设备代码应为18位（设备代码）或20位（注册代码），输入为%(length)d位：%(value)s。"),
            code="length",
            params={"length": len(code), "value": code},
        )
    today = today or timezone.localdate()
    if form == EquipmentCodeForm.DEVICE:
        _check_device_code(code, today=today)
    else:
        _check_registration_code(code, today=today)
    return code, form


def _part(code: str, layout: dict[str, tuple[int, int]], name: str) -> str:
    start, end = layout[name]
    return code[start:end]


def _check_category_prefix(prefix: str) -> None:
    if prefix not in CATEGORIES_BY_CODE:
        raise ValidationError(
            _("设备代码的前4位%(prefix)s不是已知的电梯类别代码（%(known)s）。"),
            code="category",
            params={"prefix": prefix, "known": _known_categories()},
        )


def _check_year(year: str, *, today: date) -> int:
    if not year.isdigit() or not EARLIEST_CODE_YEAR <= int(year) <= today.year:
        raise ValidationError(
            _("设备代码中的年份%(year)s不合理（应在%(earliest)d年至%(this_year)d年之间）。"),
            code="year",
            params={"year": year, "earliest": EARLIEST_CODE_YEAR, "this_year": today.year},
        )
    return int(year)


def _check_device_code(code: str, *, today: date) -> None:
    _check_category_prefix(_part(code, DEVICE_CODE_PARTS, "category"))
    manufacturer = _part(code, DEVICE_CODE_PARTS, "manufacturer")
    if not manufacturer.isdigit():
        raise ValidationError(
            _("设备代码中的制造单位代码%(manufacturer)s应为5位数字。"),
            code="manufacturer",
            params={"manufacturer": manufacturer},
        )
    _check_year(_part(code, DEVICE_CODE_PARTS, "year"), today=today)


def _check_registration_code(code: str, *, today: date) -> None:
    if not code.isdigit():
        raise ValidationError(
            _("20位注册代码只能由数字组成，含有：%(chars)s。"),
            code="characters",
            params={"chars": " ".join(sorted({c for c in code if not c.isdigit()}))},
        )
    _check_category_prefix(_part(code, REGISTRATION_CODE_PARTS, "category"))
    region = _part(code, REGISTRATION_CODE_PARTS, "region")
    if region[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("注册代码中的行政区划代码%(region)s不合理（前两位应为省级代码，如湖北为42）。"),
            code="region",
            params={"region": region},
        )
    year = _check_year(_part(code, REGISTRATION_CODE_PARTS, "year"), today=today)
    month = _part(code, REGISTRATION_CODE_PARTS, "month")
    if not 1 <= int(month) <= 12:
        raise ValidationError(
            _("注册代码中的月份%(month)s不合理（应为01至12）。"), code="month", params={"month": month}
        )
    if (year, int(month)) > (today.year, today.month):
        raise ValidationError(
            _("注册代码中的登记年月%(year)d年%(month)s月晚于今天。"),
            code="year",
            params={"year": year, "month": month},
        )


def normalise_registration_number(
    value: object,
    *,
    category_code: str | None = None,
    province: str | None = "鄂",
    city_letter: str | None = None,
) -> str:
    """Normalise and validate a use-registration certificate number (使用登记证编号).

    The form is 梯 + variety number (2) + province abbreviation + city letter + sequence (5) +
    (YY); full-width brackets, spaces and lower case are accepted and the canonical half-width
    form is returned, e.g. 梯11鄂F00001(21). `category_code` (a code or name known to the
    catalogue) makes the variety number agree with the elevator's category; `province` and
    `city_letter` are checked when given (the city letter is configuration). The two-digit year
    is not checked: it cannot tell 1921 from 2021.
    """
    text = normalise_code(value)
    if not text:
        raise ValidationError(_("使用登记证编号不能为空。"), code="required")
    match = REGISTRATION_NUMBER.match(text)
    if not match:
        raise ValidationError(
            _(
                "使用登记证编号格式不正确：%(value)s（应为“梯”+2位品种代号+省份简称+城市字母"
                "+5位顺序号+(2位年份)，如%(example)s）。"
            ),
            code="form",
            params={"value": text, "example": REGISTRATION_NUMBER_EXAMPLE},
        )
    variety = CATEGORIES_BY_VARIETY.get(match["variety"])
    if variety is None:
        raise ValidationError(
            _("使用登记证编号中的品种代号%(variety)s不是已知的电梯品种（%(known)s）。"),
            code="variety",
            params={"variety": match["variety"], "known": "、".join(CATEGORIES_BY_VARIETY)},
        )
    if category_code is not None:
        category = category_by_code_or_name(category_code)
        if category is None:
            raise ValueError(f"unknown elevator category {category_code!r}")
        if category is not variety:
            raise ValidationError(
                _(
                    "使用登记证编号中的品种代号%(variety)s（%(variety_name)s）"
                    "与设备品种%(category)s（%(category_name)s）不一致。"
                ),
                code="category_mismatch",
                params={
                    "variety": variety.variety,
                    "variety_name": variety.name,
                    "category": category.code,
                    "category_name": category.name,
                },
            )
    if province and match["province"] != province:
        raise ValidationError(
            _("使用登记证编号中的省份简称应为“%(expected)s”，实为“%(actual)s”。"),
            code="province",
            params={"expected": province, "actual": match["province"]},
        )
    if city_letter and match["city"] != normalise_code(city_letter):
        raise ValidationError(
            _("使用登记证编号中的城市字母应为%(expected)s，实为%(actual)s。"),
            code="city",
            params={"expected": normalise_code(city_letter), "actual": match["city"]},
        )
    return "梯{variety}{province}{city}{sequence}({year})".format(**match.groupdict())
