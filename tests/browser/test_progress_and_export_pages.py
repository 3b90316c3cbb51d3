"""Dashboards, the cross-awarding-body view, verification and the EQA export in Chromium,
each checked with axe-core and on a phone-sized screen."""

import pytest

from tests.stories import check_accessibility, first_href, sign_in, visit

pytestmark = pytest.mark.browser


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_provider_pages_are_accessible(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "admin")
    for url in ["/dashboard", "/dashboard/learners?risk=inactive", "/exports/eqa", "/cohorts",
                "/hours/activities"]:
        visit(page, url)
        check_accessibility(page)
        assert fits(page), url
    visit(page, "/dashboard")
    figure = first_href(page, "a[href*='/dashboard/learners']")
    visit(page, figure)
    check_accessibility(page)
    visit(page, "/cohorts")
    visit(page, first_href(page, "a[href$='/crosswalk']"))
    check_accessibility(page)
    assert fits(page)
    visit(page, "/cohorts")
    visit(page, first_href(page, "td[data-label='Actions'] a[href^='/cohorts/']"))
    assert page.locator("h1").inner_text().startswith("Edit cohort: ")
    check_accessibility(page)
    assert fits(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_assessor_caseload_and_crosswalk_are_accessible(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "assessor")
    visit(page, "/caseload")
    check_accessibility(page)
    assert fits(page)
    assert page.get_by_text("How the status is set.").count() == 1
    visit(page, first_href(page, ".table-scroll a[href$='/portfolio']"))
    visit(page, first_href(page, "a[href$='/crosswalk']"))
    check_accessibility(page)
    assert fits(page)


def test_verify_page_is_public_and_accessible(page):
    visit(page, "/verify")
    check_accessibility(page)
    page.get_by_label("or its SHA-256").fill("0" * 64)
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    assert page.get_by_text("Not a document this system issued").count() == 1
    check_accessibility(page)
