"""Headless Chromium for the browser tests: Debian's `chromium` driven by Playwright's Python package
through executable_path (no browser download). Without a chromium the tests skip locally; CI sets
CRF_REQUIRE_BROWSER=1 (after installing it), so there they fail instead of skipping."""

import os
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

# Reference data that data migrations create; a transactional test's flush removes it.
CHROMIUM = os.environ.get("CRF_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class OwnConnectionsServer(ThreadedWSGIServer):
    """The live server, whose request threads close only the connections they opened.

    On SQLite the live server shares the test's own connection with its request threads
    (connections_override). Django's server closes every connection after each request, the shared one
    included; a request Chromium kept alive past the test ends after the sharing was given back, and its
    close raised "DatabaseWrapper objects created in a thread can only be used in that same thread" (56
    warnings per run, issue 28, 14). The shared connection is the test's to close."""

    def _close_connections(self):
        shared = set(self.connections_override or ())
        for connection in connections.all(initialized_only=True):
            if connection.alias not in shared:
                connection.close()


LiveServerThread.server_class = OwnConnectionsServer


@pytest.fixture(scope="session")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        message = f"no chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CRF_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop on this thread; the tests' own ORM calls are synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class WatchedBrowser:
    """The browser as tests use it (new_page, new_context), every page watched for what the
    Content-Security-Policy refuses: Chromium reports each refused script, style or image on the console."""

    def __init__(self, chromium):
        self._chromium = chromium
        self.violations: list[str] = []

    def _watch(self, page):
        def on_console(message):
            if "Content Security Policy" in message.text:
                self.violations.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        return page

    def new_page(self, **kwargs):
        return self._watch(self._chromium.new_page(**kwargs))

    def new_context(self, **kwargs):
        context = self._chromium.new_context(**kwargs)
        context.on("page", self._watch)
        return context


@pytest.fixture
def browser(chromium_browser):
    """Every browser test runs under the pages' Content-Security-Policy and fails on any violation."""
    watched = WatchedBrowser(chromium_browser)
    yield watched
    assert watched.violations == [], "\n".join(watched.violations)


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
