"""In Chromium: an admin invites a learner, who accepts from the .eml in the outbox and lands on
their home page; a forgotten password is reset from its emailed link. Every page is axe-clean."""

import email
import email.policy
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.stories import check_accessibility, sign_in, sign_out, submit, visit

pytestmark = pytest.mark.browser

# The live server sends no mail: without MAIL_HOST each message is written here.
OUTBOX = Path(os.environ["PORTFOLIO_INSTANCE_PATH"]) / "outbox"


def link_in_outbox(to: str, path_start: str) -> str:
    """The path of the link in the newest message to ``to`` in the outbox."""
    for file in sorted(OUTBOX.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
        if to in message["To"]:
            text = message.get_body(preferencelist=("plain",)).get_content()
            url = re.search(r"https?://\S+" + re.escape(path_start) + r"\S+", text).group(0)
            return urlsplit(url).path
    raise AssertionError(f"no message to {to} in {OUTBOX}")


def test_an_invited_learner_accepts_from_the_outbox_and_lands_on_their_home_page(page):
    sign_in(page, "admin")
    visit(page, "/people/new")
    page.get_by_label("Full name", exact=True).fill("Leah Morgan")
    page.get_by_label("Email address", exact=True).fill("leah.morgan@northgate.example.org")
    page.get_by_label("Role", exact=True).select_option("learner")
    assert submit(page, "Create account and send invitation").ok
    visit(page, "/people?status=invited")
    row = page.locator("tbody tr", has_text="Leah Morgan")
    assert "Invited" in row.inner_text()
    check_accessibility(page)
    sign_out(page)

    path = link_in_outbox("leah.morgan@northgate.example.org", "/invitation/")
    visit(page, path)
    assert page.locator("h1").inner_text() == "Choose your password"
    check_accessibility(page)
    page.get_by_label("Choose a password", exact=True).fill("short")
    response = submit(page, "Set password and sign in")
    assert response.status == 400
    check_accessibility(page)
    page.get_by_label("Choose a password", exact=True).fill("meadow-lantern-harbour-5")
    response = submit(page, "Set password and sign in")
    assert response.ok
    assert urlsplit(page.url).path == "/"
    assert "Leah Morgan" in page.locator(".who").inner_text()
    check_accessibility(page)


def test_a_forgotten_password_is_reset_from_the_emailed_link(page):
    # Fatima Hussain (learner8): no other browser test signs in as her.
    visit(page, "/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/password/forgot")
    check_accessibility(page)
    page.get_by_label("Email address", exact=True).fill("learner8@northgate.example.org")
    assert submit(page, "Email me a link").ok
    assert page.locator("h1").inner_text() == "Check your email"
    check_accessibility(page)

    path = link_in_outbox("learner8@northgate.example.org", "/password/reset/")
    visit(page, path)
    check_accessibility(page)
    page.get_by_label("Choose a password", exact=True).fill("copper-kettle-orchard-8")
    assert submit(page, "Change password and sign in").ok
    assert urlsplit(page.url).path == "/"
    check_accessibility(page)
    sign_out(page)
    # The link worked once.
    response = page.goto(path)
    assert response.status == 404
    check_accessibility(page)
    assert sign_in(page, "learner8", "copper-kettle-orchard-8").ok
    assert urlsplit(page.url).path == "/"
