"""Progress reviews in a real browser, on a desk and on a phone: the assessor follows the
overdue review on their home page to the apprentice's reviews, then opens the review being
signed and the signed one; every page axe-clean and, on the phone, none scrolling sideways.

The demo's Aisha Khan (learner) has a signed first review and a second, overdue, that the
assessor has signed; Callum MacLeod's first is a draft."""

import pytest

from tests.stories import SIDEWAYS, check_accessibility, first_href, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def walk(page) -> list[str]:
    """Visit the overdue list and each of Aisha's reviews, checking each page; the reviews' titles."""
    visit(page, "/")
    assert page.locator("#reviews-overdue-h").count() == 1
    check_accessibility(page)
    visit(page, first_href(page, "section[aria-labelledby=reviews-overdue-h] a"))
    check_accessibility(page)
    reviews = page.locator("table a[href*='/reviews/']").all()
    titles = []
    for url in [a.get_attribute("href") for a in reviews]:
        visit(page, url)
        titles.append(page.locator("h1").inner_text())
        check_accessibility(page)
        width = page.evaluate(SIDEWAYS)
        assert width["scrollWidth"] <= width["innerWidth"], (page.url, width["culprits"])
    return titles


def test_the_review_pages_are_accessible_on_a_desk(page):
    sign_in(page, "assessor")
    titles = walk(page)
    assert len(titles) == 2 and all(t.startswith("Progress review") for t in titles)


def test_the_review_pages_are_accessible_on_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, "assessor")
        titles = walk(page)
        assert len(titles) == 2 and all(t.startswith("Progress review") for t in titles)
        sign_out(page)
        sign_in(page, "employer")
        visit(page, "/")
        check_accessibility(page)
    finally:
        context.close()
