"""A unit cannot be signed off or countersigned wrongly: sign-off waits for marking and rework,
drafts are left out, countersigning waits for the assessor's answer to the IQA, a countersigned
unit whose decision is sent back is under IQA review, one rule decides readiness, and every
problem is said at once, before the button is pressed. Each refusal changes nothing and is in
the audit trail."""

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.assessment import signoff
from portfolio.assessment.models import Declaration, Sample, SampleStatus, SignOff
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.coverage import build_portfolio
from portfolio.evidence.models import EvidenceItem, EvidenceStatus
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from portfolio.progress.models import EnrolmentProgress
from tests.evidence.helpers import CALL_NOTE, INCIDENT
from tests.stories import LEAKY, UNITS, Cycle, complete


@pytest.fixture
def c(client, auth, people):
    return Cycle(client, auth, people, "SFJ")


def blocker_list(page: str, step: str) -> str:
    """The list of what stands in the way of a step ("signoff", "countersign") on the page."""
    return page.split(f'id="{step}-blockers"')[1].split("</ul>")[0]


def accepted_and_declared(c):
    """Every piece of evidence the SFJ unit needs, accepted, and the learner's declaration."""
    items = [c.add(kind, data, numbers) for kind, data, numbers in UNITS["SFJ"]]
    for item in items:
        assert c.mark(item, "accepted").status_code == 302
    c.be(Role.LEARNER)
    assert (
        c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"}).status_code == 302
    )
    return items


def draft(c, title="Unfinished note"):
    c.be(Role.LEARNER)
    response = c.post(f"/enrolments/{c.enrolment.id}/evidence/new/call_note",
                      {**CALL_NOTE, "title": title})  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id.desc())).first()


def last_refusal():
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "access.refused")
        .order_by(AuditEvent.id.desc())
    ).first()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


# 1. Sign-off with work still open ---------------------------------------------------------


def test_sign_off_is_refused_while_an_item_awaits_marking_and_names_it(c):
    accepted_and_declared(c)
    waiting = c.add("call_note", {**CALL_NOTE, "title": "Late call note"}, ["1.1"])
    c.be(Role.ASSESSOR)
    page = c.portfolio()
    blockers = blocker_list(page, "signoff")
    assert f'<a href="/evidence/{waiting.id}">Late call note</a>' in blockers
    assert "Sign the unit off</button>" not in page

    response = c.post(f"/enrolments/{c.enrolment.id}/sign-off")
    assert response.status_code == 400
    text = response.get_data(as_text=True).replace("&#39;", "'")
    assert "cannot be signed off yet: 1 item is awaiting marking: 'Late call note'." in text
    assert count(SignOff) == 0 and not db.session.get(Enrolment, c.enrolment.id).locked
    refusal = last_refusal()
    assert refusal.object_type == "enrolment" and refusal.object_id == c.enrolment.id
    assert refusal.after == {"problems": ["1 item is awaiting marking: 'Late call note'."]}

    # Marked, the unit can be signed off (the declaration still covers the accepted evidence
    # when the item is returned: it is not part of it).
    assert c.mark(waiting, "accepted").status_code == 302
    c.be(Role.LEARNER)
    assert (
        c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"}).status_code == 302
    )
    c.be(Role.ASSESSOR)
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 302


def test_the_declaration_is_refused_while_an_item_is_returned_for_rework(c):
    items = [c.add(kind, data, numbers) for kind, data, numbers in UNITS["SFJ"]]
    assert c.mark(items[0], "accepted").status_code == 302
    extra = c.add("call_note", {**CALL_NOTE, "title": "Needs rework"}, ["1.1"])
    assert (
        c.mark(extra, "returned", met=False, feedback="Say what you told the caller.").status_code
        == 302
    )
    c.be(Role.LEARNER)
    assert "You can sign the declaration once these are done" in c.portfolio()
    response = c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"})
    assert response.status_code == 400
    returned = (
        "1 item is returned for rework and not yet resubmitted or moved back to drafts: "
        "'Needs rework'."
    )
    assert returned in response.get_data(as_text=True).replace("&#39;", "'")
    assert count(Declaration) == 0
    assert last_refusal().after == {"problems": [returned]}


