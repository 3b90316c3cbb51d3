"""STAR accounts and anonymised call notes."""

from datetime import date, timedelta

from sqlalchemy import select

from portfolio.db import db
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from tests.evidence.helpers import CALL_NOTE, INCIDENT, STAR


def test_star_account_with_every_part_is_saved_and_linked(client, learner, enrolment):
    client.post(f"/enrolments/{enrolment.id}/evidence/new/incident_log", data=INCIDENT)
    log = db.session.scalar(
        select(EvidenceItem).where(EvidenceItem.kind == EvidenceKind.INCIDENT_LOG)
    )
    response = client.post(
        f"/enrolments/{enrolment.id}/evidence/new/star_account",
        data={**STAR, "linked_item_id": str(log.id)},
    )
    assert response.status_code == 302
    star = db.session.scalar(
        select(EvidenceItem).where(EvidenceItem.kind == EvidenceKind.STAR_ACCOUNT)
    )
    assert star.linked_item_id == log.id
    html = client.get(f"/evidence/{star.id}").get_data(as_text=True)
    for part in ("Situation", "Task", "Action", "Result", "Reflection"):
        assert f"<h3>{part} <span" in html
    assert "words)" in html


def test_an_empty_star_part_is_refused_next_to_it(client, learner, enrolment):
    response = client.post(
        f"/enrolments/{enrolment.id}/evidence/new/star_account", data={**STAR, "result": "  "}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="result-error"' in html
    assert "Write the result part: it cannot be empty." in html
    assert db.session.scalar(select(EvidenceItem)) is None


def test_star_form_offers_live_word_counts(client, learner, enrolment):
    html = client.get(f"/enrolments/{enrolment.id}/evidence/new/star_account").get_data(
        as_text=True
    )
    assert html.count('data-word-count="true"') == 5
    assert "word-count.js" in html


def test_short_star_parts_get_a_quality_warning(client, learner, enrolment):
    client.post(
        f"/enrolments/{enrolment.id}/evidence/new/star_account", data={**STAR, "task": "Log it."}
    )
    star = db.session.scalar(select(EvidenceItem))
    html = client.get(f"/evidence/{star.id}").get_data(as_text=True)
    assert "The Task part has 2 words: too short to be evidence." in html


def test_linking_another_learners_incident_log_is_refused(client, auth, people, enrolment):
    from portfolio.accounts.models import Role
    from tests.factories import make_enrolment

    other = make_enrolment(people["learner2"], body="BIIAB")
    auth.sign_in(people["learner2"])
    client.post(f"/enrolments/{other.id}/evidence/new/incident_log", data=INCIDENT)
    theirs = db.session.scalar(select(EvidenceItem))
    auth.sign_out()
    auth.sign_in(people[Role.LEARNER])
    response = client.post(
        f"/enrolments/{enrolment.id}/evidence/new/star_account",
        data={**STAR, "linked_item_id": str(theirs.id)},
    )
    assert response.status_code == 400
    assert (
        db.session.scalar(
            select(EvidenceItem).where(EvidenceItem.kind == EvidenceKind.STAR_ACCOUNT)
        )
        is None
    )


def test_call_note_is_saved_with_date_channel_and_duration(client, learner, enrolment):
    response = client.post(f"/enrolments/{enrolment.id}/evidence/new/call_note", data=CALL_NOTE)
    assert response.status_code == 302
    note = db.session.scalar(select(EvidenceItem))
    assert note.current.content == {
        "call_date": "2026-11-03", "channel": "inbound_phone", "duration_minutes": 12,
        "notes": CALL_NOTE["notes"],
    }  # fmt: skip
    page = client.get(f"/evidence/{note.id}").get_data(as_text=True)
    assert "<dt>Date of call</dt><dd>3 Nov 2026</dd>" in page  # as every page gives a day


def test_call_note_bad_input_is_refused(client, learner, enrolment):
    url = f"/enrolments/{enrolment.id}/evidence/new/call_note"
    for data, message in [
        ({**CALL_NOTE, "call_date": "2026-02-30"}, "Enter a real date, such as 2026-11-04"),
        ({**CALL_NOTE, "duration_minutes": "0"}, "Enter a duration from 1 to 600 minutes."),
        ({**CALL_NOTE, "duration_minutes": "ten"}, "Enter a whole number, such as 20."),
        ({**CALL_NOTE, "notes": ""}, "Write the call notes."),
        ({**CALL_NOTE, "channel": "carrier pigeon"}, "Not a valid choice"),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), message
    assert db.session.scalar(select(EvidenceItem)) is None


def test_unknown_kind_is_404(client, learner, enrolment):
    assert client.get(f"/enrolments/{enrolment.id}/evidence/new/diary").status_code == 404


def test_a_call_note_dated_in_the_future_is_refused_next_to_the_date(client, learner, enrolment):
    url = f"/enrolments/{enrolment.id}/evidence/new/call_note"
    for call_date in ("9999-12-31", (date.today() + timedelta(days=1)).isoformat()):
        response = client.post(url, data={**CALL_NOTE, "call_date": call_date})
        assert response.status_code == 400, call_date
        assert "The call date cannot be in the future." in response.get_data(as_text=True)
    assert db.session.scalar(select(EvidenceItem)) is None
