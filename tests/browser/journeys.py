"""The browser harness of the end-to-end journeys (tests/browser/test_journeys.py): one Chromium for
the module, a fresh context per signed-in person, and on every page the checks that hold for the
whole portal: no request leaves it, none fails, no script error, and no Content Security Policy
violation (a securitypolicyviolation listener on every document, and the console's own reports).

Screenshots go to $TIBAO_ARTIFACTS (default var/artifacts/, ignored by git), one folder per journey.
"""

import os
import re
from pathlib import Path

from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Lift-Safety-2021"

# Runs in every document before its own scripts: a blocked inline script, style or request is
# reported to the console, where the page's listener below collects it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
CSP_MESSAGE = re.compile(r"Content Security Policy|CSP violation", re.IGNORECASE)


def watch_csp(context, page) -> list[str]:
    """The Content Security Policy violations on `page` (of `context`), as they are reported."""
    context.add_init_script(REPORT_VIOLATIONS)
    violations = []
    page.on("console", lambda m: CSP_MESSAGE.search(m.text) and violations.append(f"{page.url}: {m.text}"))
    return violations


def artifacts_dir() -> Path:
    return Path(os.environ.get("TIBAO_ARTIFACTS") or settings.BASE_DIR / "var" / "artifacts")


class Journey:
    """One journey: its people's pages, its screenshots and what went wrong on any page."""

    def __init__(self, browser, base_url: str, name: str):
        self.browser, self.base_url = browser, base_url
        self.folder = artifacts_dir() / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.contexts, self.problems, self.violations, self.shots, self.allowed = [], [], [], 0, []

    def page(self, *, viewport=None):
        """A new browser (context) and its page, watched for the portal-wide rules."""
        context = self.browser.new_context(
            locale="zh-CN", base_url=self.base_url, viewport=viewport or {"width": 1280, "height": 900},
            accept_downloads=True,
        )  # fmt: skip
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        self.violations.append(watch_csp(context, page))
        base = self.base_url
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: script error {error}"))
        page.on(
            "request",
            lambda r: (
                r.url.startswith((base, "data:", "blob:")) or self.problems.append(f"foreign request {r.url}")
            ),
        )
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status} {r.url}"))
        return page

    def signed_in(self, user, *, next_url: str = "/"):
        page = self.page()
        page.goto(f"/login/?next={next_url}")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.tb-form button[type=submit]")
        page.wait_for_url(re.compile(re.escape(next_url) + r"$"))
        return page

    def shot(self, page, step: str, *, full_page: bool = True) -> Path:
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{step}.png"
        page.screenshot(path=path, full_page=full_page)
        return path

    def allow(self, text: str) -> None:
        """A problem the test expects (reports can arrive late, so they are sifted at the end)."""
        self.allowed.append(text)

    def unexpected(self) -> list[str]:
        every = self.problems + [violation for page in self.violations for violation in page]
        return [p for p in every if not any(text in p for text in self.allowed)]

    def close(self):
        for context in self.contexts:
            context.close()
