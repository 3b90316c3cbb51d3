"""Real-browser tests: every role signs in through the form and every page it reaches passes
axe-core's WCAG 2.2 AA and best-practice rules (serious and critical impacts fail the test)."""

import pytest

from portfolio.accounts.views import SIGN_IN_REFUSED
from portfolio.demo import PASSWORD, demo_email
from tests.stories import (
    SIDEWAYS,
    check_accessibility,
    first_href,
    hrefs,
    sign_in,
    sign_out,
    submit,
    visit,
)

pytestmark = pytest.mark.browser

ROLES = ["admin", "assessor", "iqa", "eqa", "learner"]


@pytest.mark.parametrize("handle", ROLES)
def test_each_role_signs_in_and_every_page_it_reaches_is_accessible(page, live_server, handle):
    visit(page, "/sign-in")
    check_accessibility(page)

    response = sign_in(page, handle)
    assert response.ok, response.status
    assert page.url == live_server + "/"
    assert page.locator("h1").count() == 1
    check_accessibility(page)

    pages = hrefs(page, "nav[aria-label=Main] a")
    assert live_server + "/criteria" in pages
    pages.append(live_server + "/account/password")
    if handle == "learner":
        pages.append(first_href(page, ".cards a[href*='/enrolments/']"))
    for url in pages:
        visit(page, url)
        check_accessibility(page)

    if handle == "admin":
        visit(page, "/enrolments")
        portfolio = first_href(page, ".table-scroll a[href$='/portfolio']")
        enrolment = portfolio.removesuffix("/portfolio")
        visit(page, "/criteria")
        unit = first_href(page, ".unit-list a")
        for url in [
            "/people/new",
            "/people?status=invited",
            "/provider/api-tokens",
            "/enrolments/new",
            portfolio,
            enrolment,
            enrolment + "/edit",
            unit,
        ]:
            visit(page, url)
            check_accessibility(page)

    sign_out(page)
    assert (
        page.locator(".flash").inner_text() == "You have signed out on this and every other device."
    )


EXPECTED_CRITERIA = {
    "VTCT Skills": 5,
    "Pearson": 3,
    "City & Guilds": 8,
    "SFJ Awards": 3,
    "BIIAB": 5,
}


def test_criteria_browser_shows_each_awarding_bodys_criteria(page):
    sign_in(page, "learner")
    visit(page, "/criteria")
    # Each awarding body's units, with the number of criteria the library says each has.
    listed: dict[str, dict[str, int]] = {}
    for section in page.locator("section.panel").all():
        body = section.locator("h2").inner_text()
        listed[body] = {}
        for item in section.locator(".unit-list li").all():
            href = item.locator("a").evaluate("a => a.href")
            listed[body][href] = int(item.locator("[data-testid=criteria-count]").inner_text())
    assert sorted(listed) == sorted(EXPECTED_CRITERIA)

    counts = {}
    for body, units in listed.items():
        counts[body] = 0
        for url, listed_count in units.items():  # a unit in two qualifications counts once
            visit(page, url)
            shown = page.locator("[data-testid=criterion]").count()
            assert shown == listed_count, (
                f"{url} shows {shown} criteria, the library {listed_count}"
            )
            counts[body] += shown
            if body == "City & Guilds":
                h1 = page.locator("h1").inner_text()
                assert h1 == "Manage incidents referred to a contact centre"
                level = page.locator("dl.summary dt", has_text="Level").locator("+ dd")
                assert level.inner_text().strip() == "3"
    assert counts == EXPECTED_CRITERIA


@pytest.mark.parametrize("handle", ["admin", "learner"])
def test_pages_fit_a_phone_screen(page, handle):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, handle)
    visit(page, "/criteria")
    unit = first_href(page, ".unit-list a")
    urls = ["/", "/criteria", unit]
    if handle == "admin":
        urls += ["/people", "/enrolments", "/cohorts"]
    too_wide = []
    for url in urls:
        visit(page, url)
        width = page.evaluate(SIDEWAYS)
        if width["scrollWidth"] > width["innerWidth"]:
            too_wide.append(
                f"{page.url}: page is {width['scrollWidth']}px wide in a "
                f"{width['innerWidth']}px viewport; sticking out:\n    "
                + "\n    ".join(width["culprits"])
            )
    assert not too_wide, "pages scroll sideways on a phone:\n" + "\n".join(too_wide)


