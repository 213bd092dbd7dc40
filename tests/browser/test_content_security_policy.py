"""The Content Security Policy in Chromium: the journeys' violation check catches what the policy
blocks, and the pages from libraries (Swagger UI, ReDoc, DRF's browsable API, the admin) draw
without a single violation under it (core.api.docs, core.api.renderers)."""

import pytest
from django.conf import settings

from tests.browser.journeys import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def superuser(transactional_db):
    from accounts.models import User

    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


def test_an_inline_script_and_style_are_reported_as_violations(journey, live_server):
    """A page of the portal's origin under its header (served by the browser's router, not Django)."""
    page = journey.page()
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    policy = "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())
    page.route(
        f"{live_server.url}/csp-probe/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
            body='<p style="color: red">x</p><script>document.title = "ran"</script><a onclick="x()">y</a>',
        ),
    )
    page.goto("/csp-probe/")
    page.wait_for_function("document.readyState === 'complete'")
    assert page.title() == ""  # the inline script did not run
    reported = [problem for problem in journey.unexpected() if "CSP violation" in problem]
    assert any("script-src" in problem for problem in reported), reported
    assert any("style-src" in problem for problem in reported), reported
    journey.allow("/csp-probe/")


@pytest.mark.parametrize(
    ("path", "drawn"),
    [
        ("/api/docs/", ".swagger-ui .info"),
        ("/api/redoc/", "redoc h1"),
        ("/api/v1/", ".response-info"),
        ("/api/v1/elevators/", ".response-info"),
        ("/admin/", "#content-main"),
        ("/admin/accounts/user/", "#result_list"),
    ],
)
def test_the_library_pages_draw_without_a_violation(journey, superuser, path, drawn):
    # ReDoc's menu shows its maker's logo from the maker's CDN, which the policy rightly blocks
    # (no other host; closed networks): the one violation expected, and nothing else on any page.
    journey.allow("https://cdn.redoc.ly/redoc/logo-mini.svg")
    page = journey.signed_in(superuser, next_url="/")
    page.goto(path)
    page.locator(drawn).first.wait_for(timeout=60_000)  # ReDoc lays out the whole schema first
    page.wait_for_load_state("networkidle")
    journey.shot(page, path.strip("/").replace("/", "-"), full_page=False)  # ReDoc's page is very long
