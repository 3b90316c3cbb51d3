"""An EQA reads the quality record read-only, within their time-limited access: the IQA's
sampling record and the audit trail of the learners they may see; anything else is a 404."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.assessment import sampling
from portfolio.db import db
from portfolio.evidence.models import EvidenceItem
from tests.factories import accepted, make_enrolment, make_user
from tests.statements import counting


@pytest.fixture
def record(people):
    """A learner's decision sampled by the IQA and sent back, and the assessor's answer."""
    learner, assessor, iqa = people[Role.LEARNER], people[Role.ASSESSOR], people[Role.IQA]
    enrolment = make_enrolment(learner, assessor=assessor, iqa=iqa)
    accepted(learner, assessor, enrolment, ["1.1"], title="Gas smell in a block of flats")
    (sample,) = sampling.draw_samples(iqa)
    sampling.review(iqa, sample, agree=False, comment="Thin comments.",
                    actions="Comment on <each> criterion.")  # fmt: skip
    sampling.respond(assessor, sample, "Comments added to 1.1.")
    db.session.flush()
    return sample


def test_an_eqa_reads_the_iqas_sampling_record(client, auth, people, record):
    auth.sign_in(people[Role.EQA])
    response = client.get("/quality/sampling")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    iqa, assessor = people[Role.IQA].name, people[Role.ASSESSOR].name
    learner = people[Role.LEARNER]
    sentence = re.sub(r"<[^>]+>", "", page.split('class="trail-sentence">')[1].split("</p>")[0])
    assert re.sub(r"\s+", " ", sentence).strip() == (
        f"{iqa} sampled {assessor}'s decision to accept 'Gas smell in a block of flats' "
        f"(version 1, {date.today().day} {date.today():%b %Y}) for {learner.name}."
    )
    assert "Closed after assessor&#39;s response" in page
    assert "Thin comments." in page and "Comment on &lt;each&gt; criterion." in page
    assert "Comments added to 1.1." in page
    assert f'href="/audit/learners/{learner.id}"' in page
    # Read-only: no form on the page but signing out.
    assert page.count("<form") == 1 and 'action="/sign-out"' in page
    assert client.post("/quality/sampling").status_code == 405


def test_an_eqa_reads_the_trail_of_a_learner_and_of_their_evidence(client, auth, people, record):
    learner = people[Role.LEARNER]
    item_id = db.session.scalar(
        select(EvidenceItem.id).where(EvidenceItem.learner_id == learner.id)
    )
    auth.sign_in(people[Role.EQA])
    page = client.get(f"/audit/learners/{learner.id}").get_data(as_text=True)
    assessor = people[Role.ASSESSOR].name
    assert f"{assessor} accepted &#39;Gas smell in a block of flats&#39;" not in page  # quoted raw
    assert f"{assessor} accepted 'Gas smell in a block of flats' (version 1): 1.1 met" in page
    assert f"{assessor} answered the IQA's actions on 'Gas smell" in page
    assert client.get(f"/audit/evidence/{item_id}").status_code == 200
    assert client.get(f"/audit/sample/{record.id}").status_code == 200


def test_an_eqa_does_not_read_staff_sign_ins_or_settings(client, auth, people, record):
    auth.sign_in(people[Role.ADMIN])
    auth.sign_out()
    auth.sign_in(people[Role.EQA])
    assert client.get(f"/audit/user/{people[Role.ADMIN].id}").status_code == 404
    assert client.get(f"/audit/learners/{people[Role.ADMIN].id}").status_code == 404


def test_learners_outside_the_grant_answer_404(client, auth, people, record):
    not_enrolled = make_user(people[Role.LEARNER].provider, Role.LEARNER)
    other_learner = people["other_learner"]
    make_enrolment(other_learner)
    auth.sign_in(people[Role.EQA])
    assert client.get(f"/audit/learners/{not_enrolled.id}").status_code == 404
    assert client.get(f"/audit/learners/{other_learner.id}").status_code == 404
    other_item = db.session.scalar(
        select(EvidenceItem.id).where(EvidenceItem.learner_id == people[Role.LEARNER].id)
    )
    auth.sign_out()
    other_eqa = make_user(other_learner.provider, Role.EQA)
    auth.sign_in(other_eqa)
    assert client.get(f"/audit/learners/{people[Role.LEARNER].id}").status_code == 404
    assert client.get(f"/audit/evidence/{other_item}").status_code == 404
    assert client.get(f"/audit/sample/{record.id}").status_code == 404
    page = client.get("/quality/sampling").get_data(as_text=True)
    assert "have not sampled any decision" in page and "Gas smell" not in page


def test_access_ends_with_the_grant(client, auth, people, record):
    eqa = people[Role.EQA]
    auth.sign_in(eqa)
    assert client.get("/quality/sampling").status_code == 200
    eqa.access_expires_on = date.today() - timedelta(days=1)
    db.session.flush()
    for url in ("/quality/sampling", f"/audit/learners/{people[Role.LEARNER].id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ASSESSOR, Role.IQA])
def test_the_sampling_record_is_for_eqas_and_admins(client, auth, people, record, role):
    auth.sign_in(people[role])
    assert client.get("/quality/sampling").status_code == 403
    auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    assert client.get("/quality/sampling").status_code == 200


def test_an_eqa_changes_nothing_in_the_sampling_process(client, auth, people, record):
    auth.sign_in(people[Role.EQA])
    assert client.post("/sampling/draw").status_code == 403
    assert client.get(f"/samples/{record.id}").status_code == 403
    assert client.post(f"/samples/{record.id}", data={"verdict": "agree"}).status_code == 403


def test_the_sampling_record_takes_the_same_statements_however_long(client, auth, people, record):
    auth.sign_in(people[Role.EQA])
    client.get("/quality/sampling")
    with counting(db.engine) as short:
        client.get("/quality/sampling")
    learner2, assessor2 = people["learner2"], people["assessor2"]
    enrolment = make_enrolment(learner2, assessor=assessor2, iqa=people[Role.IQA])
    for n in range(3):
        accepted(learner2, assessor2, enrolment, ["1.1"], title=f"Account {n}")
    assert sampling.draw_samples(people[Role.IQA])
    db.session.flush()
    with counting(db.engine) as long:
        page = client.get("/quality/sampling").get_data(as_text=True)
    assert page.count('class="trail-event"') > 1
    assert len(long) == len(short), "\n\n".join(long)


def test_an_eqa_finds_a_learners_trail_from_their_portfolio(client, auth, people, record):
    learner = people[Role.LEARNER]
    enrolment_id = record.decision.enrolment_id
    auth.sign_in(people[Role.EQA])
    page = client.get(f"/enrolments/{enrolment_id}/portfolio").get_data(as_text=True)
    assert f'href="/audit/learners/{learner.id}">Audit trail of {learner.name}</a>' in page


def test_an_admin_finds_the_sampling_record_from_the_sampling_page(client, auth, people, record):
    auth.sign_in(people[Role.ADMIN])
    page = client.get("/sampling").get_data(as_text=True)
    assert 'href="/quality/sampling"' in page
