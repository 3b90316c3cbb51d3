"""Two people acting at the same moment, through two real concurrent requests, on SQLite and
on PostgreSQL: one wins, the other is told so (409) without losing what they typed, and the
database holds exactly one outcome.

These tests do not use the transactional ``app`` fixture: its requests share one connection,
so they could never race. Each test gets a database of its own instead.
"""

from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.assessment.models import Decision, Declaration, Sample, SampleStatus, SignOff
from portfolio.audit import trail as audit
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from tests import factories
from tests.evidence.helpers import INCIDENT
from tests.stories import cast, new_log, race, signed_in, winner_and_loser

ROUNDS = 3  # fresh data each round, so that a race that only sometimes goes wrong shows up


# Helpers ---------------------------------------------------------------------------------


def claim_and_submit(client, item_id: int, criteria: list[int]) -> None:
    response = client.post(
        f"/evidence/{item_id}/claims",
        data={"criterion": [str(c) for c in criteria]}
        | {f"note_{c}": "Shown in the timeline" for c in criteria},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post(f"/evidence/{item_id}/submit")
    assert response.status_code == 302, response.get_data(as_text=True)


def mark_form(criteria: list[int], *, met: bool, feedback: str, outcome: str, lock_version: int):
    form = {"feedback": feedback, "outcome": outcome, "lock_version": str(lock_version)}
    for criterion in criteria:
        form[f"judgement_{criterion}"] = "met" if met else "not_met"
        form[f"comment_{criterion}"] = f"{feedback} (on criterion {criterion})"
    return form


def lock_version(app, item_id: int) -> int:
    with app.app_context():
        return db.session.get(EvidenceItem, item_id).lock_version


def chain_intact(provider_id: int) -> None:
    reports = audit.verify(provider_id)
    assert reports and all(r.ok for r in reports), reports


# Tests -----------------------------------------------------------------------------------


def test_two_sessions_marking_the_same_item_at_once_record_one_decision(own_database_app):
    """One accepts, the other returns; exactly one decision is kept, the loser keeps their text."""
    for round_ in range(ROUNDS):
        people = cast(own_database_app)
        learner = signed_in(own_database_app, people.learner)
        item_id = new_log(learner, people.enrolment_id, title=f"Gas smell, round {round_}")
        claimed = people.criteria[:1]
        claim_and_submit(learner, item_id, claimed)
        version = lock_version(own_database_app, item_id)

        forms = [
            mark_form(claimed, met=True, outcome="accepted", lock_version=version,
                      feedback=f"Clear and well timed log, accepted in session A round {round_}"),
            mark_form(claimed, met=False, outcome="returned", lock_version=version,
                      feedback=f"Please add the callback details, session B round {round_}"),
        ]  # fmt: skip
        responses = race(
            own_database_app, people.assessor, [(f"/evidence/{item_id}/mark", form) for form in forms]
        )
        winner, loser = winner_and_loser(responses)

        # Nothing the loser typed is lost: the form comes back holding it.
        body = responses[loser].get_data(as_text=True)
        assert "The decision was not saved" in body
        assert forms[loser]["feedback"] in body
        assert forms[loser][f"comment_{claimed[0]}"] in body

        with own_database_app.app_context():
            decisions = db.session.scalars(
                select(Decision).where(Decision.item_id == item_id)
            ).all()
            assert len(decisions) == 1, f"round {round_}: {len(decisions)} decisions"
            assert decisions[0].outcome.value == forms[winner]["outcome"]
            assert decisions[0].feedback == forms[winner]["feedback"]
            item = db.session.get(EvidenceItem, item_id)
            expected = {"accepted": EvidenceStatus.ACCEPTED, "returned": EvidenceStatus.RETURNED}
            assert item.status is expected[forms[winner]["outcome"]]
            chain_intact(people.provider_id)


def test_a_unit_is_signed_off_once_when_two_sessions_sign_at_once(own_database_app):
    for round_ in range(ROUNDS):
        people = cast(own_database_app, "SFJ")  # three criteria and one incident log needed
        learner = signed_in(own_database_app, people.learner)
        item_id = new_log(learner, people.enrolment_id, title=f"Collision report, round {round_}")
        claim_and_submit(learner, item_id, people.criteria)
        assessor = signed_in(own_database_app, people.assessor)
        accept = mark_form(people.criteria, met=True, outcome="accepted",
                           feedback="Complete and clear.",
                           lock_version=lock_version(own_database_app, item_id))  # fmt: skip
        response = assessor.post(f"/evidence/{item_id}/mark", data=accept)
        assert response.status_code == 302, response.get_data(as_text=True)
        response = learner.post(
            f"/enrolments/{people.enrolment_id}/declaration", data={"confirm": "yes"}
        )
        assert response.status_code == 302, response.get_data(as_text=True)

        url = f"/enrolments/{people.enrolment_id}/sign-off"
        responses = race(own_database_app, people.assessor, [(url, {}), (url, {})])
        winner, loser = winner_and_loser(responses, conflict_statuses=(409, 400))
        body = responses[loser].get_data(as_text=True)
        assert "signed off" in body
        if responses[loser].status_code == 400:
            assert "already signed off" in body

        with own_database_app.app_context():
            rows = db.session.scalars(
                select(SignOff).where(SignOff.enrolment_id == people.enrolment_id)
            ).all()
            assert len(rows) == 1, f"round {round_}: {len(rows)} sign-offs"
            assert rows[0].withdrawn_at is None
            assert db.session.get(Enrolment, people.enrolment_id).locked
            chain_intact(people.provider_id)


def test_two_tabs_saving_the_same_draft_at_once_keep_one_edit(own_database_app):
    for round_ in range(ROUNDS):
        people = cast(own_database_app)
        learner = signed_in(own_database_app, people.learner)
        item_id = new_log(learner, people.enrolment_id, title=f"Draft, round {round_}")
        version = lock_version(own_database_app, item_id)
        titles = [f"Saved in tab A, round {round_}", f"Saved in tab B, round {round_}"]
        posts = [
            (f"/evidence/{item_id}/edit", {**INCIDENT, "title": t, "lock_version": str(version)})
            for t in titles
        ]
        responses = race(own_database_app, people.learner, posts)
        winner, loser = winner_and_loser(responses)
        page = responses[loser].get_data(as_text=True)
        assert "changed somewhere else" in page  # the conflict is explained on the form...
        assert f'value="{titles[loser]}"' in page  # ...which keeps what the loser typed

        with own_database_app.app_context():
            item = db.session.get(EvidenceItem, item_id)
            assert item.title == titles[winner], f"round {round_}"
            assert item.lock_version == version + 1
            # A draft is edited in place: still one version, holding the winner's save.
            versions = db.session.scalar(
                select(func.count())
                .select_from(EvidenceVersion)
                .where(EvidenceVersion.item_id == item_id)
            )
            assert versions == 1


def complete(app, people, round_: int):
    """The unit's one incident log claimed, submitted and accepted: (learner's client,
    assessor's client)."""
    learner = signed_in(app, people.learner)
    item_id = new_log(learner, people.enrolment_id, title=f"Collision report, round {round_}")
    claim_and_submit(learner, item_id, people.criteria)
    assessor = signed_in(app, people.assessor)
    accept = mark_form(people.criteria, met=True, outcome="accepted", feedback="Complete.",
                       lock_version=lock_version(app, item_id))  # fmt: skip
    assert assessor.post(f"/evidence/{item_id}/mark", data=accept).status_code == 302
    return learner, assessor


def signed_off_with_iqa(app, round_: int):
    """A unit signed off by its assessor, with an IQA named on the enrolment: (cast, IQA's
    email)."""
    people = cast(app, "SFJ")
    with app.app_context():
        enrolment = db.session.get(Enrolment, people.enrolment_id)
        iqa = factories.make_user(enrolment.provider, Role.IQA)
        enrolment.iqa_id, iqa_email = iqa.id, iqa.email
        db.session.commit()
    learner, assessor = complete(app, people, round_)
    declared = learner.post(f"/enrolments/{people.enrolment_id}/declaration", data={"confirm": "yes"})
    assert declared.status_code == 302
    assert assessor.post(f"/enrolments/{people.enrolment_id}/sign-off").status_code == 302
    return people, iqa_email


def events(app, action: str, enrolment_or_sample: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.object_id == enrolment_or_sample))  # fmt: skip


