"""The whole assessment cycle through the pages: submit, return, resubmit, accept, declare,
sign off, sample, countersign; and every refusal on the way."""

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.assessment.models import Decision, Sample, SampleStatus, SignOff
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.evidence.models import EvidenceItem, EvidenceStatus
from tests.evidence.helpers import CALL_NOTE, INCIDENT
from tests.statements import counting
from tests.stories import UNITS, Cycle, complete


@pytest.fixture
def cycle(client, auth, people):
    return lambda body: Cycle(client, auth, people, body)


@pytest.mark.parametrize("body", ["SFJ", "PEARSON"])
def test_full_cycle_from_submission_to_countersignature(cycle, body):
    c = cycle(body)
    items = [c.add(kind, data, numbers) for kind, data, numbers in UNITS[body]]
    first = items[0]

    # The assessor returns the first item; the learner sees the feedback and a notice.
    assert (
        c.mark(first, "returned", met=False, feedback="Please add the **severity**.").status_code
        == 302
    )
    c.be(Role.LEARNER)
    assert "Returned for rework" in c.client.get("/").get_data(as_text=True)
    page = c.client.get(f"/evidence/{first.id}").get_data(as_text=True)
    assert "<strong>severity</strong>" in page and "Not yet met" in page

    # The learner edits (a new version) and resubmits; the assessor sees what changed.
    edited = {**UNITS[body][0][1], "severity": "major", "title": "Gas smell, severity added"}
    assert c.post(f"/evidence/{first.id}/edit", edited).status_code == 302
    assert c.post(f"/evidence/{first.id}/submit").status_code == 302
    assert [v.number for v in db.session.get(EvidenceItem, first.id).versions] == [1, 2]
    c.be(Role.ASSESSOR)
    marking_page = c.client.get(f"/evidence/{first.id}/mark").get_data(as_text=True)
    assert "Since your last decision" in marking_page
    assert "<ins>major</ins>" in marking_page

    # Not ready: the learner cannot declare while evidence awaits acceptance.
    c.be(Role.LEARNER)
    refused = c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"})
    assert refused.status_code == 400
    assert "not yet met by accepted evidence" in refused.get_data(as_text=True)

    for item in items:
        assert c.mark(item, "accepted").status_code == 302
    c.be(Role.LEARNER)
    assert "Every criterion is met" in c.portfolio()
    assert (
        c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"}).status_code == 302
    )

    c.be(Role.ASSESSOR)
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 302
    record = db.session.scalar(select(SignOff))
    assert len(record.manifest_hash) == 64
    assert {e["item"] for e in record.manifest["evidence"]} == {i.id for i in items}
    assert all(
        e["version"] >= 1 and len(e["content_sha256"]) == 64 for e in record.manifest["evidence"]
    )
    assert record.manifest["unit"]["version"] == c.enrolment.criteria_set.version

    # The IQA samples the decisions and countersigns.
    c.be(Role.IQA)
    assert c.post("/sampling/draw").status_code == 302
    samples = db.session.scalars(select(Sample)).all()
    assert samples and all(s.reasons for s in samples)
    assert (
        c.post(f"/samples/{samples[0].id}", {"verdict": "agree", "comment": "Fine"}).status_code
        == 302
    )
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302
    assert "Countersigned" in c.portfolio()

    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"evidence.submitted", "decision.recorded", "declaration.signed", "unit.signed_off",
            "sample.created", "sample.reviewed", "unit.countersigned"} <= actions  # fmt: skip


def test_signed_off_evidence_is_locked_until_the_sign_off_is_withdrawn(cycle):
    c = cycle("SFJ")
    (item,) = complete(c)
    c.be(Role.LEARNER)
    assert c.post(f"/evidence/{item.id}/claims", {"criterion": []}).status_code == 409
    assert c.post(
        f"/enrolments/{c.enrolment.id}/evidence/new/call_note", CALL_NOTE
    ).status_code in (400, 409)
    # The form itself says so before anything is typed.
    opened = c.client.get(f"/enrolments/{c.enrolment.id}/evidence/new/call_note")
    assert opened.status_code == 302
    assert "no evidence can be added until the sign-off is withdrawn" in c.portfolio()
    c.be(Role.ASSESSOR)
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 409  # once only
    refused = c.post(f"/enrolments/{c.enrolment.id}/sign-off/withdraw", {"reason": ""})
    assert refused.status_code == 400
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off/withdraw",
                  {"reason": "The learner's log named a customer; it must be anonymised."}).status_code == 302  # fmt: skip
    assert "withdrawn by" in c.portfolio()
    assert (
        db.session.scalar(select(func.count(SignOff.id)).where(SignOff.withdrawn_at.is_(None))) == 0
    )


