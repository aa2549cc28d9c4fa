"""Web fixtures: signed-in test clients, a live server and a real headless Chromium (Debian's)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from core.audit import SYSTEM
from core.users import create_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(items):
    """Give each real-browser test one retry; the summary still lists every rerun (`R`), so none is hidden.

    Chromium on a loaded two-core CI machine occasionally misses a step that passes on every rerun; the
    page and server logs of the first try stay in the report.
    """
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=1))


@pytest.fixture
def web_user(db):
    """Create a web user with `role` (username = role) and return its username."""

    def make(role: str) -> str:
        with db.session(write=True) as session:
            create_user(session, username=role, password=PASSWORD, role=role, actor=SYSTEM)
        return role

    return make


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def signed_in(app, web_user):
    """A Flask test client signed in as a new user with `role`."""

    def make(role: str):
        client = app.test_client()
        web_user(role)
        page = client.get("/login").get_data(as_text=True)
        response = client.post(
            "/login", data={"username": role, "password": PASSWORD, "csrf_token": _csrf(page)}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def csrf_of():
    """The CSRF token in a page's HTML."""
    return _csrf


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served on 127.0.0.1 with an ephemeral port, in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test`, which installs Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (own cookies) with a desktop-sized viewport."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def browser_login(page, live_server, web_user):
    """Sign in through the login form in the browser as a new user with `role`."""

    def login(role: str):
        web_user(role)
        page.goto(f"{live_server}/login")
        page.fill("#username", role)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        return page

    return login


@pytest.fixture
def screenshot(backend):
    """Save a full-page screenshot to test-artifacts/screenshots/<name>-<backend>.png."""

    def take(tab, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}-{backend}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take
