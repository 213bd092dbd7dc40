"""Fixtures of the browser journeys (tests/browser/journeys.py): one Chromium per module that asks
for it, and a Journey per test whose pages must all keep the portal-wide rules."""

import os

import pytest

from tests.browser.journeys import CHROMIUM, CHROMIUM_ARGS, Journey


@pytest.fixture(scope="module")
def chromium():
    """One browser for every test of the module. While Playwright's sync API runs, Django takes the
    thread for an async one and refuses the ORM; the tests' data fixtures write in this same thread
    between the browser's steps (never during one), so the guard is lifted for the module."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright (pip install playwright)")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def journey(request, chromium, live_server):
    """The test's journey: its screenshots in $TIBAO_ARTIFACTS/<test name>/, and at its end no
    Content Security Policy violation, failed or foreign request or script error on any page."""
    trip = Journey(chromium, live_server.url, request.node.name.removeprefix("test_"))
    yield trip
    trip.close()
    assert trip.unexpected() == [], "on the journey's pages:\n" + "\n".join(trip.unexpected())