def test_wrong_password_gives_a_generic_message(page):
    messages = []
    for email, password in [
        (demo_email("learner2"), "not-the-password-2026"),
        ("nobody@northgate.example.org", PASSWORD),
    ]:
        page.goto("/sign-in")
        page.get_by_label("Email address", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        response = submit(page, "Sign in")
        assert response.status == 401
        assert page.url.endswith("/sign-in")
        summary = page.locator(".error-summary")
        assert summary.get_attribute("role") == "alert"
        messages.append(summary.locator("li").all_inner_texts())
        check_accessibility(page)
    assert messages[0] == messages[1] == [SIGN_IN_REFUSED]


def test_admin_creates_a_learner_through_the_form(page):
    sign_in(page, "admin")
    visit(page, "/people/new")
    page.get_by_label("Full name", exact=True).fill("Nadia Rahman")
    page.get_by_label("Email address", exact=True).fill("nadia.rahman@northgate.example.org")
    page.get_by_label("Role", exact=True).select_option("learner")
    response = submit(page, "Create account and send invitation")
    assert response.ok, response.status
    # A new learner is offered enrolment straight away, chosen in the form.
    assert "/enrolments/new?learner=" in page.url
    assert page.locator(".flash-success").inner_text() == (
        "Account created for Nadia Rahman (Learner); an invitation to choose their password has "
        "been emailed to nadia.rahman@northgate.example.org. Enrol them on a unit now, or later "
        "from Enrolments."
    )
    chosen = page.get_by_label("Learner", exact=True).locator("option:checked").inner_text()
    assert chosen.startswith("Nadia Rahman")
    check_accessibility(page)
    visit(page, "/people")
    row = page.locator("tbody tr", has_text="Nadia Rahman")
    assert row.count() == 1
    assert "nadia.rahman@northgate.example.org" in row.inner_text()
    assert "Learner" in row.inner_text() and "Invited" in row.inner_text()

    visit(page, "/people/new")
    page.get_by_label("Full name", exact=True).fill("Owen Price")
    page.get_by_label("Email address", exact=True).fill("owen.price@")
    page.get_by_label("Role", exact=True).select_option("learner")
    response = submit(page, "Create account and send invitation")
    assert response.status == 400
    # The message sits in the email field's own block, before its input.
    message = "Enter an email address like name@example.org."
    field = page.locator(".field-error", has=page.locator("#email"))
    assert message in field.locator("#email-error").inner_text()
    email = page.get_by_label("Email address", exact=True)
    assert email.get_attribute("aria-invalid") == "true"
    assert "email-error" in email.get_attribute("aria-describedby").split()
    summary = page.locator(".error-summary")
    assert summary.locator("h2").inner_text() == "There is a problem"
    link = summary.get_by_role("link", name=f"Email address: {message}")
    assert link.get_attribute("href") == "#email"
    # The summary comes before the form.
    assert page.evaluate(
        "() => !!(document.querySelector('.error-summary').compareDocumentPosition("
        "document.querySelector('main form')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    check_accessibility(page)
    visit(page, "/people")
    assert page.locator("tbody tr", has_text="Owen Price").count() == 0


def test_learner_evidence_pages_are_accessible_and_work_on_a_phone(page):
    """The learner's side: portfolio, each evidence form, an item, its claims and its check."""
    sign_in(page, "learner")
    portfolio = first_href(page, ".cards a[href$='/portfolio']")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        visit(page, portfolio)
        check_accessibility(page)
        items = hrefs(page, "table a[href*='/evidence/']")
        assert len(items) == 3  # the demo learner's incident log, STAR account and call note
        for url in hrefs(page, ".add-evidence a") + items:
            visit(page, url)
            check_accessibility(page)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
    visit(page, portfolio)
    draft = page.get_by_role("link", name="Unexpected standing charge").first.get_attribute("href")
    for suffix in ("/claims", "/check"):
        visit(page, draft + suffix)
        check_accessibility(page)
    assert page.locator("mark.pii").count() >= 2


def test_star_form_counts_words_as_the_learner_types(page):
    sign_in(page, "learner")
    portfolio = first_href(page, ".cards a[href$='/portfolio']")
    visit(page, portfolio)
    visit(page, first_href(page, ".add-evidence a[href$='/star_account']"))
    page.get_by_label("Situation", exact=True).fill("I answered a call about a lift fault")
    assert page.locator("#situation-count").inner_text() == "8 words of the 25 to aim for: 17 to go"
    check_accessibility(page)
