"""Every role's pages work under the content security policy: Chromium reports no refused
script, style or other resource in the console, and what scripts and styles do still shows."""

import pytest
from playwright.sync_api import Page

from tests.stories import first_href, hrefs, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

# Chromium's words when the policy (or the permissions policy) refuses something.
REFUSALS = ("Refused to", "Content Security Policy", "Permissions-Policy", "Permissions policy")


@pytest.fixture
def console(page: Page) -> list[str]:
    """What the page writes to the console and the errors it throws, as they come."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return messages


def refusals(console: list[str]) -> list[str]:
    return [m for m in console if m.startswith("pageerror") or any(r in m for r in REFUSALS)]


def extra_pages(page: Page, handle: str) -> list[str]:
    """Pages beyond the navigation that carry scripts, meters or forms of their own."""
    if handle == "learner":
        visit(page, "/")
        portfolio = first_href(page, ".cards a[href$='/portfolio']")
        visit(page, portfolio)
        item = first_href(page, "main a[href*='/evidence/']:not([href*='/new/'])")
        star = first_href(page, "a[href$='/evidence/new/star_account']")
        return [portfolio, item, star]
    if handle == "assessor":
        visit(page, "/caseload")
        return [first_href(page, ".table-scroll a[href$='/portfolio']")]
    if handle == "admin":
        return ["/people/new", "/enrolments/new", "/dashboard/learners?risk=inactive"]
    return []


@pytest.mark.parametrize("handle", ["admin", "assessor", "iqa", "eqa", "learner"])
def test_no_page_of_a_role_breaks_the_content_security_policy(page, console, handle):
    for url in ("/sign-in", "/verify"):
        visit(page, url)
    sign_in(page, handle)
    pages = hrefs(page, "nav[aria-label=Main] a") + ["/account/password"]
    pages += extra_pages(page, handle)
    for url in pages:
        visit(page, url)
        assert page.locator("link[rel=stylesheet]").count() == 1
        # The stylesheet applied: the header has its colour, not the browser's default.
        header = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
        assert header != "rgba(0, 0, 0, 0)", url
    assert not refusals(console), "\n".join(refusals(console))


def test_the_scripts_and_meters_still_work_under_the_policy(page, console):
    sign_in(page, "learner")
    visit(page, first_href(page, ".cards a[href$='/portfolio']"))
    visit(page, first_href(page, "a[href$='/evidence/new/star_account']"))
    area = page.locator("textarea[data-word-count]").first
    area.fill("Three short words")
    assert (
        page.locator(".word-count").first.inner_text() == "3 words of the 25 to aim for: 22 to go"
    )

    sign_out(page)
    sign_in(page, "admin")
    visit(page, "/dashboard")
    bars = page.locator("meter.bar")
    assert bars.count() > 0
    widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
    assert max(widths) > 20  # drawn as bars the width of their share's column
    visit(page, "/dashboard/learners")
    meter = page.locator("meter.meter").first
    assert meter.bounding_box()["width"] > 20
    assert not refusals(console), "\n".join(refusals(console))
