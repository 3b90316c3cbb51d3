"""The quality record in a real browser: the audit trail reads as sentences, its hashes copy
whole, and nothing overlaps or sticks out at desktop and phone widths; an EQA reaches the
trail and the IQA's sampling record from their pages. axe-core checks each."""

import pytest
from playwright.sync_api import expect

from tests.stories import SIDEWAYS, check_accessibility, first_href, sign_in, visit

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)

# Pairs of boxes in one event that overlap: blocks of an event, and a hash field and its button.
OVERLAPS = """() => {
    const clash = (a, b) => {
        const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
        if (!r.width || !r.height || !s.width || !s.height) return false;
        return r.left < s.right - 0.5 && s.left < r.right - 0.5
            && r.top < s.bottom - 0.5 && s.top < r.bottom - 0.5;
    };
    const found = [];
    for (const event of document.querySelectorAll('.trail-event')) {
        const parts = [...event.children, ...event.querySelectorAll('.hash-row > *, dl > *')];
        for (let i = 0; i < parts.length; i++)
            for (let j = i + 1; j < parts.length; j++)
                if (!parts[i].contains(parts[j]) && !parts[j].contains(parts[i])
                    && clash(parts[i], parts[j]))
                    found.push(`${parts[i].tagName}.${parts[i].className} / `
                               + `${parts[j].tagName}.${parts[j].className}`);
    }
    // Text wider than its own box (a hash that does not wrap, a long value).
    for (const el of document.querySelectorAll('.trail-event dd, .trail-event p'))
        if (el.scrollWidth > el.clientWidth + 1) found.push(`${el.tagName} overflows its box`);
    return found.slice(0, 5);
}"""


def learner_trail(page, name: str) -> str:
    visit(page, f"/enrolments?q={name}")
    return first_href(page, "a[href*='/audit/learners/']")


def check_layout(page) -> None:
    width = page.evaluate(SIDEWAYS)
    assert width["scrollWidth"] <= width["innerWidth"], width["culprits"]
    assert page.evaluate(OVERLAPS) == []


@pytest.mark.parametrize("handle", ["admin", "eqa"])
def test_the_audit_trail_reads_fits_and_passes_axe_at_each_width(page, handle):
    sign_in(page, handle)
    trail = learner_trail(page, "Oluwaseun")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visit(page, trail)
        sentences = page.locator(".trail-sentence").all_inner_texts()
        signed = "Tom Kowalski signed off 'Deal with incidents through a contact centre' for "
        assert f"{signed}Oluwaseun Bakare" in sentences, sentences
        assert any(
            s.startswith("Tom Kowalski accepted 'Gas smell report, late shift' (version 1): ")
            for s in sentences
        ), sentences
        # Every disclosure open: the raw data must fit too. One click shows that a summary
        # opens its disclosure; the rest are opened at once.
        disclosures = page.locator(".trail-event details")
        disclosures.first.locator("summary").click()
        expect(disclosures.first).to_have_attribute("open", "")
        disclosures.evaluate_all("all => all.forEach(d => { d.open = true; })")
        check_layout(page)
        check_accessibility(page)


def test_a_hash_copies_whole_with_its_button(browser, live_server):
    context = browser.new_context(base_url=live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, "admin")
        visit(page, learner_trail(page, "Oluwaseun"))
        field = page.get_by_label("Manifest SHA-256", exact=True).first
        value = field.input_value()
        assert len(value) == 64 and field.get_attribute("readonly") is not None
        button = page.locator(f"button[data-copy='{field.get_attribute('id')}']")
        assert button.get_attribute("aria-label") is None
        assert button.inner_text().split()[0] == "Copy"
        assert button.is_visible()
        button.click()
        expect(button).to_contain_text("Copied")
        assert page.evaluate("() => navigator.clipboard.readText()") == value
    finally:
        page.close()
        context.close()


def test_an_eqa_reaches_the_sampling_record_and_a_learners_trail(page):
    sign_in(page, "eqa")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visit(page, "/")
        # The main navigation's link (behind the menu on a phone).
        visit(page, first_href(page, 'nav[aria-label="Main"] a[href$="/quality/sampling"]'))
        assert page.locator("h1").inner_text() == "IQA sampling record"
        events = page.locator(".trail-event")
        assert events.count() >= 1
        assert "Helen Murray sampled" in events.first.inner_text()
        check_layout(page)
        check_accessibility(page)
        with page.expect_navigation():
            page.get_by_role("link", name="Audit trail of").first.click()
        assert page.locator("h1").inner_text().startswith("Audit trail: ")
        assert page.locator(".trail-sentence").count() > 1
        check_layout(page)
        check_accessibility(page)
