"""The page shown while the database cannot be reached passes axe-core and fits a phone."""

import pytest

from portfolio import create_app
from tests.conftest import TEST_CONFIG
from tests.stories import SIDEWAYS, check_accessibility, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def unreachable(tmp_path):
    """The app served with a database it cannot open (its folder does not exist)."""
    missing = tmp_path / "missing" / "portfolio.sqlite3"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}",
                      "WTF_CSRF_ENABLED": True})  # fmt: skip
    with serving(app) as base:
        yield base


@pytest.mark.parametrize("size", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_the_unavailable_page_is_accessible_and_fits(browser, unreachable, size):
    context = browser.new_context(base_url=unreachable, viewport=size)
    page = context.new_page()
    try:
        response = page.goto("/sign-in")  # which reads the single sign-on providers
        assert response.status == 503
        assert page.title() == "Briefly unavailable · Portfolio"
        assert "nothing was saved" in page.locator("main").inner_text()
        check_accessibility(page)
        width = page.evaluate(SIDEWAYS)
        assert width["scrollWidth"] <= width["innerWidth"], width["culprits"]
    finally:
        context.close()
