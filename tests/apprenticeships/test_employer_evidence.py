"""An apprentice's line manager comments on their evidence and writes witness testimony,
which their assessor marks as other evidence."""

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.evidence.models import EvidenceComment
from portfolio.notifications.models import Notification
from tests import factories
from tests.apprenticeships.helpers import make_apprentice


@pytest.fixture
def two(app, provider):
    """Two employers of one provider, each with an apprentice, and another provider's."""
    mine = make_apprentice(provider, "Harbour Energy Ltd")
    theirs = make_apprentice(provider, "Northgate Water")
    elsewhere = make_apprentice(factories.make_provider(), "Harbour Energy Ltd")
    return mine, theirs, elsewhere


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