def test_the_sign_off_panel_names_everyone_through_a_withdrawal_and_a_new_sign_off(cycle, people):
    c = cycle("SFJ")
    complete(c)
    reason = "The log named a customer & their street; <anonymise> it."
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off/withdraw",
                  {"reason": reason}).status_code == 302  # fmt: skip
    c.be(Role.LEARNER)
    page = c.portfolio()  # nothing changed since: the declaration still stands
    assert "Declared</span>" in page and "Waiting for the assessor" in page
    c.be(Role.ASSESSOR)
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 302
    c.be(Role.IQA)
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302
    with counting(db.engine) as statements:
        page = c.portfolio()
    assessor, iqa = people[Role.ASSESSOR].name, people[Role.IQA].name
    assert f"Countersigned</span> by {iqa}" in page and "the unit is complete" in page
    history = page.split("Sign-off history")[1].split("</ul>")[0]
    assert history.count(f"Signed off by {assessor}") == 2
    assert history.count(f"withdrawn by {assessor}") == 1
    assert "customer &amp; their street; &lt;anonymise&gt; it." in history
    # The same statements as an enrolment with no sign-off at all: names come in the one read.
    fresh = cycle("PEARSON")
    fresh.be(Role.IQA)
    with counting(db.engine) as before:
        fresh.portfolio()
    assert len(statements) == len(before)


def test_steps_cannot_be_skipped_and_each_refusal_is_audited(cycle, people):
    c = cycle("SFJ")
    item = c.add("incident_log", INCIDENT, ["1.1"])
    c.be(Role.IQA)
    response = c.post(f"/enrolments/{c.enrolment.id}/countersign")
    assert response.status_code == 400
    assert "must be signed off by the assessor before the IQA countersigns" in response.get_data(
        as_text=True
    )
    c.be(Role.ASSESSOR)
    response = c.post(f"/enrolments/{c.enrolment.id}/sign-off")
    assert response.status_code == 400
    assert "cannot be signed off yet" in response.get_data(as_text=True)
    # Another assessor of the provider cannot decide on this learner's evidence.
    c.auth.sign_out()
    c.auth.sign_in(people["assessor2"])
    c.who = "assessor2"
    assert c.post(f"/evidence/{item.id}/mark", {"outcome": "accepted"}).status_code == 404
    refusals = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "access.refused")
    ).all()
    assert any("before the IQA countersigns" in s for s in refusals)
    assert any("cannot be signed off yet" in s for s in refusals)
    assert any("404" in s for s in refusals)


def test_assessor_cannot_decide_on_evidence_about_their_own_work(cycle, people):
    c = cycle("SFJ")
    item = c.add("incident_log", INCIDENT, ["1.1"])
    # The learner's account later becomes an assessor and is assigned their own enrolment.
    learner = people[Role.LEARNER]
    learner.role = Role.ASSESSOR
    c.enrolment.assessor_id = learner.id
    db.session.flush()
    c.auth.sign_out()
    c.auth.sign_in(learner)
    data = {"outcome": "accepted", "feedback": "", f"judgement_{c.criteria['1.1']}": "met"}
    response = c.client.post(f"/evidence/{item.id}/mark", data=data)
    assert response.status_code == 400
    assert "You cannot decide on evidence about your own work." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "access.refused")
        )
        == 1
    )


def test_marking_needs_every_claimed_criterion_judged_and_feedback_to_return(cycle):
    c = cycle("SFJ")
    item = c.add("incident_log", INCIDENT, ["1.1", "2.1"])
    c.be(Role.ASSESSOR)
    partial = {
        "outcome": "accepted",
        f"judgement_{c.criteria['1.1']}": "met",
        "lock_version": item.lock_version,
    }
    response = c.post(f"/evidence/{item.id}/mark", partial)
    assert response.status_code == 400
    assert "Judge every criterion the learner claimed" in response.get_data(as_text=True)
    returned = c.mark(item, "returned", met=False, feedback="")
    assert returned.status_code == 400
    assert "Say what the learner should change" in returned.get_data(as_text=True)
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.SUBMITTED


