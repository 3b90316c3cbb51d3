"""What assessors and IQAs write has a length limit: over it, a message names the field and
the limit, and nothing is saved."""

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.assessment import marking, sampling, signoff
from portfolio.assessment.models import Decision, Outcome, Sample, SampleStatus, SignOff
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.evidence.models import EvidenceItem, EvidenceStatus
from tests.stories import UNITS, Cycle, complete


@pytest.fixture
def c(client, auth, people):
    return Cycle(client, auth, people, "SFJ")


def decisions() -> int:
    return db.session.scalar(select(func.count(Decision.id)))


def test_feedback_over_its_limit_is_refused_with_the_limit_and_the_typed_text_kept(c):
    item = c.add(*UNITS["SFJ"][0])
    c.be(Role.ASSESSOR)
    page = c.client.get(f"/evidence/{item.id}/mark").get_data(as_text=True)
    assert f'maxlength="{marking.FEEDBACK_LIMIT}"' in page
    too_long = "Add the callback time. " * 1000  # 23,000 characters
    response = c.mark(item, "returned", met=False, feedback=too_long)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Feedback to the learner can be at most 20,000 characters; this has 23,000." in html
    assert too_long in html  # kept in the form, not lost
    assert decisions() == 0
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.SUBMITTED
    assert c.mark(item, "returned", met=False, feedback=too_long[:20_000]).status_code == 302


def test_a_comment_on_a_criterion_over_its_limit_is_refused(c):
    item = c.add(*UNITS["SFJ"][0])
    c.be(Role.ASSESSOR)
    item = db.session.get(EvidenceItem, item.id)
    data = {"outcome": "accepted", "feedback": "Good.", "lock_version": item.lock_version}
    for claim in item.claims:
        data[f"judgement_{claim.criterion_id}"] = "met"
        data[f"comment_{claim.criterion_id}"] = "x" * 1001
    response = c.post(f"/evidence/{item.id}/mark", data)
    assert response.status_code == 400
    assert "can be at most 1,000 characters; this has 1,001." in response.get_data(as_text=True)
    assert decisions() == 0


def test_decisions_recorded_without_the_pages_keep_the_same_limits(c, people):
    item = c.add(*UNITS["SFJ"][0])
    item = db.session.get(EvidenceItem, item.id)
    judgements = [marking.Judgement(claim.criterion_id, True) for claim in item.claims]
    with pytest.raises(DomainError, match="Feedback to the learner can be at most 20,000"):
        marking.record_decision(
            people[Role.ASSESSOR], item, judgements=judgements, outcome=Outcome.ACCEPTED,
            feedback="x" * 20_001, lock_version=None,
        )  # fmt: skip
    assert decisions() == 0


def sampled(c) -> Sample:
    complete(c)
    c.be(Role.IQA)
    assert c.post("/sampling/draw").status_code == 302
    return db.session.scalars(select(Sample)).first()


def test_an_iqa_review_and_the_assessors_response_over_their_limits_are_refused(c, people):
    sample = sampled(c)
    page = c.client.get(f"/samples/{sample.id}").get_data(as_text=True)
    assert page.count(f'maxlength="{sampling.TEXT_LIMIT}"') == 2
    for field, label in (("comment", "Comment"), ("actions", "Required actions")):
        data = {"verdict": "send_back", "comment": "See below.", "actions": "Recheck 1.1."}
        response = c.post(f"/samples/{sample.id}", {**data, field: "x" * 5001})
        assert response.status_code == 400
        assert f"{label} can be at most 5,000 characters; this has 5,001." in response.get_data(
            as_text=True
        )
        assert db.session.get(Sample, sample.id).status is SampleStatus.OPEN
    sent_back = {"verdict": "send_back", "comment": "See below.", "actions": "Recheck 1.1."}
    assert c.post(f"/samples/{sample.id}", sent_back).status_code == 302
    c.be(Role.ASSESSOR)
    page = c.client.get(f"/samples/{sample.id}").get_data(as_text=True)
    assert f'maxlength="{sampling.TEXT_LIMIT}"' in page
    response = c.post(f"/samples/{sample.id}", {"response": "y" * 5001})
    assert response.status_code == 400
    assert "What you did about the actions can be at most 5,000 characters" in (
        response.get_data(as_text=True)
    )
    assert db.session.get(Sample, sample.id).status is SampleStatus.ACTIONS_REQUIRED
    with pytest.raises(DomainError, match="at most 5,000 characters"):
        sampling.respond(people[Role.ASSESSOR], db.session.get(Sample, sample.id), "y" * 5001)


def test_a_withdrawal_reason_over_its_limit_is_refused_and_the_sign_off_stands(c, people):
    complete(c)
    page = c.portfolio()
    assert f'maxlength="{signoff.REASON_LIMIT}"' in page
    response = c.post(f"/enrolments/{c.enrolment.id}/sign-off/withdraw", {"reason": "r" * 501})
    assert response.status_code == 400
    assert (
        "The reason for withdrawing the sign-off can be at most 500 characters; this has 501."
        in response.get_data(as_text=True)
    )
    assert db.session.scalar(select(SignOff)).withdrawn_at is None
    with pytest.raises(DomainError, match="at most 500 characters"):
        signoff.withdraw(people[Role.ASSESSOR], c.enrolment, "r" * 501)
