"""The notifications page and the email choice in a real browser: axe-clean on a desk and
on a phone, the header's count going as notifications are read."""

import pytest

from tests.stories import SIDEWAYS, check_accessibility, open_menu, sign_in, submit, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def unread_in_header(page) -> str:
    link = page.locator(".account a[href='/notifications']")
    return link.inner_text()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desk", "phone"])
def test_the_assessor_reads_their_notifications_on_a_desk_and_a_phone(
    browser, live_server, viewport
):
    context = browser.new_context(
        base_url=live_server, **({"viewport": viewport} if viewport else {})
    )
    page = context.new_page()
    try:
        sign_in(page, "assessor2")
        open_menu(page)
        assert "unread" in unread_in_header(page)  # the demo's submissions told them
        visit(page, "/notifications")
        assert page.locator("h1").inner_text() == "Notifications"
        check_accessibility(page)
        width = page.evaluate(SIDEWAYS)
        assert width["scrollWidth"] <= width["innerWidth"], width["culprits"]
        visit(page, "/account/notifications")
        check_accessibility(page)
        page.get_by_label("Off: no email, only the list in Portfolio").check()
        submit(page, "Save")
        assert "Notification email: Off" in page.locator(".flashes").inner_text()
    finally:
        context.close()


def test_marking_all_read_clears_the_header_count(page):
    sign_in(page, "assessor")
    visit(page, "/notifications")
    submit(page, "Mark all read")
    open_menu(page)
    assert unread_in_header(page) == "Notifications"
    assert "Nothing unread." in page.locator("main").inner_text()
    check_accessibility(page)
