"""The API's one JSON parser (the DRF default): standard JSON with its nesting depth bounded.

Python's decoder recurses once per level; a body of two thousand `[` raised RecursionError, a 500.
No Tibao request nests deeper than a handful of levels (a bulk item's payments are four), so a body
nested deeper than MAX_DEPTH is refused as malformed. A string holding the NUL character (the
escape \\u0000) is refused too: no database column stores it (the raw byte is refused for every
request by core.middleware.RefuseNulMiddleware).

The checks cost twelve times the decoding when they scanned the text first (a regex over every
string of a thousand-item bulk body), so a body is decoded first and checked after: its depth on
the decoded value (a walk over its arrays and objects, level by level), the NUL escape by a regex
only when the text holds `\\u0000` at all. A body that does not decode is checked on its text as
before, so every refusal keeps its message: too deep first, then NUL, then the decoder's error.
"""

import codecs
import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

MAX_DEPTH = 32

# A JSON string (escapes included): its brackets and escapes are text, not structure.
STRING = re.compile(r'"(?:[^"\\]+|\\.)*"', re.DOTALL)
BRACKET = re.compile(r"[\[\]{}]")
# \u0000 that is an escape (preceded by an even number of backslashes), inside a string.
NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
CONTAINERS = frozenset({dict, list})


def nesting_depth(text: str, *, limit: int) -> int:
    """How deep arrays and objects nest in JSON `text`, counting stops once past `limit`."""
    depth = deepest = 0
    for bracket in BRACKET.finditer(STRING.sub('""', text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def value_depth(value, *, limit: int) -> int:
    """How deep lists and dicts nest in a decoded JSON value (as nesting_depth counts its text),
    counting stops once past `limit`."""
    level = [value] if type(value) in CONTAINERS else []
    depth = 0
    while level and depth <= limit:
        depth += 1
        below = []
        for container in level:
            items = container.values() if type(container) is dict else container
            if not CONTAINERS.isdisjoint(map(type, items)):  # in C: most objects hold no container
                below += [item for item in items if type(item) in CONTAINERS]
        level = below
    return depth


def holds_nul(text: str) -> bool:
    """Whether JSON `text` holds the NUL character, raw or as the escape \\u0000."""
    return "\x00" in text or ("\\u0000" in text and NUL_ESCAPE.search(text) is not None)


class BoundedJSONParser(JSONParser):
    """JSONParser that refuses nesting deeper than MAX_DEPTH and the NUL character, with a 400."""

    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:  # UnicodeDecodeError
            raise ParseError(_("JSON 解析错误：%(error)s") % {"error": exc}) from exc
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            self.refuse(text, depth=nesting_depth(text, limit=self.max_depth))
            raise ParseError(_("JSON 解析错误：%(error)s") % {"error": exc}) from exc
        self.refuse(text, depth=value_depth(data, limit=self.max_depth))
        return data

    def refuse(self, text: str, *, depth: int) -> None:
        """Raise ParseError for a body nested too deep, else for one holding NUL."""
        if depth > self.max_depth:
            raise ParseError(_("JSON 嵌套超过%(limit)d层。") % {"limit": self.max_depth})
        if holds_nul(text):
            raise ParseError(_("请求中含有不允许的空字符（NUL）。"))
