"""The values a claim item may carry: what each field accepts, cleaned to Python values, and the
reasons an item is refused, gathered by field."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.text import is_invisible
from core.validators import validate_plausible_date
from elevators.codes import normalise_equipment_code

from ...models import Claim, ClaimPayment, ClaimStatus, CoverageItem

CLAIMS_BATCH_MAX = 1000

CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REFUSED)

STATUS_DATE_FIELD = {
    ClaimStatus.REPORTED: "reported_on",
    ClaimStatus.ACCEPTED: "accepted_on",
    ClaimStatus.PAID: "paid_on",
    ClaimStatus.REJECTED: "rejected_on",
    ClaimStatus.WITHDRAWN: "withdrawn_on",
    ClaimStatus.CLOSED: "closed_on",
}
DATE_FIELDS = list(STATUS_DATE_FIELD.values())
MONEY_FIELDS = ["amount_claimed", "amount_reserved", "amount_paid"]
COUNT_FIELDS = ["people_injured", "people_dead"]
# The claim's own columns that an item may set (references and payments are handled apart).
SCALAR_FIELDS = [
    "incident_at", "kind", "coverage_item", *COUNT_FIELDS, *MONEY_FIELDS, "advance_payment", "status",
    *DATE_FIELDS, "description",
]  # fmt: skip
REQUIRED_ON_CREATE = [
    "policy_number",
    "equipment_code",
    "incident_at",
    "kind",
    "coverage_item",
    "reported_on",
]
MONEY_MAX = Decimal("999999999999.99")  # MONEY: 14 digits, 2 after the point
FEN = Decimal("0.01")
DESCRIPTION_MAX = 5000
PAYMENT_TEXT_LIMITS = {"payee": 100, "reference": 64}


# --- values ---------------------------------------------------------------------------------


class InvalidValue(Exception):
    """A value of the wrong kind; the message is shown to the user."""


def _text(raw, *, limit: int) -> str:
    if raw is None or not isinstance(raw, str | int):
        raise InvalidValue(_("必须是文本。"))
    text = str(raw).strip()
    if not text:
        raise InvalidValue(_("不能为空。"))
    if is_invisible(text):
        raise InvalidValue(_("不能只由不可见字符或格式字符组成。"))
    if len(text) > limit:
        raise InvalidValue(_("不能超过%(limit)d个字符。") % {"limit": limit})
    return text


def _choice(choices):
    by_value = {value: value for value in choices.values}

    def clean(raw):
        found = by_value.get(str(raw).strip()) if raw is not None else None
        if found is None:
            allowed = "、".join(f"{value}（{label}）" for value, label in choices.choices)
            raise InvalidValue(_("“%(value)s”不是可选值：%(allowed)s。") % {"value": raw, "allowed": allowed})
        return found

    return clean


def _count(raw) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise InvalidValue(_("必须是不小于0的整数。"))
    return raw


def _money(raw, *, positive: bool = False) -> Decimal:
    if isinstance(raw, bool) or raw is None:
        raise InvalidValue(_("必须是金额（元）。"))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidValue(_("“%(value)s”不是金额。") % {"value": raw}) from None
    if not value.is_finite():
        raise InvalidValue(_("“%(value)s”不是金额。") % {"value": raw})
    if value != value.quantize(FEN):
        raise InvalidValue(_("金额最多两位小数（到分）。"))
    if value < 0 or (positive and value == 0):
        raise InvalidValue(_("金额必须大于0。") if positive else _("金额不能为负数。"))
    if value > MONEY_MAX:
        raise InvalidValue(_("金额过大。"))
    return value.quantize(FEN)


def _bool(raw) -> bool:
    if not isinstance(raw, bool):
        raise InvalidValue(_("必须是“是”或“否”（true/false）。"))
    return raw


def _plausible(day):
    try:
        validate_plausible_date(day)
    except DjangoValidationError as exc:
        raise InvalidValue(" ".join(exc.messages)) from None
    return day


def _date(raw, *, required: bool = False) -> date | None:
    if raw is None and not required:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if not isinstance(raw, date):
        raise InvalidValue(_("必须是日期。"))
    return _plausible(raw)


def _datetime(raw) -> datetime:
    if not isinstance(raw, datetime):
        raise InvalidValue(_("必须是日期时间。"))
    _plausible(raw)  # year 1 has no instant in UTC: refused before it overflows
    if timezone.is_naive(raw):
        raw = timezone.make_aware(raw, timezone.get_default_timezone())
    return raw


def clean_equipment_code(raw, *, today: date | None = None) -> str:
    """The normalised code, checked on `today` (the local date: a batch finds it once)."""
    if isinstance(raw, str):  # a batch names each code twice (its lookups, then the item)
        code = _valid_code(raw, today or timezone.localdate())
        if code is not None:
            return code
    try:
        code, _form = normalise_equipment_code(raw)
    except DjangoValidationError as exc:
        raise InvalidValue(" ".join(exc.messages)) from None
    return code


@lru_cache(maxsize=4096)
def _valid_code(raw: str, today: date) -> str | None:
    """The normalised code of a valid `raw` on `today`, else None (the refusal is worded afresh,
    in the request's language, by normalise_equipment_code)."""
    try:
        return normalise_equipment_code(raw, today=today)[0]
    except DjangoValidationError:
        return None


def _description(raw) -> str:
    text = "" if raw is None else str(raw).strip()
    if len(text) > DESCRIPTION_MAX:
        raise InvalidValue(_("不能超过%(limit)d个字符。") % {"limit": DESCRIPTION_MAX})
    return text


def _payments(raw) -> list[dict]:
    if not isinstance(raw, list | tuple):
        raise InvalidValue(_("必须是支付记录的列表。"))
    payments = []
    for number, payment in enumerate(raw, start=1):
        try:
            if not isinstance(payment, dict):
                raise InvalidValue(_("必须是一个对象。"))
            row = {
                "paid_on": _date(payment.get("paid_on"), required=True),
                "amount": _money(payment.get("amount"), positive=True),
            }
            for name, limit in PAYMENT_TEXT_LIMITS.items():
                text = "" if payment.get(name) is None else str(payment[name]).strip()
                if len(text) > limit:
                    raise InvalidValue(
                        _("%(name)s不能超过%(limit)d个字符。") % {"name": name, "limit": limit}
                    )
                row[name] = text
        except InvalidValue as exc:
            raise InvalidValue(_("第%(n)d笔支付：%(reason)s") % {"n": number, "reason": exc}) from None
        payments.append(row)
    return payments


CLEANERS = {
    "claim_number": lambda raw: _text(raw, limit=64),
    "policy_number": lambda raw: _text(raw, limit=64),
    "equipment_code": clean_equipment_code,
    "incident_at": _datetime,
    "kind": _choice(Claim.Kind),
    "coverage_item": _choice(CoverageItem),
    "status": _choice(ClaimStatus),
    **dict.fromkeys(COUNT_FIELDS, _count),
    **dict.fromkeys(MONEY_FIELDS, _money),
    "advance_payment": _bool,
    "reported_on": lambda raw: _date(raw, required=True),
    **{name: _date for name in DATE_FIELDS if name != "reported_on"},
    "description": _description,
    "payments": _payments,
}


class Problems:
    """Every reason one item is refused, by field; raised together as one ApplicationError."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field_name: str, message) -> None:
        self.errors.setdefault(field_name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.errors:
            field_name, messages = next(iter(self.errors.items()))
            raise ApplicationError(messages[0], field=field_name, extra={"errors": self.errors})


def clean_values(item: dict, problems: Problems, *, code_day: date | None = None) -> dict:
    """The item's values cleaned (CLEANERS), the reasons refused ones are in `problems`;
    `code_day` is the local date equipment codes are checked on (today's when not given)."""
    values = {}
    for name, raw in item.items():
        cleaner = CLEANERS.get(name)
        if cleaner is None:
            continue
        try:
            values[name] = (
                clean_equipment_code(raw, today=code_day) if name == "equipment_code" else cleaner(raw)
            )
        except InvalidValue as exc:
            problems.add(name, exc)
    return values


def payment_key(payment) -> tuple:
    if isinstance(payment, ClaimPayment):
        return (payment.paid_on, payment.amount, payment.payee, payment.reference)
    return (payment["paid_on"], payment["amount"], payment["payee"], payment["reference"])


def incident_day(incident_at: datetime) -> date:
    """The incident's calendar day in the portal's time zone (Asia/Shanghai)."""
    return timezone.localtime(incident_at, timezone.get_default_timezone()).date()


def key_of(raw) -> str:
    """A claim or policy number as a batch is grouped by (what the cleaning would make of it)."""
    return str(raw).strip() if isinstance(raw, str | int) else ""
