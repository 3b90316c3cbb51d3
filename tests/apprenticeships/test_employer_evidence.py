"""An apprentice's line manager comments on their evidence and writes witness testimony,
which their assessor marks as other evidence."""

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceComment, EvidenceItem, EvidenceKind, EvidenceStatus
from portfolio.notifications.models import Notification
from tests import factories


def _comment(client, item_id, body):
    return client.post(f"/evidence/{item_id}/comments", data={"body": body})


def test_line_manager_comments_and_the_learner_and_assessor_are_told(two, auth, client):
    mine, _theirs, _elsewhere = two
    item = factories.submitted(mine.learner, mine.enrolment, title="Flood at the depot")
    auth.sign_in(mine.manager)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "No comments yet" in page and 'name="body"' in page
    response = _comment(client, item.id, "Handled **calmly**, as I saw. <script>alert(1)</script>")
    assert response.status_code == 302
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "<strong>calmly</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert f"{mine.manager.name}</strong> (line manager)" in page
    told = db.session.execute(
        select(Notification.recipient_id, Notification.kind).order_by(Notification.recipient_id)
    ).all()
    commented = {who for who, kind in told if kind == "evidence_commented"}
    assert commented == {mine.learner.id, mine.assessor.id}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.commented"))
    assert event.actor_id == mine.manager.id and event.object_id == item.id


def test_learner_and_assessor_reply_and_are_not_told_of_their_own(two, auth, client):
    mine, _theirs, _elsewhere = two
    item = factories.submitted(mine.learner, mine.enrolment)
    auth.sign_in(mine.learner)
    assert _comment(client, item.id, "Thanks: I will add the times.").status_code == 302
    auth.sign_out()
    auth.sign_in(mine.assessor)
    assert _comment(client, item.id, "Please do.").status_code == 302
    told = (
        db.session.execute(
            select(Notification.recipient_id).where(Notification.kind == "evidence_commented")
        )
        .scalars()
        .all()
    )
    assert sorted(told) == sorted([mine.assessor.id, mine.learner.id])
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert page.index("Thanks: I will add the times.") < page.index("Please do.")


def test_iqa_eqa_and_admin_read_comments_but_do_not_write(two, auth, client, provider):
    mine, _theirs, _elsewhere = two
    item = factories.submitted(mine.learner, mine.enrolment)
    auth.sign_in(mine.manager)
    _comment(client, item.id, "Good work.")
    auth.sign_out()
    for role in (Role.ADMIN, Role.EQA):
        reader = factories.make_user(provider, role)
        auth.sign_in(reader)
        page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
        assert "Good work." in page and 'name="body"' not in page
        assert _comment(client, item.id, "Mine too").status_code == 403
        auth.sign_out()
    assert db.session.scalar(select(EvidenceComment.body).where(
        EvidenceComment.body == "Mine too")) is None  # fmt: skip


def test_empty_and_overlong_comments_are_refused_saying_why(two, auth, client):
    mine, _theirs, _elsewhere = two
    item = factories.submitted(mine.learner, mine.enrolment)
    auth.sign_in(mine.manager)
    empty = _comment(client, item.id, "   ")
    assert empty.status_code == 400
    assert "Write your comment before sending it." in empty.get_data(as_text=True)
    long = _comment(client, item.id, "x" * 2_001)
    assert long.status_code == 400
    assert "Your comment can be at most 2,000 characters; this has 2,001." in long.get_data(
        as_text=True
    )
    assert db.session.scalar(select(EvidenceComment.id)) is None


def test_another_employers_and_another_providers_items_are_404(two, auth, client):
    mine, theirs, elsewhere = two
    other = factories.submitted(theirs.learner, theirs.enrolment)
    abroad = factories.submitted(elsewhere.learner, elsewhere.enrolment)
    auth.sign_in(mine.manager)
    for item in (other, abroad):
        assert _comment(client, item.id, "Hello").status_code == 404
    auth.sign_out()
    auth.sign_in(mine.assessor)
    assert _comment(client, abroad.id, "Hello").status_code == 404
    assert db.session.scalar(select(EvidenceComment.id)) is None


def test_comment_needs_the_csrf_token(two, auth, client, app):
    mine, _theirs, _elsewhere = two
    item = factories.submitted(mine.learner, mine.enrolment)
    auth.sign_in(mine.manager)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert _comment(client, item.id, "Without a token").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.scalar(select(EvidenceComment.id)) is None


TESTIMONY = {
    "title": "Handling the burst main at Station Road",
    "witness_name": "Should be kept as typed",
    "witness_role": "Line manager",
    "given_on": "2026-11-20",
    "testimony": "I saw her log the burst, classify it as P2 and escalate it within 5 minutes.",
}


