"""Shared by the tests that drive a real browser (test_browser.py, test_site.py).

Headless Chromium comes from Debian's package (/usr/bin/chromium, or GANLESSONS_CHROMIUM) driven by
the playwright package; never `playwright install`. Without a browser these tests are skipped with
the reason and the install hint, so a learner or instructor on macOS, Windows, Fedora or without root
can still re-check everything else; CI (GANLESSONS_REQUIRE_BROWSER=1, set by .ci/run, or CI=true)
turns that skip into a failure.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GANLESSONS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
INSTALL_HINT = ("to run it: sudo apt-get install chromium (Debian/Ubuntu; `python3 course.py test` does it when run "
                "as root), or set GANLESSONS_CHROMIUM to a Chromium's path; and pip install playwright "
                "(course.py does), never `playwright install`")


def browser_required():
    """CI insists on the browser tests; a learner's machine may skip them."""
    return os.environ.get("GANLESSONS_REQUIRE_BROWSER") == "1" or os.environ.get("CI", "").lower() in ("1", "true")


def skip_or_fail(reason):
    """Skip with the reason and the hint, or fail where the browser is required."""
    if browser_required():
        pytest.fail(f"{reason}; CI requires the browser tests (GANLESSONS_REQUIRE_BROWSER=1 or CI=true): "
                    f"{INSTALL_HINT}", pytrace=False)
    pytest.skip(f"{reason} — {INSTALL_HINT}")


@pytest.fixture(scope="session")
def playwright_api():
    """playwright.sync_api, or a skip (a failure in CI) when it is not installed."""
    try:
        import playwright.sync_api as api
    except ImportError:
        skip_or_fail("the browser test needs the playwright package")
    return api


@pytest.fixture(scope="session")
def chromium_launch(playwright_api):
    """Keyword arguments for playwright's `chromium.launch`, or a skip (a failure in CI) without a Chromium."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"the browser test needs Chromium at {CHROMIUM}, which is not there")
    return dict(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser(playwright_api, chromium_launch):
    """Headless Chromium for one test module (skipped without one, failing in CI); pages open in tabs of their own."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(**chromium_launch)
        yield browser
        browser.close()
