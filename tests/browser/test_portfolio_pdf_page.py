"""The portfolio PDF's page while the PDF is made: it follows the job and, once the PDF is
ready, offers it as a link, where reloading itself would start the download and leave the
page saying it was still running."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portfolio import create_app
from portfolio.accounts.models import User
from portfolio.db import db
from portfolio.demo import demo_email
from portfolio.enrolments.models import Enrolment
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from tests.conftest import TEST_CONFIG
from tests.stories import check_accessibility, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def database(live_server, tmp_path_factory):
    """The live server's app, to set the PDF's state as its job would."""
    (path,) = tmp_path_factory.getbasetemp().glob("browser[0-9]*/browser.sqlite3")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    yield app
    with app.app_context():
        db.engine.dispose()


def set_status(app, document_id: int, status: DocumentStatus) -> None:
    with app.app_context():
        db.session.get(PortfolioDocument, document_id).status = status
        db.session.commit()
        db.session.remove()


def test_the_page_offers_the_pdf_once_it_is_made(page, database):
    with database.app_context():
        learner = db.session.scalar(select(User).where(User.email == demo_email("learner5")))
        enrolment_id = db.session.scalar(
            select(Enrolment.id).where(Enrolment.learner_id == learner.id)
        )
        db.session.remove()
    sign_in(page, "learner5")
    url = f"/enrolments/{enrolment_id}/portfolio.pdf"
    made = page.request.get(url)  # made at once here (the tests' jobs run where started)
    assert made.status == 200 and made.headers["content-type"] == "application/pdf"
    with database.app_context():
        document_id = db.session.scalar(
            select(PortfolioDocument.id).where(PortfolioDocument.enrolment_id == enrolment_id,
                                               PortfolioDocument.status == DocumentStatus.READY)
        )  # fmt: skip
        db.session.remove()
    set_status(database, document_id, DocumentStatus.GENERATING)  # as while its job runs
    try:
        page.goto(url)
        expect(page.get_by_text("The signed PDF is being made.")).to_be_visible()
        check_accessibility(page)
        set_status(database, document_id, DocumentStatus.READY)  # the job is done
        link = page.get_by_role("link", name="Download the PDF")
        expect(link).to_be_visible(timeout=10_000)
        expect(page.get_by_text("The signed PDF is ready.")).to_be_visible()
        assert link.get_attribute("href") == url
        assert page.get_by_text("Running.").count() == 0
        check_accessibility(page)
    finally:
        set_status(database, document_id, DocumentStatus.READY)