def test_a_declaration_sent_twice_at_once_is_made_once(own_database_app):
    for round_ in range(ROUNDS):
        people = cast(own_database_app, "SFJ")
        learner, _assessor = complete(own_database_app, people, round_)
        url = f"/enrolments/{people.enrolment_id}/declaration"
        responses = race(own_database_app, people.learner, [(url, {"confirm": "yes"})] * 2)
        winner, loser = winner_and_loser(responses)
        assert "already declared this evidence" in responses[loser].get_data(as_text=True)
        # Sent again later, the same form is refused the same way.
        assert learner.post(url, data={"confirm": "yes"}).status_code == 409
        with own_database_app.app_context():
            count = db.session.scalar(select(func.count()).select_from(Declaration).where(
                Declaration.enrolment_id == people.enrolment_id))  # fmt: skip
        assert count == 1, f"round {round_}: {count} declarations"
        assert events(own_database_app, "declaration.signed", people.enrolment_id) == 1
        with own_database_app.app_context():
            chain_intact(people.provider_id)


def test_a_countersignature_sent_twice_at_once_is_made_once(own_database_app):
    for round_ in range(ROUNDS):
        people, iqa = signed_off_with_iqa(own_database_app, round_)
        url = f"/enrolments/{people.enrolment_id}/countersign"
        responses = race(own_database_app, iqa, [(url, {}), (url, {})])
        winner, loser = winner_and_loser(responses)
        assert "already countersigned" in responses[loser].get_data(as_text=True)
        assert events(own_database_app, "unit.countersigned", people.enrolment_id) == 1
        with own_database_app.app_context():
            record = db.session.scalar(select(SignOff).where(
                SignOff.enrolment_id == people.enrolment_id))  # fmt: skip
            trail = db.session.scalar(select(AuditEvent).where(
                AuditEvent.action == "unit.countersigned",
                AuditEvent.object_id == people.enrolment_id))  # fmt: skip
            # The trail's hash is the one /verify finds.
            assert trail.after["countersign_sha256"] == record.countersign_hash
        with own_database_app.app_context():
            chain_intact(people.provider_id)


