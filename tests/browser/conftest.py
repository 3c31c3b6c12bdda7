"""Browser tests: the real service on 127.0.0.1, council pages from a second
server on another origin, and Debian's Chromium driven by Playwright.

Chromium (``/usr/bin/chromium``, or ``DISCUSS_CHROMIUM``) and axe-core
(``tests/browser/node_modules``) come from ``scripts/setup-browser.sh``. When
either is missing the tests skip, except in CI (``CI=true``), where a missing
browser is a failure.
"""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from discuss import Verdict, hookimpl
from discuss.plugins import BUILTIN_PLUGINS, plugin_name
from tests.conftest import make_app

CHROMIUM = os.environ.get("DISCUSS_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
HOLD = "[hold]"
REJECT = "[reject]"
REJECT_REASON = "Please keep to the topic of the post."


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def missing(what: str) -> None:
    """Skip for want of ``what``; in CI, fail instead."""
    if IN_CI:
        pytest.fail(f"{what}: browser tests must run in CI (run scripts/setup-browser.sh)", pytrace=False)
    pytest.skip(f"{what} (run scripts/setup-browser.sh)")


class Scripted:
    """A moderation plugin for the tests: holds bodies with [hold], rejects those with [reject]."""

    name = "scripted"

    @hookimpl
    def discuss_screen_comment(self, submission):
        if HOLD in submission.body:
            return Verdict.hold("asked to hold")
        if REJECT in submission.body:
            return Verdict.reject("asked to reject", public_reason=REJECT_REASON)
        return None


class LiveServer:
    """A WSGI app served from a background thread on 127.0.0.1."""

    def __init__(self, app, host: str = "127.0.0.1"):
        self.server = make_server(host, 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="session")
def service_app(database_url, tmp_path_factory):
    """The real application, as the browser meets it. Built-in plugins are off so
    that only :class:`Scripted` decides, whatever plugins the project grows."""
    builtins = [plugin_name(importlib.import_module(name)) for name in BUILTIN_PLUGINS]
    # A public cache lifetime on thread reads, as a busy deployment may set: the
    # widget must still show a reader their own new comment. Its job queue is a file of this run's.
    queue = "sqlite:///" + str(tmp_path_factory.mktemp("queue") / "queue.db")
    app = make_app(database_url, DISABLED_PLUGINS=builtins, THREAD_CACHE_SECONDS=60, DEMO_PAGE=True,
                   QUEUE_URL=queue)
    app.extensions["discuss"].register(Scripted(), name="scripted")
    return app


@pytest.fixture(scope="session")
def service(service_app) -> Iterator[str]:
    """Base URL of the live service: http://127.0.0.1:<port>."""
    server = LiveServer(service_app)
    yield server.url()
    server.stop()
    with service_app.app_context():
        from discuss.extensions import db

        db.engine.dispose()


class CouncilPages:
    """A second server, standing in for a council's website on another origin.

    Reached as ``http://localhost:<port>``: another host and port than the
    service's ``127.0.0.1``, so another origin.
    """

    def __init__(self):
        self.pages: dict[str, str] = {}
        self.server = LiveServer(self.wsgi)
        self.origin = self.server.url("localhost")

    @Request.application
    def wsgi(self, request: Request) -> Response:
        html = self.pages.get(request.path)
        if html is None:
            return Response("not found", 404)
        return Response(html, mimetype="text/html")

    def page(self, path: str, html: str) -> str:
        self.pages[path] = html
        return self.origin + path


@pytest.fixture(scope="session")
def council() -> Iterator[CouncilPages]:
    pages = CouncilPages()
    yield pages
    pages.server.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page that records every dialog (alert/confirm/prompt) it is asked to show."""
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        missing(f"axe-core is not installed at {AXE}")
    return AXE.read_text(encoding="utf-8")


def run_axe(page, axe_source: str) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations (plus its best practices) on the page."""
    page.evaluate(axe_source)
    result = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})))"""
    )
    return result