def test_a_learner_moves_a_returned_item_back_to_drafts_and_the_unit_can_be_signed_off(c):
    items = [c.add(kind, data, numbers) for kind, data, numbers in UNITS["SFJ"]]
    for item in items:
        assert c.mark(item, "accepted").status_code == 302
    extra = c.add("call_note", {**CALL_NOTE, "title": "Needs rework"}, ["1.1"])
    assert c.mark(extra, "returned", met=False, feedback="Say more.").status_code == 302
    c.be(Role.LEARNER)
    page = c.client.get(f"/evidence/{extra.id}").get_data(as_text=True)
    assert "Move back to drafts</button>" in page

    response = c.post(f"/evidence/{extra.id}/set-aside")
    assert response.status_code == 302
    assert db.session.get(EvidenceItem, extra.id).status is EvidenceStatus.DRAFT
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "evidence.set_aside")
    ).one()
    assert event.object_id == extra.id and event.before == {"status": "returned"}
    # Now only a draft: the declaration and the sign-off leave it out.
    assert c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"}).status_code == 302
    c.be(Role.ASSESSOR)
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 302
    assert count(SignOff, SignOff.enrolment_id == c.enrolment.id) == 1


def test_only_the_learner_moves_only_a_returned_item_back_to_drafts(c, people):
    waiting = c.add("call_note", {**CALL_NOTE, "title": "Awaiting"}, ["1.1"])
    c.be(Role.LEARNER)
    response = c.post(f"/evidence/{waiting.id}/set-aside")
    assert response.status_code == 409
    assert "Only evidence returned for rework" in response.get_data(as_text=True)
    assert db.session.get(EvidenceItem, waiting.id).status is EvidenceStatus.SUBMITTED
    assert c.mark(waiting, "returned", met=False, feedback="Say more.").status_code == 302
    c.be(Role.ASSESSOR)
    assert c.post(f"/evidence/{waiting.id}/set-aside").status_code == 403
    assert db.session.get(EvidenceItem, waiting.id).status is EvidenceStatus.RETURNED


def test_drafts_are_left_out_of_the_signed_portfolio_and_stay_editable(c):
    items = accepted_and_declared(c)
    left_out = draft(c, "Half-written note")
    c.be(Role.ASSESSOR)
    page = section(c.portfolio(), "signoff-h")
    assert "1 draft will be left out of the signed portfolio when the unit is signed off" in page
    assert f'<a href="/evidence/{left_out.id}">Half-written note</a>' in page
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 302
    record = db.session.scalar(select(SignOff))
    assert {e["item"] for e in record.manifest["evidence"]} == {i.id for i in items}

    # The learner can still change the draft, but Submit is replaced by the reason.
    c.be(Role.LEARNER)
    assert "1 draft is left out of the signed portfolio" in section(c.portfolio(), "signoff-h")
    edited = c.post(f"/evidence/{left_out.id}/edit", {**CALL_NOTE, "title": "Rewritten note"})
    assert edited.status_code == 302
    assert db.session.get(EvidenceItem, left_out.id).title == "Rewritten note"
    c.post(f"/evidence/{left_out.id}/claims", {"criterion": [str(c.criteria["1.1"])]})
    page = c.client.get(f"/evidence/{left_out.id}").get_data(as_text=True)
    assert "Submit to assessor</button>" not in page
    assert ">Edit</a>" in page
    reason = "The unit is signed off: this draft is left out of the signed portfolio"
    assert reason in page.split('id="submit-blockers"')[1]
    response = c.post(f"/evidence/{left_out.id}/submit")
    assert response.status_code == 400
    assert db.session.get(EvidenceItem, left_out.id).status is EvidenceStatus.DRAFT
    assert reason in last_refusal().after["problems"][0]
    # The accepted evidence stays locked.
    assert c.post(f"/evidence/{items[0].id}/edit", {**INCIDENT, "title": "x"}).status_code == 302
    assert db.session.get(EvidenceItem, items[0].id).title == INCIDENT["title"]


