"""Off-the-job hours in Chromium: the apprentice logs hours, the assessor verifies one entry and
rejects another with a reason; each page checked with axe-core, on a desktop and a phone."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portfolio import create_app
from portfolio.accounts.models import User
from portfolio.apprenticeships.models import Apprenticeship, Employer
from portfolio.db import db
from portfolio.demo import demo_email
from portfolio.enrolments.models import Enrolment
from tests.conftest import TEST_CONFIG
from tests.stories import check_accessibility, sign_in, submit, visit

pytestmark = pytest.mark.browser


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(scope="module")
def apprentice(live_server, tmp_path_factory):
    """Aisha's enrolment, made an apprenticeship (400 planned hours) if the demo has not."""
    (path,) = tmp_path_factory.getbasetemp().glob("browser[0-9]*/browser.sqlite3")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.email == demo_email("learner")))
        enrolment = db.session.scalar(
            select(Enrolment).where(Enrolment.learner_id == learner.id).order_by(Enrolment.id)
        )
        if (
            db.session.scalar(
                select(Apprenticeship.id).where(Apprenticeship.enrolment_id == enrolment.id)
            )
            is None
        ):
            employer = Employer(provider_id=learner.provider_id, name="Browser Test Employer")
            db.session.add(employer)
            db.session.flush()
            db.session.add(Apprenticeship(enrolment_id=enrolment.id, programme="Customer Service",
                                          employer_id=employer.id, planned_otj_hours=400))  # fmt: skip
            db.session.commit()
        enrolment_id = enrolment.id
        db.session.remove()
        db.engine.dispose()
    return enrolment_id


@pytest.mark.parametrize("width", [1280, 390])
def test_an_apprentice_logs_hours_and_the_assessor_verifies_and_rejects(page, apprentice, width):
    page.set_viewport_size({"width": width, "height": 900})
    day = date.today() - timedelta(days=1 if width == 1280 else 2)
    sign_in(page, "learner")
    visit(page, f"/enrolments/{apprentice}/hours")
    check_accessibility(page)
    assert fits(page)
    # A long link in what was learned wraps on the entry's page rather than widening it.
    link = "https://docs.example.org/document/d/1aBcD3eFgHiJkLmNoPqRsTuVwXyZ0123456789abcdef/edit"
    for start, end, what in (("09:00", "11:00", "Priority matrix workshop"),
                             ("13:00", "14:00", f"Took calls on my shift, notes at {link}")):  # fmt: skip
        visit(page, f"/enrolments/{apprentice}/hours/new")
        check_accessibility(page)
        page.get_by_label("Date", exact=True).fill(day.isoformat())
        page.get_by_label("Start time").fill(start)
        page.get_by_label("End time").fill(end)
        page.get_by_label("Kind of activity").select_option("taught")
        page.get_by_label("What you learned").fill(what)
        submit(page, "Log these hours")
        expect(page.get_by_text("Your off-the-job hours are logged")).to_be_visible()
    # An overlapping entry is refused, saying where.
    visit(page, f"/enrolments/{apprentice}/hours/new")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("10:30")
    page.get_by_label("Kind of activity").select_option("mentoring")
    page.get_by_label("What you learned").fill("Overlaps")
    page.get_by_role("button", name="Log these hours").click()
    expect(page.get_by_role("alert")).to_contain_text("overlap your entry of 09:00 to 11:00")
    check_accessibility(page)
    page.context.clear_cookies()

    sign_in(page, "assessor")
    visit(page, "/hours/queue")
    check_accessibility(page)
    assert fits(page)
    if width == 390:  # the rows stack, and the long link wraps within its row
        regions = page.evaluate("[...document.querySelectorAll('.table-scroll')]"
                                ".map(e => e.scrollWidth - e.clientWidth)")  # fmt: skip
        assert regions and max(regions) <= 0, regions
    rows = page.locator("tr", has_text="Priority matrix workshop")
    rows.first.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Verified Aisha Khan's 2 h of taught session")).to_be_visible()
    page.locator("tr", has_text="Took calls on my shift").first.get_by_role(
        "link", name="Reject"
    ).click()
    check_accessibility(page)
    page.get_by_label("Reason for rejecting").fill("Answering calls is your normal job.")
    submit(page, "Reject the entry")
    # Back in the queue it was rejected from, which no longer lists it.
    expect(page.get_by_text("Rejected Aisha Khan's 1 h of taught session")).to_be_visible()
    assert page.url.split("?")[0].endswith("/hours/queue")
    expect(page.locator("tr", has_text="Took calls on my shift")).to_have_count(0)
    check_accessibility(page)
    assert fits(page)
    page.context.clear_cookies()

    # The apprentice is told why, and the entry's page says it beside its status.
    sign_in(page, "learner")
    visit(page, "/notifications")
    page.get_by_role("link", name="See the entry").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("Reason: Answering calls is your normal job.")).to_be_visible()
    check_accessibility(page)
    assert fits(page)
