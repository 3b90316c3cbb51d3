"""Forms that keep the learner's place, in a real browser: a communications log row added in
place (and, without script, the page brought back to the new row), STAR word counts with
their targets, and a suggestion claimed with one click.

Jakub Nowak (learner7) has no evidence in the demo data and no other browser test reads his
portfolio: these tests write only drafts of his.
"""

import pytest
from playwright.sync_api import Page

from tests.stories import check_accessibility, first_href, sign_in, submit, visit

pytestmark = pytest.mark.browser


def open_new_form(page: Page, kind: str) -> None:
    visit(page, first_href(page, "main a[href$='/portfolio']"))
    visit(page, first_href(page, f"main a[href$='/evidence/new/{kind}']"))


def in_view(page: Page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "e => { const r = e.getBoundingClientRect(); return r.top > -2 && r.top < innerHeight; }",
    )


def test_a_log_row_is_added_in_place_with_the_focus_in_it(page):
    sign_in(page, "learner7")
    open_new_form(page, "incident_log")
    page.evaluate("window.stillHere = true")
    url = page.url
    page.get_by_role("button", name="Add another entry", exact=True).click()

    assert page.evaluate("window.stillHere === true"), "the page was reloaded"
    assert page.url == url
    row = page.locator("#communications-row-3")
    assert row.locator(".row-title").inner_text() == "Entry 3"
    assert page.evaluate("document.activeElement.name") == "communications-2-at"
    for name in ("at", "with_whom", "channel", "summary"):
        field = row.locator(f"[name=communications-2-{name}]")
        assert field.input_value() == "", name
        assert row.locator(f"label[for=communications-2-{name}]").count() == 1, name
    page.get_by_role("button", name="Add another resource", exact=True).click()
    assert page.locator("#resources-row-2 [name=resources-1-resource]").count() == 1
    check_accessibility(page)

    # The rows added in place are saved with the rest.
    page.get_by_label("Title", exact=True).fill("Power cut at the call centre")
    page.get_by_label("Incident reference", exact=True).fill("INC-20261105-0100")
    page.get_by_label("Date and time reported", exact=True).fill("2026-11-05T09:00")
    page.get_by_label("Incident type", exact=True).select_option(index=1)
    page.get_by_label("Nature of the incident", exact=True).fill("The lights went out.")
    row.get_by_label("Time", exact=True).fill("2026-11-05T09:20")
    row.get_by_label("With whom", exact=True).fill("Facilities manager")
    row.get_by_label("Summary", exact=True).fill("Asked for the generator to be started.")
    response = submit(page, "Save draft")
    assert response.ok, f"{response.status}: {page.locator('main').inner_text()[:500]}"
    assert "Facilities manager" in page.locator("ol.timeline").inner_text()


def test_without_script_adding_a_row_returns_to_the_new_row(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, "learner7")
        open_new_form(page, "incident_log")
        page.get_by_label("Title", exact=True).fill("Typed before adding a row")
        with page.expect_navigation():
            page.get_by_role("button", name="Add another entry", exact=True).click()
        assert page.url.endswith("#communications-row-3"), page.url
        assert page.get_by_label("Title", exact=True).input_value() == "Typed before adding a row"
        assert page.evaluate("scrollY") > 0
        assert in_view(page, "#communications-row-3")
    finally:
        context.close()


def test_star_word_counts_show_their_targets_while_typing(page):
    sign_in(page, "learner7")
    open_new_form(page, "star_account")
    situation = page.get_by_label("Situation", exact=True)
    count = page.locator("#situation-count")
    assert count.inner_text() == "0 words of the 25 to aim for: 25 to go"
    situation.fill("I answered a call about a lift fault")
    assert count.inner_text() == "8 words of the 25 to aim for: 17 to go"
    situation.fill(" ".join(["word"] * 25))
    assert count.inner_text() == "25 words: the 25 to aim for are reached"
    assert "Aim for at least 40 words." in page.locator("#reflection-hint").inner_text()
    check_accessibility(page)


def test_a_suggestion_is_claimed_with_one_click(page):
    sign_in(page, "learner7")
    open_new_form(page, "incident_log")
    page.get_by_label("Title", exact=True).fill("Caller trapped in a lift")
    page.get_by_label("Incident reference", exact=True).fill("INC-20261105-0101")
    page.get_by_label("Date and time reported", exact=True).fill("2026-11-05T10:00")
    page.get_by_label("Incident type", exact=True).select_option(index=1)
    page.get_by_label("Nature of the incident", exact=True).fill(
        "A caller was trapped in a lift. I logged the call, classified it as P1 and escalated "
        "it to the duty engineer, then kept the caller informed until the engineer arrived."
    )
    assert submit(page, "Save draft").ok
    visit(page, page.url + "/claims")
    suggestion = page.locator("ol.suggestions li").first
    button = suggestion.get_by_role("button")
    label = button.inner_text()
    number = label.removeprefix("Claim ")
    # A box ticked and a note typed below, not saved yet, are kept when a suggestion is claimed.
    other = page.locator(".claim").filter(has_not=page.locator(f"strong:text-is('{number}')")).first
    other_number = other.locator("strong").inner_text()
    other.locator("input[type=checkbox]").check()
    other.locator("input[type=text]").fill("In the escalation")
    with page.expect_navigation():
        button.click()
    assert page.url.endswith("/claims#suggested")
    assert page.locator(".flash-success").inner_text() == f"Claimed {number}: this evidence claims 2 criteria."
    assert page.locator("ol.suggestions li").first.locator(".tag").inner_text() == "Claimed"
    checkbox = page.locator(".claim", has=page.locator(f"strong:text-is('{number}')")).locator(
        "input[type=checkbox]"
    )
    assert checkbox.is_checked()
    kept = page.locator(".claim", has=page.locator(f"strong:text-is('{other_number}')"))
    assert kept.locator("input[type=checkbox]").is_checked()
    assert kept.locator("input[type=text]").input_value() == "In the escalation"
    check_accessibility(page)