def test_an_item_left_waiting_by_an_earlier_sign_off_leaves_the_queue_and_is_repaired(c, runner):
    stuck = draft(c, "Stuck in the queue")
    c.post(f"/evidence/{stuck.id}/claims", {"criterion": [str(c.criteria["1.1"])]})
    complete(c)
    # As sign-off allowed before it waited for marking: an item submitted in a signed-off unit.
    item = db.session.get(EvidenceItem, stuck.id)
    item.current.submitted_at = item.submitted_at = db.session.scalar(select(SignOff)).signed_at
    item.status = EvidenceStatus.SUBMITTED
    db.session.flush()
    c.be(Role.ASSESSOR)
    assert "Stuck in the queue" not in c.client.get("/queue").get_data(as_text=True)

    result = runner.invoke(args=["assessment", "leave-out-unmarked"])
    assert result.exit_code == 0, result.output
    assert "1 item left out of signed portfolios." in result.output
    item = db.session.get(EvidenceItem, stuck.id)
    assert item.status is EvidenceStatus.DRAFT
    assert [v.submitted_at is not None for v in item.versions] == [True]  # history kept
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.left_out"))
    assert event.object_id == item.id and event.before["status"] == "submitted"
    assert db.session.get(EnrolmentProgress, c.enrolment.id).awaiting_marking == 0
    again = runner.invoke(args=["assessment", "leave-out-unmarked"])
    assert "0 items left out" in again.output

    # Once the sign-off is withdrawn the learner submits it again, as a new version.
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off/withdraw",
                  {"reason": "The late note must be marked."}).status_code == 302  # fmt: skip
    c.be(Role.LEARNER)
    assert c.post(f"/evidence/{item.id}/submit").status_code == 302
    item = db.session.get(EvidenceItem, item.id)
    assert item.status is EvidenceStatus.SUBMITTED and [v.number for v in item.versions] == [1, 2]
    c.be(Role.ASSESSOR)
    assert "Stuck in the queue" in c.client.get("/queue").get_data(as_text=True)


# 2. Countersigning with an open IQA challenge ---------------------------------------------


def send_back(c):
    c.be(Role.IQA)
    assert c.post("/sampling/draw").status_code == 302
    sample = db.session.scalar(select(Sample))
    response = c.post(f"/samples/{sample.id}", {"verdict": "send_back",
                                                "actions": "Comment on each criterion."})  # fmt: skip
    assert response.status_code == 302
    return sample


def test_countersigning_is_refused_while_a_sample_is_sent_back_and_unanswered(c):
    (item,) = complete(c)
    sample = send_back(c)
    page = c.portfolio()
    sent = f"Sent {c.people[Role.ASSESSOR].name}'s decision on '{item.title}' back with your actions"
    assert sent in page.replace("&#39;", "'")  # says what was done, not "Saved."
    blockers = blocker_list(page, "countersign")
    assert f'<a href="/samples/{sample.id}">{item.title}</a>' in blockers
    assert "Countersign the unit</button>" not in page
    response = c.post(f"/enrolments/{c.enrolment.id}/countersign")
    assert response.status_code == 400
    expected = ("1 sampled decision was sent back with actions and the assessor has not "
                f"answered yet: '{item.title}'.")  # fmt: skip
    assert expected in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.scalar(select(SignOff)).countersigned_at is None
    assert last_refusal().after == {"problems": [expected]}

    c.be(Role.ASSESSOR)
    assert (
        c.post(
            f"/samples/{sample.id}", {"response": "Comments added to every judgement."}
        ).status_code
        == 302
    )
    # Each says what was done and who is told, not "Saved."
    queue = c.client.get("/queue").get_data(as_text=True).replace("&#39;", "'")
    iqa = c.people[Role.IQA].name
    assert f"Your answer on '{item.title}' is sent to {iqa}, who is told" in queue
    c.be(Role.IQA)
    assert "Countersign the unit</button>" in c.portfolio()
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302


