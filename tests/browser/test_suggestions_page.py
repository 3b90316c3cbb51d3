"""The admin's suggestions page in a real browser: accessible, and readable on a phone."""

import pytest

from tests.stories import SIDEWAYS, check_accessibility, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_admin_sees_each_units_suggestions_on_a_desk_and_on_a_phone(page, live_server):
    sign_in(page, "admin")
    visit(page, "/suggestions")
    assert page.locator("h1").inner_text() == "Criteria suggestions"
    assert page.locator("main table tbody tr").count() >= 1
    check_accessibility(page)

    page.set_viewport_size(PHONE)
    visit(page, "/suggestions")
    width = page.evaluate(SIDEWAYS)
    assert width["scrollWidth"] <= width["innerWidth"], width["culprits"]
    check_accessibility(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_out(page)
