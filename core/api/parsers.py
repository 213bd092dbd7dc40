"""The API's one JSON parser (the DRF default): standard JSON with its nesting depth bounded.

Python's decoder recurses once per level; a body of two thousand `[` raised RecursionError, a 500.
No Tibao request nests deeper than a handful of levels (a bulk item's payments are four), so a body
nested deeper than MAX_DEPTH is refused as malformed before it is decoded. A string holding the
NUL character (the escape \\u0000) is refused too: no database column stores it (the raw byte is
refused for every request by core.middleware.RefuseNulMiddleware).
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


class BoundedJSONParser(JSONParser):
    """JSONParser that refuses nesting deeper than MAX_DEPTH and the NUL character, with a 400."""

    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:  # UnicodeDecodeError
            raise ParseError(_("JSON 解析错误：%(error)s") % {"error": exc}) from exc
        if nesting_depth(text, limit=self.max_depth) > self.max_depth:
            raise ParseError(_("JSON 嵌套超过%(limit)d层。") % {"limit": self.max_depth})
        if "\x00" in text or NUL_ESCAPE.search(text):
            raise ParseError(_("请求中含有不允许的空字符（NUL）。"))
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON 解析错误：%(error)s") % {"error": exc}) from exc
