"""Background jobs in Chromium: an admin asks for an EQA export, follows its job to the
download and finds it among the provider's jobs; a job's page follows its progress without
reloading and reloads once it is done. Each page checked with axe-core, also on a phone."""

import re
import zipfile
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portfolio.accounts.models import Role, User
from portfolio.accounts.people import create_person
from portfolio.assessment import marking, signoff
from portfolio.assessment.models import Outcome
from portfolio.db import db, utcnow
from portfolio.demo import demo_email
from portfolio.demo.lifecycle import COLLISION_INCIDENT
from portfolio.enrolments.operations import enrol_learner
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceKind
from portfolio.jobs import Job, JobState
from tests import factories
from tests.stories import check_accessibility, sign_in, visit

pytestmark = pytest.mark.browser


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def live_database(served_app, live_server):
    """The live server's database, to make rows the pages cannot, such as a job half done."""
    with served_app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def two_countersigned(live_database):
    """A second countersigned unit in the demo provider, which has one: Jordan Ellis's SFJ
    unit, its log accepted, declared, signed off by Tom and countersigned by Helen."""
    email = demo_email("learner-jobs")
    if db.session.scalar(select(User.id).where(User.email == email)) is None:
        people = {h: db.session.scalar(select(User).where(User.email == demo_email(h)))
                  for h in ("admin", "assessor2", "iqa")}  # fmt: skip
        learner = create_person(people["admin"].provider, name="Jordan Ellis", email=email,
                                role=Role.LEARNER, password=None)  # fmt: skip
        unit = factories.unit_by_code("SFJ")
        enrolment = enrol_learner(
            people["admin"], learner_id=learner.id, qualification_id=unit.qualifications[0].id,
            unit_id=unit.id, starts_on=date(2026, 9, 1), planned_end_on=date(2027, 8, 31),
            cohort_id=None, assessor_id=people["assessor2"].id, iqa_id=people["iqa"].id,
        )  # fmt: skip
        criteria = {c.number: c.id for c in enrolment.criteria_set.criteria}
        item = operations.start_item(learner, enrolment, EvidenceKind.INCIDENT_LOG,
                                     "Road closed by a fallen tree", COLLISION_INCIDENT)  # fmt: skip
        operations.set_claims(
            learner, item, {criteria[n]: "The log" for n in ("1.1", "2.1", "3.1")}
        )
        operations.submit_item(learner, item)
        marking.record_decision(
            people["assessor2"], item, outcome=Outcome.ACCEPTED, feedback="Clear and complete.",
            judgements=[marking.Judgement(c.criterion_id, True, "Shown") for c in item.claims],
            lock_version=None,
        )  # fmt: skip
        signoff.declare(learner, enrolment)
        signoff.sign_off(people["assessor2"], enrolment)
        signoff.countersign(people["iqa"], enrolment)
        db.session.commit()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_exports_two_portfolios_for_an_eqa_and_downloads_the_zip(
    page, two_countersigned, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "admin")
    visit(page, "/exports/eqa")
    check_accessibility(page)
    assert fits(page)
    boxes = page.locator("input[name=sign_off]")
    assert boxes.count() >= 2
    learners = [boxes.nth(n).get_attribute("aria-label").removeprefix("Include ") for n in (0, 1)]
    boxes.nth(0).check()
    boxes.nth(1).check()

    # The job runs at once in these tests, making both PDFs before the answer: give it time.
    with page.expect_navigation(timeout=120_000):
        page.get_by_role("button", name="Make the ZIP").click(no_wait_after=True)
    found = re.search(r"/jobs/(\d+)$", page.url)
    assert found, page.url
    job_id = found.group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("EQA export of 2 portfolios")
    expect(page.get_by_role("status")).to_contain_text("Done")
    assert page.get_by_text("2 portfolios,").count() == 1
    check_accessibility(page)
    assert fits(page)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the ZIP").click()
    download = downloading.value
    assert re.fullmatch(r"eqa-sample-\d{4}-\d\d-\d\d\.zip", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        index = archive.read("index.csv").decode()
        assert all(archive.read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))
    assert len([n for n in names if n.endswith(".pdf")]) == 2
    assert all(learner in index for learner in learners)

    visit(page, "/jobs")
    check_accessibility(page)
    assert fits(page)
    link = page.locator(f"a[href$='/jobs/{job_id}']")
    expect(link).to_have_text("EQA export of 2 portfolios")
    expect(page.locator("tr", has=link)).to_contain_text("Done")
    visit(page, "/jobs?state=failed")
    check_accessibility(page)


def change(job_id: int, **values) -> None:
    record = db.session.get(Job, job_id)
    for name, value in values.items():
        setattr(record, name, value)
    db.session.commit()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_job_page_follows_the_progress_without_reloading_then_reloads_when_done(
    page, live_database, width
):
    admin = db.session.scalar(select(User).where(User.email == demo_email("admin")))
    assert admin.role is Role.ADMIN
    record = Job(provider_id=admin.provider_id, requested_by_id=admin.id, kind="eqa_export",
                 label="EQA export of 3 portfolios", arguments=[], state=JobState.RUNNING,
                 attempts=1, max_attempts=3, progress_done=1, progress_total=3,
                 started_at=utcnow(), heartbeat_at=utcnow())  # fmt: skip
    db.session.add(record)
    db.session.commit()
    job_id = record.id

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "admin")
    visit(page, f"/jobs/{job_id}")
    text, bar = page.locator("[data-job-text]"), page.locator("[data-job-bar]")
    expect(text).to_have_text("Running: 1 of 3 done.")
    check_accessibility(page)
    assert fits(page)
    page.evaluate("window.stillTheSamePage = true")

    change(job_id, progress_done=2, heartbeat_at=utcnow())
    expect(text).to_have_text("Running: 2 of 3 done.")
    assert bar.evaluate("b => [b.value, b.max]") == [2, 3]
    assert page.evaluate("window.stillTheSamePage") is True  # followed without navigating

    change(job_id, state=JobState.DONE, progress_done=3, finished_at=utcnow())
    expect(page.get_by_role("status")).to_contain_text("Done")
    expect(text).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is None  # the page was loaded again
    check_accessibility(page)
