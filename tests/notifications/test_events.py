"""Each event tells the people it concerns, and no one else: not another role, not another
provider."""

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.assessment.models import Sample
from portfolio.db import db
from portfolio.notifications.events import notify, notify_admins
from portfolio.notifications.models import Notification
from tests import factories
from tests.evidence.helpers import INCIDENT
from tests.stories import Cycle, complete

INCIDENT_REST = {k: v for k, v in INCIDENT.items() if k != "title"}


def told() -> list[tuple[int, str]]:
    """Every notification as (recipient id, kind), oldest first."""
    return [
        (n.recipient_id, n.kind)
        for n in db.session.scalars(select(Notification).order_by(Notification.id))
    ]


@pytest.fixture
def cycle(client, auth, people):
    return Cycle(client, auth, people, "SFJ")


def test_a_learner_submitting_evidence_tells_their_assessor_only(cycle, people):
    item = cycle.add("incident_log", {"title": "Gas <smell>"} | INCIDENT_REST, ["1.1"])
    assert told() == [(people[Role.ASSESSOR].id, "evidence_submitted")]
    notification = db.session.scalar(select(Notification))
    assert notification.provider_id == people[Role.ASSESSOR].provider_id
    assert notification.facts == {
        "item": item.id, "title": "Gas <smell>", "learner": people[Role.LEARNER].name,
    }  # fmt: skip
    assert notification.read_at is None and notification.emailed_at is None


def test_the_assessors_decisions_tell_the_learner_only(cycle, people):
    learner = people[Role.LEARNER].id
    first = cycle.add("incident_log", INCIDENT, ["1.1"])
    cycle.mark(first, "returned", met=False, feedback="Add the severity.")
    second = cycle.add("incident_log", INCIDENT, ["2.1"])
    cycle.mark(second, "accepted", feedback="")
    third = cycle.add("incident_log", INCIDENT, ["3.1"])
    cycle.mark(third, "accepted", feedback="Clear and timed.")
    to_learner = [kind for person, kind in told() if person == learner]
    assert to_learner == ["evidence_returned", "evidence_accepted", "evidence_accepted_feedback"]
    assert {person for person, _ in told()} == {learner, people[Role.ASSESSOR].id}


def test_a_sign_off_tells_the_learner_and_the_iqa_it_is_ready_to_countersign(cycle, people):
    complete(cycle)
    last = told()[-2:]
    assert last == [
        (people[Role.LEARNER].id, "unit_signed_off"),
        (people[Role.IQA].id, "unit_ready_to_countersign"),
    ]
    iqa_facts = db.session.scalars(select(Notification.facts).order_by(Notification.id)).all()[-1]
    assert iqa_facts["learner"] == people[Role.LEARNER].name
    assert iqa_facts["enrolment"] == cycle.enrolment.id
    # No one else heard of anything: not the admin, the other assessor, the other learner.
    others = {people[r].id for r in ("learner2", "assessor2", "other_admin", "other_learner")}
    assert not others & {person for person, _ in told()}
    assert people[Role.ADMIN].id not in {person for person, _ in told()}


def test_an_iqa_sending_a_decision_back_and_the_answer_tell_each_other(cycle, people):
    complete(cycle)
    cycle.be(Role.IQA)
    assert cycle.post("/sampling/draw").status_code == 302
    sample = db.session.scalars(select(Sample).order_by(Sample.id)).first()
    before = len(told())
    cycle.post(f"/samples/{sample.id}", {"verdict": "send_back", "actions": "Comment on 1.1."})
    assert told()[before:] == [(people[Role.ASSESSOR].id, "sample_sent_back")]
    cycle.be(Role.ASSESSOR)
    cycle.post(f"/samples/{sample.id}", {"response": "Comments added to every judgement."})
    assert told()[before + 1 :] == [(people[Role.IQA].id, "sample_answered")]


def unread(person) -> list[str]:
    return db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == person.id,
                                        Notification.read_at.is_(None))
        .order_by(Notification.id)
    ).all()  # fmt: skip


def test_what_asked_someone_to_act_is_marked_read_once_they_have(cycle, people):
    """Marking the item, answering the IQA and countersigning each settle what asked for
    them; other notifications, and other things' of the same kind, stay unread."""
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    first = cycle.add("incident_log", INCIDENT, ["1.1"])
    second = cycle.add("incident_log", INCIDENT, ["2.1"])
    assert unread(assessor) == ["evidence_submitted", "evidence_submitted"]
    cycle.mark(first, "accepted", feedback="")
    left = db.session.scalars(select(Notification.facts).where(
        Notification.recipient_id == assessor.id, Notification.read_at.is_(None))).all()  # fmt: skip
    assert [f["item"] for f in left] == [second.id]
    cycle.mark(second, "accepted", feedback="")
    assert unread(assessor) == []

    complete(cycle)
    assert unread(iqa)[-1] == "unit_ready_to_countersign"
    cycle.be(Role.IQA)
    assert cycle.post("/sampling/draw").status_code == 302
    samples = db.session.scalars(select(Sample).order_by(Sample.id)).all()
    for sample in samples[1:]:
        cycle.post(f"/samples/{sample.id}", {"verdict": "agree", "comment": "Fine"})
    cycle.post(f"/samples/{samples[0].id}", {"verdict": "send_back", "actions": "Comment on 1.1."})
    assert "sample_sent_back" in unread(assessor)
    cycle.be(Role.ASSESSOR)
    cycle.post(f"/samples/{samples[0].id}", {"response": "Comments added to every judgement."})
    assert "sample_sent_back" not in unread(assessor)
    cycle.be(Role.IQA)
    assert cycle.post(f"/enrolments/{cycle.enrolment.id}/countersign").status_code == 302
    assert "unit_ready_to_countersign" not in unread(iqa)
    assert "sample_answered" in unread(iqa)  # nothing more to do, but news until read


def test_an_iqa_agreeing_tells_no_one(cycle, people):
    complete(cycle)
    cycle.be(Role.IQA)
    cycle.post("/sampling/draw")
    sample = db.session.scalars(select(Sample).order_by(Sample.id)).first()
    before = len(told())
    cycle.post(f"/samples/{sample.id}", {"verdict": "agree", "comment": "Fine"})
    assert len(told()) == before


def test_evidence_of_a_learner_without_an_assessor_tells_no_one(app, people):
    enrolment = factories.make_enrolment(people["learner2"])
    factories.submitted(people["learner2"], enrolment)
    assert told() == []


def test_admins_are_told_at_their_provider_only_and_once_per_occasion(app, people):
    provider = people[Role.ADMIN].provider_id
    second = factories.make_user(people[Role.ADMIN].provider, Role.ADMIN)
    inactive = factories.make_user(people[Role.ADMIN].provider, Role.ADMIN)
    inactive.active = False
    facts = {"eqa": "Daniel", "eqa_id": people[Role.EQA].id, "ends_on": "19 Dec 2026"}
    first = notify_admins(provider, "eqa_access_ending", once_key="eqa:1:2026-12-19", **facts)
    again = notify_admins(provider, "eqa_access_ending", once_key="eqa:1:2026-12-19", **facts)
    assert len(first) == 2 and again == []
    assert sorted(told()) == sorted(
        [(people[Role.ADMIN].id, "eqa_access_ending"), (second.id, "eqa_access_ending")]
    )
    assert db.session.get(Notification, first[0]).facts == facts


def test_notify_refuses_a_kind_it_does_not_know(app, people):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(people[Role.ADMIN].provider_id, [people[Role.ADMIN].id], "party")
    assert notify(people[Role.ADMIN].provider_id, [None], "job_failed", job_id=1) == []
