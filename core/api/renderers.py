"""DRF's browsable API under the portal's Content Security Policy (settings.CONTENT_SECURITY_POLICY).

DRF's templates carry a few fixed style="" attributes (the filter button's float, the search box's
width, ...). Rather than copy its templates, the pages it renders allow exactly those attribute
values by hash ('unsafe-hashes' applies hashes to style attributes): no other inline style, and
still no inline script. DRF's inline <style> of Pygments colours (for code in Markdown descriptions,
which the API does not use) is left out. The JSON answers keep the plain policy.
"""

import base64
import hashlib

from rest_framework import renderers

# Every style attribute value in rest_framework/templates (DRF 3.16-3.18), verbatim.
DRF_STYLE_ATTRIBUTES = (
    "border-bottom: 0",
    "border-bottom: 1px solid #e5e5e5",
    "border: none",
    "clear: both",
    "float: right",
    "float: right; margin-right: 10px",
    "float:left",
    "margin-top: 30px",
    "margin: 0 0 20px;",
    "width: 320px; margin-left: auto; margin-right: auto",
    "width: 350px",
)


def _sha256(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


BROWSABLE_API_POLICY = {"style-src": ["'unsafe-hashes'", *map(_sha256, DRF_STYLE_ATTRIBUTES)]}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages for the API, with its own style attributes allowed (BROWSABLE_API_POLICY)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = BROWSABLE_API_POLICY  # read by csp.middleware.CSPMiddleware
        return super().render(data, accepted_media_type, renderer_context)

    def get_context(self, data, accepted_media_type, renderer_context):
        return {**super().get_context(data, accepted_media_type, renderer_context), "code_style": None}