def test_countersigning_is_refused_while_a_sample_of_the_unit_waits_for_review(c):
    (item,) = complete(c)
    c.be(Role.IQA)
    assert c.post("/sampling/draw").status_code == 302
    sample = db.session.scalar(select(Sample))
    page = c.portfolio()
    blockers = blocker_list(page, "countersign")
    assert f'<a href="/samples/{sample.id}">{item.title}</a>' in blockers
    assert "Countersign the unit</button>" not in page
    response = c.post(f"/enrolments/{c.enrolment.id}/countersign")
    assert response.status_code == 400
    expected = f"Review this unit's sampled decision first: '{item.title}'."
    assert expected in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.scalar(select(SignOff)).countersigned_at is None

    # Agreeing with the last sample that held it takes the IQA back to the unit to countersign.
    reviewed = c.post(f"/samples/{sample.id}", {"verdict": "agree", "comment": "Sound."})
    assert reviewed.status_code == 302
    assert reviewed.headers["Location"] == f"/enrolments/{c.enrolment.id}/portfolio"
    page = c.portfolio()
    assert "Countersign the unit</button>" in page
    assert "Nothing holds the unit&#39;s countersignature now." in page
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302


def countersigned_with_document(c):
    complete(c)
    c.be(Role.IQA)
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302
    record = db.session.scalar(select(SignOff))
    db.session.add(PortfolioDocument(provider_id=record.provider_id, enrolment_id=c.enrolment.id,
                                     sign_off_id=record.id, status=DocumentStatus.READY,
                                     manifest_hash=record.manifest_hash))  # fmt: skip
    db.session.flush()
    return record


def verified(c, record) -> str:
    html = c.client.post("/verify", data={"sha256": record.manifest_hash}).get_data(as_text=True)
    return html.split("<dt>Sign-off</dt>")[1].split("</dd>")[0]


def test_a_sent_back_decision_puts_a_countersigned_sign_off_under_review_until_answered(c, people):
    record = countersigned_with_document(c)
    assert "In force" in verified(c, record)
    sample = send_back(c)
    assert db.session.get(SignOff, record.id).under_review_since is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signoff.under_review"))
    assert event.object_id == c.enrolment.id and event.after["sample"] == sample.id

    assert "Under IQA review</span>" in section(c.portfolio(), "signoff-h")
    assert "Under IQA review</strong>" in verified(c, record)
    c.be(Role.LEARNER)  # their home page says so too, not "Complete"
    home = c.client.get("/").get_data(as_text=True)
    assert "Under IQA review</span>" in home and "Complete</span>" not in home
    c.auth.sign_out()
    c.auth.sign_in(people[Role.ADMIN])
    c.who = Role.ADMIN
    dashboard = c.client.get("/dashboard").get_data(as_text=True)
    stat = dashboard.split("countersigned, under IQA review")[0].rsplit('<span class="stat">', 1)[1]
    assert ">1</a>" in stat and "status=under+IQA+review" in stat
    # Not also counted complete, nor offered for an EQA visit without saying so.
    complete = dashboard.split("complete (countersigned)")[0].rsplit('<span class="stat">', 1)[1]
    assert ">0</a>" in complete
    eqa = c.client.get("/exports/eqa").get_data(as_text=True)
    assert "Under IQA review</span> since" in eqa
    listed = c.client.get("/dashboard/learners", query_string={"status": "under IQA review"})
    assert listed.status_code == 200
    html = listed.get_data(as_text=True)
    assert "whose countersigned unit is under IQA review" in html
    assert people[Role.LEARNER].name in html

    # The assessor's answer restores it.
    c.be(Role.ASSESSOR)
    page = c.client.get(f"/samples/{sample.id}").get_data(as_text=True)
    assert "your response restores it" in page
    assert (
        c.post(
            f"/samples/{sample.id}", {"response": "Comments added.", "sign_off": "stands"}
        ).status_code
        == 302
    )
    assert db.session.get(SignOff, record.id).under_review_since is None
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "signoff.restored")) == 1
    )
    assert "In force" in verified(c, record)
    assert db.session.get(EnrolmentProgress, c.enrolment.id).under_review is False
    c.be(Role.LEARNER)
    assert "Complete</span>" in c.client.get("/").get_data(as_text=True)


