"""Real-browser tests of assessment: the marking queue and form, IQA sampling and the
countersignature, returned evidence as the learner sees it, and the admin's plan and trail.

The live server is shared by every browser test of the session, so these tests change only
what no other browser test looks at: the assessor marks Callum's log (which Callum submits
first), not Aisha's, whose three items tests/browser/test_pages.py reads.
"""

import pytest
from playwright.sync_api import Page

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

CALLUM_LOG = "Lift entrapment at the depot"  # Callum's draft in the demo data
AISHA = "Aisha Khan"


def open_nav(page: Page, name: str) -> None:
    """Follow a link of the main navigation."""
    with page.expect_navigation():
        page.locator("nav[aria-label=Main]").get_by_role("link", name=name, exact=True).click()
    assert page.locator("nav[aria-label=Main] a[aria-current=page]").inner_text() == name


def open_link(page: Page, name: str, within: str = "main") -> None:
    with page.expect_navigation():
        page.locator(within).get_by_role("link", name=name, exact=True).first.click()


def flash(page: Page) -> str:
    return page.locator(".flash-success").inner_text()


def fits_the_screen(page: Page) -> str | None:
    """None when the page does not scroll sideways, otherwise what sticks out."""
    width = page.evaluate(SIDEWAYS)
    if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        return None
    return (
        f"{page.url}: page is {width['scrollWidth']}px wide in a {width['innerWidth']}px "
        "viewport; sticking out:\n    " + "\n    ".join(width["culprits"])
    )


def submit_callums_log(page: Page) -> None:
    """Callum claims a criterion for his draft lift log and submits it to Priya."""
    sign_in(page, "learner2")
    visit(page, first_href(page, ".cards a[href$='/portfolio']"))
    item = page.get_by_role("link", name=CALLUM_LOG, exact=True).first.get_attribute("href")
    visit(page, item + "/claims")
    page.locator("input[name=criterion]").first.check()
    response = submit(page, "Save claims")
    assert response.ok, response.status
    visit(page, item)
    response = submit(page, "Submit to assessor")
    assert response.ok, f"{response.status}: {page.locator('main').inner_text()[:500]}"
    assert flash(page).startswith("Submitted to your assessor.")
    submit(page, "Sign out")


# Tests -----------------------------------------------------------------------------------


def test_assessor_marks_evidence_from_the_queue(page, live_server):
    submit_callums_log(page)

    sign_in(page, "assessor")  # Priya Sharma
    notice = page.locator("section[aria-labelledby='todo-h'] p", has_text="waiting to be marked")
    assert "waiting to be marked" in notice.inner_text()
    assert notice.locator("a").get_attribute("href").endswith("/queue")
    check_accessibility(page)

    open_nav(page, "Marking queue")
    assert page.url == live_server + "/queue"
    assert page.locator("h1").inner_text() == "Marking queue"
    check_accessibility(page)

    rows = page.locator(".table-scroll tbody tr")
    assert rows.count() >= 1
    # Someone other than Aisha if the queue holds anyone else (it does: Callum just submitted).
    learners = [row.locator("td").nth(1).inner_text() for row in rows.all()]
    index = next((i for i, name in enumerate(learners) if name != AISHA), 0)
    assert learners[index] == "Callum MacLeod", learners
    link = rows.nth(index).locator("td").first.locator("a")
    title, mark_url = link.inner_text(), link.evaluate("a => a.href")
    assert title == CALLUM_LOG

    with page.expect_navigation():
        link.click()
    assert page.url == mark_url
    assert page.locator("h1").inner_text() == f"Mark: {title}"
    check_accessibility(page)

    claimed = page.locator(".judgement.claimed")
    assert claimed.count() >= 1
    for judgement in claimed.all():
        judgement.get_by_label("Met", exact=True).check()
    page.get_by_label("Feedback to the learner", exact=True).fill(
        "A clear, timed log: the escalation and the dispatch are well recorded."
    )
    page.get_by_label("Accept", exact=True).check()
    response = submit(page, "Record decision")
    assert response.ok, f"{response.status}: {page.locator('main').inner_text()[:500]}"
    assert page.url == live_server + "/queue"
    assert flash(page) == f"Decision recorded: '{title}' is accepted."
    assert mark_url not in hrefs(page, "main a")
    assert page.locator("main").get_by_role("link", name=title, exact=True).count() == 0
    check_accessibility(page)


