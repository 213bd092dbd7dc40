"""Elevator categories, special-equipment codes and use-registration certificate numbers."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from elevators.codes import (
    CATEGORIES_BY_CODE,
    ELEVATOR_CATEGORIES,
    CategoryGroup,
    EquipmentCodeForm,
    category_by_code_or_name,
    normalise_equipment_code,
    normalise_registration_number,
)

TODAY = date(2026, 5, 20)
DEVICE = EquipmentCodeForm.DEVICE
REGISTRATION = EquipmentCodeForm.REGISTRATION


def error_of(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- categories ---------------------------------------------------------------------------------


def test_category_table_matches_the_catalogue():
    assert [c.code for c in ELEVATOR_CATEGORIES] == [
        "3110", "3120", "3130", "3210", "3220", "3310", "3320", "3410", "3420", "3430",
    ]  # fmt: skip
    assert len({c.variety for c in ELEVATOR_CATEGORIES}) == 10
    assert len({c.name for c in ELEVATOR_CATEGORIES}) == 10
    assert CATEGORIES_BY_CODE["3310"].group == CategoryGroup.ESCALATOR
    assert CATEGORIES_BY_CODE["3320"].group == CategoryGroup.MOVING_WALKWAY
    vertical = {c.code for c in ELEVATOR_CATEGORIES if c.group == CategoryGroup.VERTICAL}
    assert vertical == {"3110", "3120", "3130", "3210", "3220", "3410", "3420", "3430"}
    assert all(c.variety == c.code[1:3] for c in ELEVATOR_CATEGORIES)


@pytest.mark.parametrize(
    "value",
    [
        "3110",
        3110,
        3110.0,
        " 3110 ",
        "３１１０",
        "曳引驱动乘客电梯",
        " 曳引驱动 乘客电梯\n",
        "3110曳引驱动乘客电梯",
        "3110 曳引驱动乘客电梯",
        "曳引驱动乘客电梯（3110）",
        "曳引驱动乘客电梯(3110)",
    ],
)
def test_category_by_code_or_name_accepts_codes_and_names(value):
    assert category_by_code_or_name(value).code == "3110"


@pytest.mark.parametrize(
    "value", [None, "", "  ", "9999", "3100", "31", "电梯", "3110自动扶梯", "自动扶梯(3110)"]
)
def test_category_by_code_or_name_refuses_unknown_or_contradictory(value):
    assert category_by_code_or_name(value) is None


# --- special-equipment code: valid --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("311042001201500123", ("311042001201500123", DEVICE)),
        ("33104200120260A123", ("33104200120260A123", DEVICE)),  # letters in the serial, this year
        ("31104200120150a12b", ("31104200120150A12B", DEVICE)),  # lower case
        ("３１１０ ４２００１ ２０１５ ００１２３", ("311042001201500123", DEVICE)),  # full width, spaces
        ("31104206062014080025", ("31104206062014080025", REGISTRATION)),
        (" 3110 420606 201408 0025\t", ("31104206062014080025", REGISTRATION)),
        ("'31104206062014080025", ("31104206062014080025", REGISTRATION)),  # Excel's text marker
        ("34304206062026050001", ("34304206062026050001", REGISTRATION)),  # this very month
        (31104206062014080025, ("31104206062014080025", REGISTRATION)),  # an int cell keeps every digit
    ],
)
def test_equipment_code_valid(value, expected):
    assert normalise_equipment_code(value, today=TODAY) == expected


def test_equipment_code_form_is_a_plain_string():
    code, form = normalise_equipment_code("311042001201500123", today=TODAY)
    assert form == "device"


def test_equipment_code_today_defaults_to_local_date():
    assert normalise_equipment_code("311042001201500123")[1] == DEVICE


# --- special-equipment code: every way to be wrong ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "required"),
        ("", "required"),
        ("  　", "required"),
        ("1.1E+19", "scientific_notation"),
        ("3.11042E+19", "scientific_notation"),
        ("3.11042e+19", "scientific_notation"),
        ("３．１１０４２Ｅ＋１９", "scientific_notation"),
        ("3E+19", "scientific_notation"),
        (1.1e19, "scientific_notation"),
        (3.1104206062014081e19, "scientific_notation"),
        (3110.5, "scientific_notation"),
        (3110.0, "length"),  # integral and exact, but only four digits
        ("3110420012015001", "length"),
        ("3110420606201408002500", "length"),
        ("3110-42001-2015-00123", "characters"),
        ("设备311042001201500", "characters"),
        ("3110420606201408002A", "characters"),  # 20 characters must all be digits
        ("991042001201500123", "category"),
        ("A11042001201500123", "category"),
        ("99104206062014080025", "category"),
        ("3110A2001201500123", "manufacturer"),
        ("311042001194900123", "year"),  # before 1950
        ("311042001209900123", "year"),  # device code from the future
        ("31104206061949080025", "year"),
        ("31104206062027010025", "year"),
        ("31104206062026060025", "year"),  # next month of this year
        ("31104206062014130025", "month"),
        ("31104206062014000025", "month"),
        ("31109906062014080025", "region"),
        ("31100006062014080025", "region"),
        ("31101006062014080025", "region"),
    ],
)
def test_equipment_code_invalid(value, code):
    assert error_of(normalise_equipment_code, value, today=TODAY).code == code


def test_scientific_notation_message_says_excel_lost_digits():
    for value in ("1.1E+19", 1.1e19):
        message = error_of(normalise_equipment_code, value, today=TODAY).messages[0]
        assert "科学计数法" in message
        assert "1.1E+19" in message
        assert "已丢失位数，请将该列设为文本后重新导出" in message


def test_equipment_code_messages_quote_the_offending_part():
    assert "13" in error_of(normalise_equipment_code, "31104206062014130025", today=TODAY).messages[0]
    assert "2099" in error_of(normalise_equipment_code, "311042001209900123", today=TODAY).messages[0]
    assert "16位" in error_of(normalise_equipment_code, "3110420012015001", today=TODAY).messages[0]
    assert "-" in error_of(normalise_equipment_code, "3110-42001-2015-00123", today=TODAY).messages[0]
    assert "9906" in error_of(normalise_equipment_code, "31109906062014080025", today=TODAY).messages[0]


# --- use-registration certificate number --------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "梯11鄂F00001(21)",
        "梯11鄂F00001（21）",
        "梯11鄂f00001(21)",
        " 梯 11 鄂 F 00001 （21） ",
        "梯１１鄂Ｆ００００１（２１）",
    ],
)
def test_registration_number_valid(value):
    assert normalise_registration_number(value) == "梯11鄂F00001(21)"


def test_registration_number_agrees_with_category_by_code_or_name():
    assert normalise_registration_number("梯31鄂F00012(19)", category_code="3310") == "梯31鄂F00012(19)"
    assert normalise_registration_number("梯31鄂F00012(19)", category_code="自动扶梯") == "梯31鄂F00012(19)"


def test_registration_number_city_letter_and_province_when_configured():
    assert normalise_registration_number("梯11鄂F00001(21)", city_letter="f") == "梯11鄂F00001(21)"
    assert normalise_registration_number("梯11京A00001(21)", province=None) == "梯11京A00001(21)"
    assert normalise_registration_number("梯11京A00001(21)", province="京", city_letter="A")


@pytest.mark.parametrize(
    ("value", "kwargs", "code"),
    [
        (None, {}, "required"),
        ("", {}, "required"),
        ("11鄂F00001(21)", {}, "form"),
        ("梯11鄂F0001(21)", {}, "form"),
        ("梯11鄂F00001", {}, "form"),
        ("梯11鄂F00001(2021)", {}, "form"),
        ("梯1鄂F00001(21)", {}, "form"),
        ("梯11鄂00001(21)", {}, "form"),
        ("梯11EF00001(21)", {}, "form"),
        ("梯99鄂F00001(21)", {}, "variety"),
        ("梯33鄂F00001(21)", {}, "variety"),
        ("梯11鄂F00001(21)", {"category_code": "3310"}, "category_mismatch"),
        ("梯31鄂F00001(21)", {"category_code": "曳引驱动乘客电梯"}, "category_mismatch"),
        ("梯11京A00001(21)", {}, "province"),
        ("梯11豫F00001(21)", {"province": "鄂"}, "province"),
        ("梯11鄂A00001(21)", {"city_letter": "F"}, "city"),
    ],
)
def test_registration_number_invalid(value, kwargs, code):
    assert error_of(normalise_registration_number, value, **kwargs).code == code


def test_registration_number_mismatch_names_both_categories():
    message = error_of(normalise_registration_number, "梯11鄂F00001(21)", category_code="3310").messages[0]
    for part in ("11", "曳引驱动乘客电梯", "3310", "自动扶梯"):
        assert part in message


def test_registration_number_with_an_unknown_category_is_a_programming_error():
    with pytest.raises(ValueError, match="9999"):
        normalise_registration_number("梯11鄂F00001(21)", category_code="9999")
