"""core.api.shapes.QuickShape answers exactly what its serializer answers: the same validated data
for every item it takes the quick way, and DRF's own refusal for every other."""

import pytest
from rest_framework import serializers

from core.api.shapes import QuickShape
from insurance.api.serializers.claims import ClaimWriteSerializer

VALID = {
    "claim_number": "LP0000001",
    "policy_number": "BP000001",
    "equipment_code": "311042001201500001",
    "incident_at": "2026-03-05T14:30:00+08:00",
    "kind": "trapping",
    "coverage_item": "medical",
    "people_injured": 0,
    "people_dead": 1,
    "amount_claimed": "1200.50",
    "amount_reserved": 300,
    "amount_paid": "0",
    "advance_payment": False,
    "status": "paid",
    "reported_on": "2026-03-06",
    "accepted_on": None,
    "paid_on": "2026-03-09",
    "description": "轿厢困人，维保单位到场救援。",
    "not_a_field": "ignored",
}
# Values of each kind the quick path must refer to DRF, and some it takes itself.
VARIANTS = {
    "claim_number": ["", "  ", " LP1 ", 12, 1.5, True, None, "x" * 65, "a\x00b", "\ud800", "号码一"],
    "incident_at": [
        "2026-03-05T14:30:00Z", "2026-03-05 14:30", "2026-03-05T14:30:00", "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-12:00", "1899-12-31T10:00:00+08:00", "not a time", "", 20260305, None,
        "2026-03-05T14:30:00.123456+08:00", "2026-03-05T14:30:00,5+08:00", "2026-03-05T14:30+08",
        "20260305T143000", "2026-03-05", "2026-03-05T24:00:00", "2026-3-5T14:30:00", "2026-03-05T14:30:00+24:00",
        "2100-12-31T23:00:00-08:00", "1900-01-01T00:00:00+14:00",
    ],
    "kind": ["death", "nonsense", "", None, 1, ["trapping"]],
    "people_injured": [-1, 0, 3, "3", 3.0, 3.5, True, None, 10**30],
    "amount_claimed": [
        "0", "-1", "1.005", "1e3", "NaN", "Infinity", 12, 12.5, "999999999999.99", "9999999999999",
        " 12 ", "", None, True,
    ],
    "advance_payment": [True, "true", 1, 0, "no", None],
    "reported_on": [
        "2026-03-06", "2026-3-6", "1899-12-31", "2101-01-01", "2026-03-06T00:00:00", "", None, 1, "20260306",
        "2026-W10-5", "2026-065", "2026-02-29", "+2026-03-06", " 2026-03-06", "２０２６-03-06",
    ],
    "paid_on": [None, "2026-02-30", "2026-03-09"],
    "description": ["", "  ", " 经过 ", "x" * 5001, None, 5],
    "status": ["closed", "paid ", None],
    "payments": [[], [{"paid_on": "2026-03-09", "amount": "800.00"}], None, "x"],
}  # fmt: skip


def answer(shape, item):
    try:
        return ("valid", dict(shape.run_validation(item)))
    except serializers.ValidationError as exc:
        return ("refused", exc.detail)


def cases():
    yield VALID
    for name, values in VARIANTS.items():
        for value in values:
            yield {**VALID, name: value}
        yield {key: value for key, value in VALID.items() if key != name}
    yield {"claim_number": "LP2"}
    yield {}
    yield []
    yield "LP3"
    yield None


@pytest.mark.parametrize("item", list(cases()), ids=repr)
def test_the_same_answer_as_the_serializer(item):
    assert answer(QuickShape(ClaimWriteSerializer()), item) == answer(ClaimWriteSerializer(), item)


def test_a_plain_valid_item_takes_the_quick_path(monkeypatch):
    shape = QuickShape(ClaimWriteSerializer())
    monkeypatch.setattr(shape.serializer, "run_validation", lambda data: pytest.fail("went through DRF"))
    validated = shape.run_validation(VALID)
    assert list(validated) == [n for n in ClaimWriteSerializer().fields if n in VALID]  # in field order


def test_a_serializer_with_its_own_validate_is_left_to_drf():
    class Checked(serializers.Serializer):
        name = serializers.CharField()

        def validate(self, attrs):
            raise serializers.ValidationError("no")

    shape = QuickShape(Checked())
    assert shape.plan is None
    assert answer(shape, {"name": "x"}) == ("refused", {"non_field_errors": ["no"]})