def test_iqa_reviews_samples_and_countersigns_a_unit(page, live_server):
    sign_in(page, "iqa")  # Helen Murray
    open_nav(page, "Sampling")
    assert page.url == live_server + "/sampling"
    check_accessibility(page)

    samples = page.locator("section[aria-labelledby=samples-h] tbody tr")
    assert samples.count() >= 1
    for row in samples.all():
        reasons = row.locator("ul.reasons li").all_inner_texts()
        assert reasons and all(r.strip() for r in reasons), row.inner_text()
    sample = first_href(page, "section[aria-labelledby=samples-h] tbody a")
    visit(page, sample)
    assert page.locator("h1").inner_text().startswith("Sampled decision: ")
    assert page.locator("dl.summary ul.reasons li").count() >= 1
    check_accessibility(page)

    # Oluwaseun's VTCT unit is signed off by Tom and waits for Helen's countersignature.
    visit(page, "/")
    row = page.locator(".table-scroll tbody tr", has_text="Oluwaseun Bakare")
    assert row.count() == 1
    with page.expect_navigation():
        row.get_by_role("link", name="Oluwaseun Bakare", exact=True).click()
    assert page.url.endswith("/portfolio")
    panel = page.locator("section[aria-labelledby=signoff-h]")
    assert "Awaiting the IQA's countersignature." in panel.inner_text()
    # A sampled decision of the unit waiting for Helen's review, or one she sent back (the
    # demo's draw decides which), stands in the way, named with a link, until she reviews it
    # or Tom answers it.
    portfolio = page.url
    blockers = hrefs(page, "#countersign-blockers a")
    if blockers:
        assert page.get_by_role("button", name="Countersign the unit").count() == 0
    for sample in blockers:
        visit(page, sample)
        if page.get_by_role("button", name="Save review").count():
            page.get_by_label("Agree with the decision").check()
            assert submit(page, "Save review").ok
            continue
        sign_out(page)
        sign_in(page, "assessor2")  # Tom Kowalski
        visit(page, sample)
        page.get_by_label("What you did about the actions").fill("A comment on each criterion.")
        assert submit(page, "Respond and close").ok
        sign_out(page)
        sign_in(page, "iqa")
    visit(page, portfolio)
    panel = page.locator("section[aria-labelledby=signoff-h]")
    response = submit(page, "Countersign the unit")
    assert response.ok, f"{response.status}: {page.locator('main').inner_text()[:500]}"
    assert flash(page) == "Countersigned: the unit is complete."
    panel = page.locator("section[aria-labelledby=signoff-h]")
    assert "Countersigned" in panel.locator(".tag").all_inner_texts()
    assert "the unit is complete" in panel.inner_text()
    assert page.get_by_role("button", name="Countersign the unit").count() == 0
    check_accessibility(page)


def test_learner_sees_returned_evidence_and_its_feedback(page):
    sign_in(page, "learner3")  # Chloe Evans
    notice = page.locator("section[aria-labelledby=todo-h]")
    assert notice.locator("#returned-h").inner_text() == "Returned for rework (1)"
    link = notice.get_by_role("link", name="Water leak in the server room", exact=True)
    assert link.count() == 1
    check_accessibility(page)

    with page.expect_navigation():
        link.click()
    decision = page.locator("section.decision-returned")
    assert decision.locator("h2").inner_text() == "Returned for rework by Priya Sharma"
    assert "classify the severity" in decision.locator(".prose").inner_text()
    assert decision.locator(".prose strong").inner_text() == "classify the severity"
    judgements = decision.locator("ul.judgements li").all_inner_texts()
    assert any("Not yet met" in j and "No severity recorded" in j for j in judgements), judgements
    assert any(j.startswith("1.1") and "Met" in j for j in judgements), judgements
    check_accessibility(page)


def test_admin_sees_the_sampling_plan_and_a_learners_audit_trail(page, live_server):
    sign_in(page, "admin")  # Grace Adeyemi
    open_nav(page, "Sampling")
    assert page.url == live_server + "/sampling"
    form = page.locator("form[action$='/sampling/plan']")
    for label in ("Share sampled (%)", "Share for new assessors (%)", "Period (days)",
                  "Marking target (working days)", "At risk after no activity for (days)"):  # fmt: skip
        assert form.get_by_label(label, exact=True).input_value().isdigit(), label
    assert form.get_by_role("button", name="Save plan").count() == 1
    check_accessibility(page)

    visit(page, "/enrolments")
    visit(page, first_href(page, ".table-scroll a[href$='/portfolio']"))
    trail = page.locator("main a", has_text="Audit trail of ")
    assert trail.count() == 1
    learner = trail.inner_text().removeprefix("Audit trail of ")
    with page.expect_navigation():
        trail.click()
    assert page.locator("h1").inner_text() == f"Audit trail: {learner}"
    assert page.locator(".trail .trail-event").count() >= 1
    check_accessibility(page)


@pytest.mark.parametrize("handle", ["assessor", "assessor2", "iqa"])
def test_marking_and_sign_off_pages_fit_a_phone_screen(page, handle):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, handle)
    urls = []
    if handle == "assessor":  # the marking page of the oldest item in Priya's queue
        visit(page, "/queue")
        urls.append(first_href(page, ".table-scroll a[href$='/mark']"))
    else:  # the portfolios with a sign-off in force, for Tom (who signed) and Helen (IQA)
        for learner in ("Oluwaseun Bakare", "Siobhan O'Neill"):
            row = page.locator(".table-scroll tbody tr", has_text=learner)
            urls.append(row.locator("a[href$='/portfolio']").evaluate("a => a.href"))
    too_wide = []
    for url in urls:
        visit(page, url)
        if url.endswith("/portfolio"):
            assert "Signed off" in page.locator("section[aria-labelledby=signoff-h]").inner_text()
        problem = fits_the_screen(page)
        if problem:
            too_wide.append(problem)
    assert not too_wide, "pages scroll sideways on a phone:\n" + "\n".join(too_wide)


def test_the_evidence_pane_of_the_marking_page_holds_its_tables_on_a_desktop(page):
    """Beside the criteria the evidence pane is half the page: an incident log's resources
    table fits it rather than scrolling sideways within it."""
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "assessor")
    visit(page, "/queue")
    checked = 0
    for url in hrefs(page, ".table-scroll a[href$='/mark']"):
        visit(page, url)
        for table in page.locator(".marking-evidence .table-scroll").all():
            width = table.evaluate("e => [e.scrollWidth, e.clientWidth]")
            assert width[0] <= width[1], f"{url}: {width}"
            checked += 1
    assert checked, "no marking page in the queue shows a table"
