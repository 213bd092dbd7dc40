"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.text import normalise_code

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28


def credit_code_check_character(first17: str) -> str:
    """The 18th character that GB 32100-2015 derives from the first 17."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(value: object) -> str:
    """Normalise (spaces, lower case, full width) and validate; return the canonical code."""
    code = normalise_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，输入为%(length)d位。"), code="length", params={"length": len(code)}
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。"),
            code="alphabet",
            params={"chars": "".join(bad)},
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：应为 %(expected)s，实为 %(actual)s。"),
            code="check",
            params={"expected": expected, "actual": code[17]},
        )
    return code


def validate_credit_code(value: str) -> None:
    """Model-field validator: the stored value must already be canonical."""
    if normalise_credit_code(value) != value:
        raise ValidationError(_("统一社会信用代码应使用大写半角字符且不含空格。"), code="form")
