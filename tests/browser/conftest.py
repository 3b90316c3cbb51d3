"""Browser fixtures: the demo provider served over HTTP, and headless Chromium to drive it.

These run once, on SQLite: they do not use the ``app`` fixture of
``tests/conftest.py``, which is parametrized over SQLite and PostgreSQL.
"""

import pytest
from playwright.sync_api import sync_playwright

from portfolio.db import db
from portfolio.demo import build_demo
from tests.conftest import make_app
from tests.stories import AXE, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def served_app(tmp_path_factory):
    """The app the live server serves, with the demo provider, for a test that does what a
    job worker would beside it."""
    folder = tmp_path_factory.mktemp("browser")
    app = make_app("sqlite:///" + str(folder / "browser.sqlite3"), WTF_CSRF_ENABLED=True,
                   EVIDENCE_FILES_PATH=str(folder / "files"))  # fmt: skip
    with app.app_context():
        assert build_demo()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(served_app):
    """The app with the demo provider, served on a free local port; yields the base URL."""
    with serving(served_app) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run 'npm ci' in the project folder")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page in its own context (own cookies), with the live server as base URL."""
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        page.close()
        context.close()
