"""In Chromium, on a desk and on a phone: a learner sets up two-factor authentication from
Account security with the key shown beside the QR code, keeps their recovery codes, signs in
with one and then with their app's code, and turns it off. Every page is axe-clean, and on
the phone none scrolls sideways.

Wei Zhang (learner6) is signed in as by no other browser test.
"""

import re
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pyotp
import pytest

from tests.browser.test_phone import PHONE, fits
from tests.stories import check_accessibility, open_menu, sign_in, sign_out, submit, visit

pytestmark = pytest.mark.browser


def test_a_learner_sets_up_two_factor_and_signs_in_with_a_code_on_a_desk_and_a_phone(
    page, browser, live_server
):
    sign_in(page, "learner6")
    open_menu(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Security", exact=True).click()
    assert page.locator("h1").inner_text() == "Account security"
    check_accessibility(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Set up two-factor authentication").click()
    check_accessibility(page)
    assert page.get_by_role("img", name=re.compile("QR code")).is_visible()
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)

    page.get_by_label("Code from your authenticator app").fill("000000")
    assert submit(page, "Turn on two-factor authentication").status == 400
    check_accessibility(page)
    # The last step's code is still accepted and leaves the next two for later. Taken just
    # before it is sent, so that a slow check above cannot carry it out of its window, and
    # not in a step's last seconds, so that the server checks it in the same step.
    left = totp.interval - time.time() % totp.interval
    if left < 5:
        time.sleep(left)
    step = totp.timecode(datetime.now(UTC)) - 1
    page.get_by_label("Code from your authenticator app").fill(totp.generate_otp(step))
    assert submit(page, "Turn on two-factor authentication").ok
    assert page.locator("h1").inner_text() == "Your recovery codes"
    check_accessibility(page)
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    with page.expect_navigation():
        page.get_by_role("link", name="I have kept them: continue").click()
    assert "10 of 10 recovery codes left" in page.locator("main").inner_text()
    check_accessibility(page)
    sign_out(page)

    sign_in(page, "learner6")
    assert urlsplit(page.url).path == "/sign-in/code"
    check_accessibility(page)
    page.get_by_label("Code", exact=True).fill("123 456")
    assert submit(page, "Sign in").status == 401
    check_accessibility(page)
    page.get_by_label("Code", exact=True).fill(codes[0])
    assert submit(page, "Sign in").ok
    assert urlsplit(page.url).path == "/"
    assert "Wei Zhang" in page.locator(".who").inner_text()
    check_accessibility(page)

    phone_context = browser.new_context(base_url=live_server, viewport=PHONE)
    phone_context.set_default_timeout(10_000)
    phone = phone_context.new_page()
    try:
        sign_in(phone, "learner6")
        assert urlsplit(phone.url).path == "/sign-in/code"
        fits(phone)
        phone.get_by_label("Code", exact=True).fill(totp.generate_otp(step + 1))
        assert submit(phone, "Sign in").ok
        visit(phone, "/account/security")
        assert "9 of 10 recovery codes left" in phone.locator("main").inner_text()
        fits(phone)
        phone.locator("#off-code").fill(totp.generate_otp(step + 2))
        assert submit(phone, "Turn off two-factor authentication").ok
        assert "Off: signing in asks only for your password" in phone.locator("main").inner_text()
        visit(phone, "/account/security/two-factor")
        assert phone.locator("h1").inner_text() == "Set up two-factor authentication"
        fits(phone)
    finally:
        phone.close()
        phone_context.close()
