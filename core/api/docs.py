"""The API documentation pages under the portal's Content Security Policy (settings.CONTENT_SECURITY_POLICY).

Swagger UI is drf-spectacular's split view: its start-up script is a second request rather than an
inline <script>, so the page needs nothing beyond the policy (its template, in templates/, takes
its inline <style> to static/). ReDoc draws its styles at run time into <style> elements
(styled-components) and parses the schema in a web worker it starts from a blob: URL; no setting
of ReDoc avoids either, so its page alone allows inline styles and blob: workers. Scripts stay
'self' there too (tests/config/test_csp.py, tests/browser/test_content_security_policy.py).
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

REDOC_POLICY = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served by the same URL (`?script`)."""


@method_decorator(csp_update(REDOC_POLICY), name="dispatch")
class RedocView(SpectacularRedocView):
    """ReDoc, with the two allowances it needs (REDOC_POLICY)."""
