"""core.api.parsers: the body is decoded first and checked after, with the refusals (and their order:
too deep, then NUL, then the decoder's error) of the checks that scanned the text first."""

import io
import json
import random

import pytest
from rest_framework.exceptions import ParseError

from core.api.parsers import BoundedJSONParser, nesting_depth, value_depth

TOO_DEEP = "JSON 嵌套超过32层。"
NUL = "请求中含有不允许的空字符（NUL）。"


def parsed(body: str):
    return BoundedJSONParser().parse(io.BytesIO(body.encode()), "application/json", {})


def refusal(body: str) -> str:
    with pytest.raises(ParseError) as caught:
        parsed(body)
    return str(caught.value.detail)


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def test_a_body_within_the_bound_is_its_value():
    assert parsed(nested(32)) == json.loads(nested(32))
    assert parsed('{"a": "[[[[", "b": "C\\\\u0000"}') == {"a": "[[[[", "b": "C\\u0000"}


@pytest.mark.parametrize(
    "body, message",
    [
        (nested(33), TOO_DEEP),  # decodes, and is refused on its value
        (nested(2000), TOO_DEEP),  # the decoder's RecursionError
        ("[" * 3000, TOO_DEEP),  # malformed and too deep: too deep, as before
        (nested(33, '"\\u0000"'), TOO_DEEP),  # too deep is said before NUL
        (nested(3, '"C\\u0000"'), NUL),
        (nested(3, '"C\\\\\\u0000"'), NUL),
        ('["C\x00"]', NUL),  # a raw NUL the decoder refuses: NUL, as before
        ('["C\\u0000",', NUL),  # malformed with NUL: NUL
        ("[NaN]", None),
        ("[1,]", None),
    ],
)
def test_refusals_keep_their_message(body, message):
    answer = refusal(body)
    if message is None:
        assert answer.startswith("JSON 解析错误")
    else:
        assert answer == message


def test_the_depth_of_the_value_is_the_depth_of_its_text():
    rng = random.Random(12)

    def value(level: int):
        if level > 40 or rng.random() < 0.3:
            return rng.choice([1, "[[{", None, True, "x"])
        if rng.random() < 0.5:
            return [value(level + 1) for _ in range(rng.randint(0, 3))]
        return {f"k{n}": value(level + 1) for n in range(rng.randint(0, 3))}

    for _ in range(500):
        text = json.dumps(value(0))
        for limit in (5, 32):
            assert value_depth(json.loads(text), limit=limit) == nesting_depth(text, limit=limit)
