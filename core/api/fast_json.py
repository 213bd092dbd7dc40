"""JSON for the API by orjson: the bytes DRF's JSONRenderer gives, several times faster.

A 500-row list page spent more time in `json.dumps` (the C encoder, but one call back into Python
per date, Decimal or lazy string) than in its SQL. orjson writes the same compact UTF-8 JSON
natively. What the two encoders would write differently is handed to DRF's own encoder or
renderer instead, so an answer stays byte for byte what it was:

- datetimes, dates and times go to DRF's encoder (`OPT_PASSTHROUGH_DATETIME`): DRF trims
  microseconds to milliseconds and writes UTC as "Z"; serializers format them before rendering
  anyway, so only the odd hand-built answer pays for the call;
- Decimal, lazy translations, querysets, bytes and whatever else orjson does not know go to DRF's
  encoder (`default`), which returns a type orjson knows;
- U+2028 and U+2029, which DRF escapes so that the JSON is also valid JavaScript, are escaped
  the same way after encoding (they only ever occur inside strings);
- an indented answer (`Accept: application/json; indent=4`, the browsable API's) and what orjson
  refuses (integers beyond 64 bits, lone surrogates) are rendered by DRF's JSONRenderer itself.

Two differences remain, neither in any answer of the API: a float is written in orjson's shortest
form (1e16, where json writes 1e+16), and NaN or infinity becomes null where DRF raises.
"""

import orjson
from rest_framework.renderers import JSONRenderer

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()
# The first byte of both in UTF-8. Looking for one byte is a memchr; looking for the three-byte
# separators scans byte by byte (about a millisecond for a 500-row page each), so they are looked
# for only in an answer that holds this byte at all (Chinese punctuation such as “ ” — does).
SEPARATOR_LEAD = LINE_SEPARATOR[:1]


class OrjsonRenderer(JSONRenderer):
    """DRF's JSONRenderer (media type, format, OpenAPI schema) with orjson doing the encoding."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        plain = self.compact and self.strict and not self.ensure_ascii
        if not plain or self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            content = orjson.dumps(data, default=self.encoder_class().default, option=OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if SEPARATOR_LEAD not in content:
            return content
        if LINE_SEPARATOR in content:
            content = content.replace(LINE_SEPARATOR, b"\\u2028")
        if PARAGRAPH_SEPARATOR in content:
            content = content.replace(PARAGRAPH_SEPARATOR, b"\\u2029")
        return content
