"""The claims page in a real browser while the job worker reads the learner's text with the
sentence model: it says more suggestions may follow, notices when they have, and shows them
on the learner's click, never reloading by itself over criteria ticked but not saved."""

import pytest
from playwright.sync_api import expect

from portfolio.db import db
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceKind
from portfolio.evidence.suggestion_meaning import read_versions
from tests import factories
from tests.stories import check_accessibility, submit, visit

pytestmark = pytest.mark.browser

# Supporting a new colleague, in words the City & Guilds criterion 2.1 ("Provide effective
# support to colleagues during incidents") never uses.
HELPING = (
    "During the outage I sat next to a new starter, talked her through the script and took "
    "over when the caller got angry."
)


def test_the_claims_page_offers_the_suggestions_once_the_worker_has_read_the_text(
    page, served_app, live_server
):
    with served_app.app_context():
        learner = factories.make_user(factories.make_provider("Reading Test Centre"))
        enrolment = factories.make_enrolment(learner, body="CG")
        star = {"situation": HELPING, "task": "", "action": "", "result": "", "reflection": ""}
        item = operations.start_item(learner, enrolment, EvidenceKind.STAR_ACCOUNT,
                                     "Busy evening", star)  # fmt: skip
        db.session.commit()
        email, claims = learner.email, f"/evidence/{item.id}/claims"

    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    assert submit(page, "Sign in").ok
    visit(page, claims)
    hint = page.get_by_test_id("reading")
    expect(hint).to_contain_text("Within a minute of saving")
    assert page.locator("ol.suggestions").inner_text().count("2.1") == 0
    check_accessibility(page)
    ticked = page.locator("input[name=criterion]").first
    ticked.check()

    with served_app.app_context():
        assert read_versions() >= 1  # as the worker does each minute

    expect(hint).to_contain_text("the suggestions are updated", timeout=15_000)
    expect(ticked).to_be_checked()  # the page was not reloaded under the learner
    page.get_by_role("link", name="show them").click()
    page.wait_for_load_state()
    suggested = page.locator("ol.suggestions")
    expect(suggested).to_contain_text("2.1")
    expect(suggested).to_contain_text("During the outage I sat next to a new starter")
    expect(page.get_by_test_id("reading")).to_have_count(0)
    check_accessibility(page)