def _write_testimony(client, enrolment, **changes) -> int:
    """The line manager writes, maps and submits a witness testimony; returns its id."""
    response = client.post(
        f"/enrolments/{enrolment.id}/evidence/new/witness_testimony",
        data={**TESTIMONY, **changes},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_line_manager_writes_submits_and_the_assessor_marks_witness_testimony(two, auth, client):
    mine, _theirs, _elsewhere = two
    criterion = factories.criteria_of(mine.enrolment)[0]
    auth.sign_in(mine.manager)
    portfolio = client.get(f"/enrolments/{mine.enrolment.id}/portfolio").get_data(as_text=True)
    assert "New witness testimony" in portfolio
    assert "New incident log" not in portfolio and "New observation record" not in portfolio
    form = client.get(f"/enrolments/{mine.enrolment.id}/evidence/new/witness_testimony")
    assert f'value="{mine.manager.name}"' in form.get_data(as_text=True)
    item_id = _write_testimony(client, mine.enrolment, witness_name=mine.manager.name)
    claimed = client.post(f"/evidence/{item_id}/claims", data={"criterion": str(criterion.id)})
    assert claimed.status_code == 302
    page = client.get(f"/evidence/{item_id}").get_data(as_text=True)
    assert "Submit to assessor" in page and "Confirm record" not in page
    submitted = client.post(f"/evidence/{item_id}/submit")
    assert submitted.status_code == 302
    item = db.session.get(EvidenceItem, item_id)
    assert item.status is EvidenceStatus.SUBMITTED and item.created_by_id == mine.manager.id
    assert item.learner_id == mine.learner.id
    told = db.session.scalars(
        select(Notification.recipient_id).where(Notification.kind == "evidence_submitted")
    ).all()
    assert told == [mine.assessor.id]
    auth.sign_out()

    # The learner and the assessor see it, with the line manager named as the witness.
    for person in (mine.learner, mine.assessor):
        auth.sign_in(person)
        page = client.get(f"/evidence/{item_id}").get_data(as_text=True)
        assert f"Witness testimony written by {mine.manager.name}" in page
        assert f"{mine.manager.name}, Line manager" in page
        auth.sign_out()

    # The assessor returns it; the line manager reworks and resubmits; the assessor accepts.
    auth.sign_in(mine.assessor)
    mark = client.get(f"/evidence/{item_id}/mark").get_data(as_text=True)
    assert f"by {mine.manager.name}, line manager of {mine.learner.name}" in mark
    judged = {f"judgement_{criterion.id}": "not_met"}
    returned = client.post(
        f"/evidence/{item_id}/mark",
        data={"outcome": "returned", "feedback": "Say what time it was escalated.", **judged},
    )
    assert returned.status_code == 302
    assert db.session.get(EvidenceItem, item_id).status is EvidenceStatus.RETURNED
    told = db.session.scalars(
        select(Notification.recipient_id).where(Notification.kind == "evidence_returned")
    ).all()
    assert sorted(told) == sorted([mine.learner.id, mine.manager.id])
    auth.sign_out()
    auth.sign_in(mine.manager)
    edited = client.post(
        f"/evidence/{item_id}/edit",
        data={**TESTIMONY, "testimony": TESTIMONY["testimony"] + " It was escalated at 14:05."},
    )
    assert edited.status_code == 302
    assert client.post(f"/evidence/{item_id}/submit").status_code == 302
    auth.sign_out()
    auth.sign_in(mine.assessor)
    accepted = client.post(
        f"/evidence/{item_id}/mark",
        data={"outcome": "accepted", "feedback": "", f"judgement_{criterion.id}": "met"},
    )
    assert accepted.status_code == 302
    item = db.session.get(EvidenceItem, item_id)
    assert item.status is EvidenceStatus.ACCEPTED and item.current.number == 2


def test_another_employer_cannot_write_testimony_for_someone_elses_apprentice(two, auth, client):
    mine, theirs, elsewhere = two
    auth.sign_in(theirs.manager)
    for enrolment in (mine.enrolment, elsewhere.enrolment):
        url = f"/enrolments/{enrolment.id}/evidence/new/witness_testimony"
        assert client.get(url).status_code == 404
        assert client.post(url, data=TESTIMONY).status_code == 404
    assert db.session.scalar(select(EvidenceItem.id)) is None
    with pytest.raises(DomainError):
        operations.start_item(
            theirs.manager, mine.enrolment, EvidenceKind.WITNESS_TESTIMONY, "T",
            {"witness_name": "x", "witness_role": "y", "given_on": "2026-11-20", "testimony": "z"},
        )  # fmt: skip


def test_line_manager_writes_no_other_kind_and_changes_no_other_evidence(two, auth, client):
    mine, _theirs, _elsewhere = two
    learners = factories.submitted(mine.learner, mine.enrolment)
    draft = operations.start_item(
        mine.learner, mine.enrolment, EvidenceKind.STAR_ACCOUNT, "Draft", factories.STAR_CONTENT
    )
    auth.sign_in(mine.manager)
    for kind in ("observation", "incident_log", "star_account", "professional_discussion"):
        assert client.get(f"/enrolments/{mine.enrolment.id}/evidence/new/{kind}").status_code == 403
    for item in (learners, draft):
        assert client.get(f"/evidence/{item.id}/edit").status_code == 404
        assert client.post(f"/evidence/{item.id}/edit", data=TESTIMONY).status_code == 404
        assert client.post(f"/evidence/{item.id}/submit").status_code == 404
        assert client.post(f"/evidence/{item.id}/claims", data={}).status_code == 403
        assert client.get(f"/evidence/{item.id}/check").status_code == 404
        assert client.post(f"/evidence/{item.id}/mark", data={}).status_code == 403
        assert client.post(f"/evidence/{item.id}/confirm").status_code == 403
    assert db.session.get(EvidenceItem, draft.id).title == "Draft"


def test_the_assessor_cannot_confirm_a_line_managers_testimony_as_their_own(two, auth, client):
    mine, _theirs, _elsewhere = two
    auth.sign_in(mine.manager)
    item_id = _write_testimony(client, mine.enrolment)
    auth.sign_out()
    auth.sign_in(mine.assessor)
    page = client.get(f"/evidence/{item_id}").get_data(as_text=True)
    assert "Confirm record" not in page
    client.post(f"/evidence/{item_id}/confirm")
    assert db.session.get(EvidenceItem, item_id).status is EvidenceStatus.DRAFT