def test_a_sample_reviewed_twice_at_once_keeps_one_review(own_database_app):
    for round_ in range(ROUNDS):
        people, iqa = signed_off_with_iqa(own_database_app, round_)
        assert signed_in(own_database_app, iqa).post("/sampling/draw").status_code == 302
        with own_database_app.app_context():
            sample_id = db.session.scalar(select(Sample.id).join(Decision).where(
                Decision.enrolment_id == people.enrolment_id))  # fmt: skip
        forms = [{"verdict": "agree", "comment": "Sound judgement."},
                 {"verdict": "send_back", "comment": "Thin.", "actions": "Ask for the callback log."}]  # fmt: skip
        responses = race(own_database_app, iqa, [(f"/samples/{sample_id}", f) for f in forms])
        winner, loser = winner_and_loser(responses)
        assert "already been reviewed" in responses[loser].get_data(as_text=True)
        assert events(own_database_app, "sample.reviewed", sample_id) == 1
        with own_database_app.app_context():
            sample = db.session.get(Sample, sample_id)
            agreed = forms[winner]["verdict"] == "agree"
            assert sample.status is (SampleStatus.AGREED if agreed else SampleStatus.ACTIONS_REQUIRED)
            assert sample.required_actions == forms[winner].get("actions", "")
            assert sample.review_comment == forms[winner]["comment"]
        with own_database_app.app_context():
            chain_intact(people.provider_id)
