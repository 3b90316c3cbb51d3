"""A day on a phone (390 px wide): the header folds into a menu, wide tables become a block
per row with the key column first, and a learner writes an incident log that their assessor
marks, every page axe-clean and none scrolling sideways.

Jakub Nowak (learner7) is Priya's learner with no evidence in the demo data and no other
browser test reads his portfolio; his log is marked here, so it leaves Priya's queue again.
"""

import io

import pytest
from playwright.sync_api import Page
from pypdf import PdfWriter

from tests.stories import (
    SIDEWAYS,
    check_accessibility,
    first_href,
    open_menu,
    sign_in,
    sign_out,
    submit,
    visit,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = "Gas main struck by roadworks"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def fits(page: Page) -> None:
    """axe-clean, and nothing wider than the phone."""
    check_accessibility(page)
    width = page.evaluate(SIDEWAYS)
    assert width["scrollWidth"] <= width["innerWidth"], (page.url, width["culprits"])


def follow_menu(page: Page, name: str) -> None:
    open_menu(page)
    with page.expect_navigation():
        page.locator("nav[aria-label=Main]").get_by_role("link", name=name, exact=True).click()


def test_the_header_folds_into_a_menu_that_opens_without_script(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, "assessor")
        menu = page.locator("details.site-menu > summary")
        # The unread notifications' count shows on the folded menu, as beside Notifications
        # (the demo's assessor has some, unless another test here has read them).
        unread = page.locator(".account a[href='/notifications'] .tag")
        if unread.count():
            assert menu.text_content() == f"Menu {unread.text_content()} notifications"
        else:
            assert menu.text_content() == "Menu"
        nav = page.locator("nav[aria-label=Main]")
        assert menu.is_visible() and not nav.is_visible()
        assert menu.bounding_box()["height"] >= 44
        menu.click()
        assert nav.is_visible()
        assert page.locator("details.site-menu").get_attribute("open") is not None
        for link in nav.get_by_role("link").all() + [page.get_by_role("button", name="Sign out")]:
            assert link.bounding_box()["height"] >= 24, link.inner_text()
        with page.expect_navigation():
            nav.get_by_role("link", name="Marking queue", exact=True).click()
        assert page.locator("h1").inner_text() == "Marking queue"
    finally:
        context.close()


def test_on_a_wide_screen_there_is_no_menu_button(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "assessor")
    assert not page.locator("details.site-menu > summary").is_visible()
    assert (
        page.locator("nav[aria-label=Main]").get_by_role("link", name="Marking queue").is_visible()
    )
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_a_learner_writes_an_incident_log_and_the_assessor_marks_it_on_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    # Nothing on the way is refused by the content security policy (the scripts, the image,
    # the PDF's frame and the audio are all this site's own).
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text
            or m.text.startswith("Refused to") else None)  # fmt: skip
    page.on("pageerror", lambda error: refused.append(str(error)))

    # Jakub writes the log: the communications log grows in place.
    sign_in(page, "learner7")
    fits(page)
    visit(page, first_href(page, "main a[href$='/portfolio']"))
    fits(page)
    visit(page, first_href(page, "main a[href$='/evidence/new/incident_log']"))
    fits(page)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Incident reference", exact=True).fill("INC-20261106-0007")
    page.get_by_label("Date and time reported", exact=True).fill("2026-11-06T08:40")
    page.get_by_label("Incident type", exact=True).select_option("safety")
    page.get_by_label("Nature of the incident", exact=True).fill(
        "Roadworks struck a gas main outside the depot. I logged the call, classified it as P1 "
        "and escalated it to the duty emergency engineer."
    )
    page.get_by_label("Impact", exact=True).select_option("high")
    page.get_by_label("Urgency", exact=True).select_option("high")
    entries = [("2026-11-06T08:42", "Site foreman", "Told to clear the area."),
               ("2026-11-06T08:50", "Duty engineer", "Dispatched to the depot."),
               ("2026-11-06T09:05", "Depot manager", "Told the road is closed.")]  # fmt: skip
    page.get_by_role("button", name="Add another entry", exact=True).click()
    for i, (at, who, summary) in enumerate(entries, start=1):
        row = page.locator(f"#communications-row-{i}")
        row.get_by_label("Time", exact=True).fill(at)
        row.get_by_label("With whom", exact=True).fill(who)
        row.get_by_label("Summary", exact=True).fill(summary)
    fits(page)
    response = submit(page, "Save draft")
    assert response.ok, f"{response.status}: {page.locator('main').inner_text()[:500]}"
    item = page.url
    assert page.locator("ol.timeline").inner_text().count("Depot manager") == 1
    fits(page)

    for name, mime, content in (("site.png", "image/png", PNG),
                                ("permit.pdf", "application/pdf", one_page_pdf())):  # fmt: skip
        page.get_by_label("File", exact=True).set_input_files(
            {"name": name, "mimeType": mime, "buffer": content}
        )
        assert submit(page, "Attach file").ok
    visit(page, item + "/claims")
    fits(page)
    claim = page.locator("ol.suggestions li button").first
    number = claim.inner_text().removeprefix("Claim ")
    with page.expect_navigation():
        claim.click()
    assert page.locator(".flash-success").inner_text().startswith(f"Claimed {number}")
    visit(page, item)
    response = submit(page, "Submit to assessor")
    assert response.ok, f"{response.status}: {page.locator('main').inner_text()[:500]}"
    fits(page)
    sign_out(page)

    # Priya finds it in her queue through the menu: a block per row, its age first.
    sign_in(page, "assessor")
    fits(page)
    follow_menu(page, "Marking queue")
    fits(page)
    row = page.locator(".table-scroll tbody tr", has_text=TITLE)
    assert row.count() == 1
    age, evidence = row.locator("td.key"), row.locator("td[data-label=Evidence]")
    assert age.bounding_box()["y"] < evidence.bounding_box()["y"]
    label = age.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Age (working days): "', label
    with page.expect_navigation():
        row.get_by_role("link", name=TITLE, exact=True).click()
    assert page.locator("h1").inner_text() == f"Mark: {TITLE}"

    # The evidence above the criteria: its timeline, its image, the PDF's first page.
    column = page.locator(".marking-evidence")
    assert (
        column.bounding_box()["y"] + column.bounding_box()["height"]
        <= (page.locator(".marking-criteria").bounding_box()["y"])
    )
    assert "Depot manager" in column.locator("ol.timeline").inner_text()
    image = column.locator("img[alt='Image attached: site.png']")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    frame = column.locator("iframe.pdf-page")
    frame.scroll_into_view_if_needed()
    document = frame.element_handle().content_frame()
    document.wait_for_load_state()
    assert document.evaluate("document.contentType") == "application/pdf"
    # Chromium's PDF viewer draws the page in a frame of its own once the file is read.
    for _ in range(50):
        if any(f.url.startswith("chrome-extension://") for f in page.frames):
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("the PDF viewer did not open in the frame")
    fits(page)

    for judgement in page.locator(".judgement.claimed").all():
        radio = judgement.get_by_label("Met", exact=True)
        # Chosen from the keyboard: headless Chromium sometimes sends a click made just after
        # scrolling to the PDF viewer's frame (its hit-test regions lag behind the scroll).
        radio.focus()
        page.keyboard.press("Space")
        assert radio.is_checked()
    page.get_by_label("Feedback to the learner", exact=True).fill("Clear and timed: well done.")
    page.get_by_label("Accept", exact=True).focus()
    page.keyboard.press("Space")
    assert page.get_by_label("Accept", exact=True).is_checked()
    page.get_by_role("button", name="Record decision").focus()
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    response = navigation.value
    assert response.ok, f"{response.status}: {page.locator('main').inner_text()[:500]}"
    assert page.url == live_server + "/queue"
    assert (
        page.locator(".flash-success").inner_text() == f"Decision recorded: '{TITLE}' is accepted."
    )
    assert page.locator(".table-scroll tbody tr", has_text=TITLE).count() == 0
    fits(page)
    assert not refused, refused
