"""The employer's pages and the admin's apprenticeship pages pass axe-core and fit the screen
at desktop and phone widths: on the demo, Mark Ellison manages Aisha and Callum, and Callum
is on a break in learning."""

import pytest

from tests.stories import SIDEWAYS, check_accessibility, sign_in, visit

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


def fits(page) -> None:
    width = page.evaluate(SIDEWAYS)
    assert width["scrollWidth"] <= width["innerWidth"], width["culprits"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_employer_sees_their_apprentices_and_a_break(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "employer")
    visit(page, "/")
    main = page.locator("main").inner_text()
    assert "Aisha Khan" in main and "Callum MacLeod" in main
    assert "Paused: break in learning" in main
    assert "Chloe Evans" not in main
    check_accessibility(page)
    fits(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Callum MacLeod", exact=True).click()
    assert "Paused: break in learning" in page.locator("main").inner_text()
    check_accessibility(page)
    fits(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Open the portfolio").click()
    check_accessibility(page)
    fits(page)
    # The line manager's evidence pages: a piece of evidence with its comments, and the
    # witness testimony form.
    portfolio = page.url
    with page.expect_navigation():
        page.locator("main a[href^='/evidence/']").first.click()
    assert page.get_by_role("heading", name="Comments").is_visible()
    check_accessibility(page)
    fits(page)
    visit(page, portfolio)
    with page.expect_navigation():
        page.get_by_role("link", name="New witness testimony").click()
    check_accessibility(page)
    fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admins_employer_and_apprenticeship_pages(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "admin")
    visit(page, "/employers")
    check_accessibility(page)
    fits(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Northgate Water Services Ltd").click()
    check_accessibility(page)
    fits(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Callum MacLeod", exact=True).click()
    assert page.locator("h2#breaks-h").count() == 1
    check_accessibility(page)
    fits(page)
    # A refused break, and a refused end of one, open at their own form with the problem in
    # view, not at the top of a long page.
    page.get_by_label("First day of the break").fill("2020-01-01")
    page.get_by_label("Reason").fill("Illness")
    refused_in_view(page, "Record the break", "starts on or after the enrolment's start")
    page.locator("#end-ends_on").fill("2099-01-01")
    refused_in_view(page, "End the break", "cannot be after today")


def refused_in_view(page, button: str, problem: str) -> None:
    """The form refused, and the page opens where its problem can be read."""
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary").first
    assert problem in summary.inner_text()
    assert summary.is_visible() and 0 <= summary.bounding_box()["y"] < 900
    check_accessibility(page)
    fits(page)
