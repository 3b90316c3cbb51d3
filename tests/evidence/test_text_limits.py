"""Every text a learner writes has a length limit: the form says which field and what the
limit is, and the domain functions refuse the same text when called without the forms."""

import io

import pytest
from sqlalchemy import func, select

from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.evidence import operations
from portfolio.evidence.models import (
    EvidenceFile,
    EvidenceItem,
    EvidenceKind,
    PersonalDataDismissal,
)
from portfolio.evidence.operations import findings
from portfolio.text import MARKDOWN_LIMIT
from portfolio.units.models import Criterion
from tests.evidence.helpers import CALL_NOTE, STAR
from tests.factories import PDF
from tests.filesystems import stored
from tests.stories import leaky_note


def items() -> int:
    return db.session.scalar(select(func.count(EvidenceItem.id)))


def test_a_field_over_its_limit_is_refused_naming_the_field_and_the_limit(
    client, learner, enrolment
):
    form = client.get(f"/enrolments/{enrolment.id}/evidence/new/call_note").get_data(as_text=True)
    assert 'maxlength="50000"' in form and 'maxlength="200"' in form
    data = {**CALL_NOTE, "notes": "[" * 50_001, "title": "T" * 201}
    response = client.post(f"/enrolments/{enrolment.id}/evidence/new/call_note", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Notes can be at most 50,000 characters; this has 50,001." in html
    assert "Title can be at most 200 characters; this has 201." in html
    assert items() == 0


def test_a_line_break_sent_by_the_browser_counts_once(client, learner, enrolment):
    typed = ("Line of the call.\n" * 2000)[:20_000]  # the limit of a STAR part, as typed
    data = {**STAR, "situation": typed.replace("\n", "\r\n")}  # as the browser sends it
    assert len(data["situation"]) == 20_000 + 1111
    response = client.post(f"/enrolments/{enrolment.id}/evidence/new/star_account", data=data)
    assert response.status_code == 302
    assert "at most 20,000" not in response.get_data(as_text=True)


def test_evidence_saved_without_the_forms_keeps_the_limits(people, enrolment):
    learner = enrolment.learner
    content = {"call_date": "2026-11-03", "channel": "email", "duration_minutes": 5,
               "notes": "Fine."}  # fmt: skip
    with pytest.raises(DomainError, match="Title can be at most 200 characters"):
        operations.start_item(learner, enrolment, EvidenceKind.CALL_NOTE, "T" * 201, content)
    too_long = {**content, "notes": "a" * (MARKDOWN_LIMIT + 1)}
    with pytest.raises(DomainError, match="Call notes can be at most 50,000 characters"):
        operations.start_item(learner, enrolment, EvidenceKind.CALL_NOTE, "Call", too_long)
    item = operations.start_item(learner, enrolment, EvidenceKind.CALL_NOTE, "Call", content)
    with pytest.raises(DomainError, match="Title can be at most 200 characters"):
        operations.save_item(learner, item, "T" * 201, content)
    assert db.session.get(EvidenceItem, item.id).title == "Call"


def test_a_file_description_over_its_limit_is_refused_and_nothing_is_stored(
    client, learner, enrolment, files_folder
):
    client.post(f"/enrolments/{enrolment.id}/evidence/new/call_note", data=CALL_NOTE)
    item = db.session.scalar(select(EvidenceItem))
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert 'maxlength="300"' in page
    response = client.post(
        f"/evidence/{item.id}/files",
        data={"file": (io.BytesIO(PDF), "report.pdf"), "description": "d" * 301},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "What the file shows can be at most 300 characters; this has 301." in (
        response.get_data(as_text=True)
    )
    upload = type("Upload", (), {"filename": "report.pdf", "stream": io.BytesIO(PDF)})
    with pytest.raises(DomainError, match="at most 300 characters"):
        operations.attach_file(learner, item, upload, "d" * 301)
    assert stored(files_folder) == []
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0


def test_a_dismissal_reason_over_its_limit_is_refused(client, learner, enrolment):
    item = leaky_note(client, enrolment)
    email = next(f for f in findings(item) if f.finding.type == "EMAIL")
    data = {"field": email.field, "finding_type": "EMAIL", "text": email.finding.text,
            "reason": "r" * 501}  # fmt: skip
    response = client.post(f"/evidence/{item.id}/check/dismiss", data=data)
    assert response.status_code == 400
    assert "Why this is not personal data can be at most 500 characters; this has 501." in (
        response.get_data(as_text=True)
    )
    with pytest.raises(DomainError, match="at most 500 characters"):
        operations.dismiss_finding(learner, item, email.field, "EMAIL", email.finding.text,
                                   "r" * 501)  # fmt: skip
    assert db.session.scalar(select(func.count(PersonalDataDismissal.id))) == 0


def test_a_claim_note_over_its_limit_names_the_criterion(client, learner, enrolment):
    client.post(f"/enrolments/{enrolment.id}/evidence/new/call_note", data=CALL_NOTE)
    item = db.session.scalar(select(EvidenceItem))
    criterion = db.session.scalar(
        select(Criterion)
        .where(Criterion.criteria_set_id == enrolment.criteria_set_id)
        .order_by(Criterion.position)
    )
    response = client.post(
        f"/evidence/{item.id}/claims",
        data={"criterion": [str(criterion.id)], f"note_{criterion.id}": "n" * 501},
    )
    assert response.status_code == 400
    assert (
        f"The note on criterion {criterion.number} can be at most 500 characters; this has 501."
        in response.get_data(as_text=True)
    )
    assert db.session.get(EvidenceItem, item.id).claims == []
