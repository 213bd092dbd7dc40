import pytest
from django.core.exceptions import ValidationError

from accounts.validators import credit_code_check_character, normalise_credit_code, validate_credit_code

VALID = "91350100M000100Y43"  # the example printed in GB 32100-2015


def test_valid_code_passes_unchanged():
    assert normalise_credit_code(VALID) == VALID
    validate_credit_code(VALID)


def test_check_character_is_computed_from_the_first_17():
    assert credit_code_check_character(VALID[:17]) == "3"


@pytest.mark.parametrize(
    "spelling",
    [
        "91350100m000100y43",  # lower case
        " 9135 0100M000100Y43 ",  # stray spaces
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full width
        "91350100M000100Y43\u3000",  # ideographic space
    ],
)
def test_normalises_case_spaces_and_full_width(spelling):
    assert normalise_credit_code(spelling) == VALID


def test_wrong_check_character_is_refused_with_the_expected_one():
    with pytest.raises(ValidationError) as exc:
        normalise_credit_code(VALID[:17] + "4")
    assert exc.value.code == "check"
    assert "3" in exc.value.messages[0]


@pytest.mark.parametrize("value", ["", VALID[:17], VALID + "0", "9135"])
def test_bad_length(value):
    with pytest.raises(ValidationError) as exc:
        normalise_credit_code(value)
    assert exc.value.code == "length"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z", "-"])
def test_characters_outside_the_alphabet(letter):
    with pytest.raises(ValidationError) as exc:
        normalise_credit_code(VALID[:8] + letter + VALID[9:])
    assert exc.value.code == "alphabet"


def test_model_validator_wants_the_canonical_form():
    with pytest.raises(ValidationError):
        validate_credit_code(VALID.lower())