def test_the_assessors_answer_can_withdraw_the_sign_off_under_review(c):
    record = countersigned_with_document(c)
    sample = send_back(c)
    c.be(Role.ASSESSOR)
    response = c.post(f"/samples/{sample.id}",
                      {"response": "The decision was wrong: 2.1 is not shown.", "sign_off": "withdraw"})  # fmt: skip
    assert response.status_code == 302
    record = db.session.get(SignOff, record.id)
    assert record.withdrawn_at is not None and "2.1 is not shown" in record.withdrawal_reason
    assert db.session.get(Sample, sample.id).status is SampleStatus.CLOSED
    assert not db.session.get(Enrolment, c.enrolment.id).locked
    assert "Withdrawn</strong>" in verified(c, record)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"sample.closed", "signoff.withdrawn"} <= actions


# 3. One readiness rule --------------------------------------------------------------------


def test_drafts_and_submitted_items_never_count_as_met(client, auth, people):
    c = Cycle(client, auth, people, "PEARSON")
    c.be(Role.LEARNER)
    for title in ("First call", "Second call"):
        c.post(
            f"/enrolments/{c.enrolment.id}/evidence/new/call_note", {**CALL_NOTE, "title": title}
        )
    c.add("call_note", {**CALL_NOTE, "title": "Third call"}, ["1.1"])
    html = c.portfolio()
    needs, panel = section(html, "requirements"), section(html, "signoff-h")
    line = "0 anonymised call notes accepted so far; 1 needed; not counted: 1 awaiting marking, 2 drafts"
    assert line in needs and line in panel
    assert ">Met<" not in needs.split("call note")[0].rsplit("<li>", 1)[1]
    # The domain's readiness and the page's agree: one function counts.
    enrolment = db.session.get(Enrolment, c.enrolment.id)
    page = build_portfolio(enrolment)
    assert signoff.readiness(enrolment).requirements == page.requirements


# 4. All problems at once -----------------------------------------------------------------


def test_submission_says_every_problem_at_once_before_and_after_the_button(c):
    c.be(Role.LEARNER)
    c.post(f"/enrolments/{c.enrolment.id}/evidence/new/call_note", {**CALL_NOTE, "notes": LEAKY})
    item = db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id.desc())).first()
    page = c.client.get(f"/evidence/{item.id}").get_data(as_text=True)
    blockers = page.split('id="submit-blockers"')[1].split("</div>")[0]
    assert "still need resolving" in blockers and "Claim at least one criterion" in blockers
    assert "Submit to assessor</button>" not in page

    response = c.post(f"/evidence/{item.id}/submit")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "still need resolving" in text and "Claim at least one criterion" in text
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.DRAFT
    problems = last_refusal().after["problems"]
    assert len(problems) == 2
    assert "still need resolving" in problems[0] and "Claim at least one" in problems[1]


def test_sign_off_lists_every_problem_at_once(c):
    item = c.add("incident_log", INCIDENT, ["1.1"])
    c.be(Role.ASSESSOR)
    page = c.portfolio()
    blockers = blocker_list(page, "signoff")
    for expected in ("Criteria not yet met by accepted evidence: 1.1, 2.1, 3.1.",
                     f'<a href="/evidence/{item.id}">', "has not signed the declaration"):  # fmt: skip
        assert expected in blockers
    response = c.post(f"/enrolments/{c.enrolment.id}/sign-off")
    assert response.status_code == 400
    problems = last_refusal().after["problems"]
    assert len(problems) == 4  # unmet criteria, a requirement, the item waiting, no declaration
    assert problems[0] == "Criteria not yet met by accepted evidence: 1.1, 2.1, 3.1."
    assert problems[2] == f"1 item is awaiting marking: '{item.title}'."
    assert "declaration" in problems[3]
    assert count(SignOff) == 0
