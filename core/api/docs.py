"""The API documentation pages under the portal's Content Security Policy (settings.CONTENT_SECURITY_POLICY).

Swagger UI is drf-spectacular's split view: its start-up script is a second request rather than an
inline <script>, so the page needs nothing beyond the policy (its template, in templates/, takes
its inline <style> to static/). ReDoc draws its styles at run time into <style> elements
(styled-components) and no setting of ReDoc avoids it, so its page alone allows inline styles;
scripts stay 'self' only there too (tests/config/test_csp.py, tests/browser/test_api_docs.py).
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

REDOC_POLICY = {"style-src": ["'unsafe-inline'"]}


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served by the same URL (`?script`)."""


@method_decorator(csp_update(REDOC_POLICY), name="dispatch")
class RedocView(SpectacularRedocView):
    """ReDoc, with the one allowance it needs (REDOC_POLICY)."""