def test_assessor_may_map_a_criterion_the_learner_missed(cycle):
    c = cycle("SFJ")
    item = c.add("incident_log", INCIDENT, ["1.1"])
    c.be(Role.ASSESSOR)
    data = {"outcome": "accepted", "feedback": "Also shows 3.1.", "lock_version": item.lock_version,
            f"judgement_{c.criteria['1.1']}": "met", f"judgement_{c.criteria['3.1']}": "met"}  # fmt: skip
    assert c.post(f"/evidence/{item.id}/mark", data).status_code == 302
    decision = db.session.scalar(select(Decision))
    added = [j for j in decision.judgements if j.added_by_assessor]
    assert [j.criterion_id for j in added] == [c.criteria["3.1"]]
    assert "mapped by the assessor" in c.client.get(f"/evidence/{item.id}").get_data(as_text=True)


def test_assessor_records_an_observation_that_counts_as_evidence(cycle):
    c = cycle("SFJ")
    c.be(Role.ASSESSOR)
    data = {"title": "Observed live logging", "observed_on": "2026-11-03", "context": "Live calls",
            "observed": "Logged three calls accurately.", "judgement": "Accurate and complete."}  # fmt: skip
    assert c.post(f"/enrolments/{c.enrolment.id}/evidence/new/observation", data).status_code == 302
    record = db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id.desc())).first()
    assert (
        record.created_by_id == c.people[Role.ASSESSOR].id
        and record.learner_id == c.people[Role.LEARNER].id
    )
    assert (
        c.post(f"/evidence/{record.id}/claims", {"criterion": [str(c.criteria["1.1"])]}).status_code
        == 302
    )
    assert c.post(f"/evidence/{record.id}/confirm").status_code == 302
    assert db.session.get(EvidenceItem, record.id).status is EvidenceStatus.ACCEPTED
    c.be(Role.LEARNER)
    assert c.post(f"/enrolments/{c.enrolment.id}/evidence/new/observation", data).status_code == 403
    assert "Met" in c.portfolio()


def test_marking_queue_is_oldest_first_with_age_against_the_target(cycle, people):
    from datetime import UTC, datetime

    c = cycle("SFJ")
    old = c.add("incident_log", INCIDENT, ["1.1"])
    new = c.add("call_note", CALL_NOTE, ["1.1"])
    db.session.get(EvidenceItem, old.id).submitted_at = datetime(2026, 10, 1, 9, tzinfo=UTC)
    db.session.flush()
    c.be(Role.ASSESSOR)
    html = c.client.get("/queue").get_data(as_text=True)
    assert html.index(old.title) < html.index(new.title)
    assert "over target" in html
    c.auth.sign_out()
    c.auth.sign_in(people["assessor2"])
    assert "Nothing is waiting for you to mark" in c.client.get("/queue").get_data(as_text=True)


def test_sampling_follows_the_plan_and_the_assessor_closes_sent_back_samples(cycle, people):
    c = cycle("SFJ")
    items = [c.add("incident_log", {**INCIDENT, "title": f"Log {i}"}, ["1.1"]) for i in range(4)]
    for item in items:
        c.mark(item, "accepted")
    c.be(Role.IQA)
    c.post("/sampling/draw")
    samples = db.session.scalars(select(Sample)).all()
    assert len(samples) == 1  # 25% of 4 decisions
    assert any("no sample yet this period" in r for r in samples[0].reasons)
    c.post("/sampling/draw")
    assert db.session.scalar(select(func.count(Sample.id))) == 1  # the plan already holds
    response = c.post(f"/samples/{samples[0].id}", {"verdict": "send_back", "actions": ""})
    assert response.status_code == 400
    c.post(
        f"/samples/{samples[0].id}",
        {"verdict": "send_back", "actions": "Comment on each criterion."},
    )
    c.be(Role.ASSESSOR)
    assert "Comment on each criterion." in c.client.get("/queue").get_data(as_text=True)
    c.post(f"/samples/{samples[0].id}", {"response": "Comments added to every judgement."})
    assert db.session.get(Sample, samples[0].id).status is SampleStatus.CLOSED


def test_new_assessors_are_sampled_more(cycle, people):
    c = cycle("SFJ")
    people[Role.ASSESSOR].new_assessor = True
    db.session.flush()
    items = [c.add("incident_log", {**INCIDENT, "title": f"Log {i}"}, ["1.1"]) for i in range(4)]
    for item in items:
        c.mark(item, "accepted")
    c.be(Role.IQA)
    c.post("/sampling/draw")
    samples = db.session.scalars(select(Sample)).all()
    assert len(samples) == 2  # 50% of 4
    assert any("is a new assessor: 50% sampled" in r for s in samples for r in s.reasons)


def test_iqa_never_samples_their_own_decisions(app, people):
    from portfolio.assessment import sampling

    iqa = people[Role.IQA]
    assert all(s.decision.assessor_id != iqa.id for s in sampling.draw_samples(iqa))


def test_audit_verify_passes_on_the_demo_data(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output
