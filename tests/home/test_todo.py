"""Each role's home page is a to-do list: every entry links to where the work is done, an
empty list says what to do next, and the page runs as many statements however much there is."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.assessment import marking, sampling, signoff
from portfolio.assessment.models import Outcome, Sample
from portfolio.db import db
from portfolio.demo.lifecycle import DEMO_INCIDENT
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceKind
from portfolio.home import todo
from portfolio.progress.models import EnrolmentProgress
from tests import factories
from tests.factories import accepted, criteria_of, make_enrolment, make_user, submitted
from tests.statements import assert_same_counts, page_statements
from tests.stories import LEAKY, signed_in


def complete_log(learner, assessor, enrolment, title="Gas smell report"):
    """An incident log claiming every criterion of the enrolment's unit, accepted: on an SFJ
    unit, all the evidence it needs."""
    criteria = criteria_of(enrolment)
    item = operations.start_item(
        learner, enrolment, EvidenceKind.INCIDENT_LOG, title, DEMO_INCIDENT
    )
    operations.set_claims(learner, item, {c.id: "" for c in criteria})
    operations.submit_item(learner, item)
    marking.record_decision(assessor, item, judgements=[marking.Judgement(c.id, True) for c in criteria],
                            outcome=Outcome.ACCEPTED, feedback="", lock_version=None)  # fmt: skip
    return item


def returned(learner, assessor, enrolment, title, feedback):
    item = submitted(learner, enrolment, title=title)
    claim = item.claims[0]
    marking.record_decision(assessor, item, judgements=[marking.Judgement(claim.criterion_id, False)],
                            outcome=Outcome.RETURNED, feedback=feedback, lock_version=None)  # fmt: skip
    return item


def draft(learner, enrolment, title, notes):
    content = {"call_date": "2026-11-03", "channel": "inbound_phone", "caller_reference": "C-1",
               "notes": notes, "outcome": "Resolved"}  # fmt: skip
    return operations.start_item(learner, enrolment, EvidenceKind.CALL_NOTE, title, content)


def home(client, auth, user) -> str:
    auth.sign_out()
    auth.sign_in(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def links(html: str) -> dict[str, str]:
    """Each link's text (tags and spaces squeezed) to its address."""
    found = {}
    for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html, re.S):
        found[" ".join(re.sub(r"<[^>]+>", " ", text).split())] = href.replace("&amp;", "&")
    return found


# The learner --------------------------------------------------------------------------------


def test_learners_home_lists_returned_work_with_feedback_and_personal_data_to_resolve(
    client, auth, people
):
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolment = make_enrolment(learner, body="PEARSON", assessor=assessor)
    accepted(learner, assessor, enrolment, ["1.1"], title="Early account")
    sent_back = returned(learner, assessor, enrolment, "Outage call",
                         "Add the times you updated the customer.")  # fmt: skip
    leaky = draft(learner, enrolment, "Billing call", LEAKY)
    draft(learner, enrolment, "Clean call", "The caller [NAME] asked about a bill.")
    db.session.commit()
    html = home(client, auth, learner)
    found = links(html)
    assert found["Outage call"] == f"/evidence/{sent_back.id}"
    assert "Feedback: Add the times you updated the customer." in html
    assert found["Check “Billing call”"] == f"/evidence/{leaky.id}/check"
    assert "Clean call" not in html
    assert re.search(r"Billing call”</a>: \d+ possible personal details to resolve", html)
    # Progress towards the unit, and the first criterion no evidence claims yet.
    total = len(criteria_of(enrolment))
    assert f"1 of {total} criteria met" in html
    assert "1 item awaiting marking" not in html  # the returned item is not awaiting
    gap = next(c for c in criteria_of(enrolment) if c.number not in ("1.1",))
    assert f"Next gap: <strong>{gap.number}</strong>" in html
    assert found[f"Add evidence for {gap.number} of {enrolment.unit.title}"] == (
        f"/enrolments/{enrolment.id}/portfolio#add"
    )
    # A dismissed finding is resolved: once every one is, the item leaves the list.
    for finding in operations.findings(leaky):
        operations.dismiss_finding(learner, leaky, finding.field, finding.finding.type,
                                   finding.finding.text, "Made up for training")  # fmt: skip
    db.session.commit()
    assert "Billing call" not in home(client, auth, learner)


def test_the_declaration_is_on_the_learners_list_when_the_unit_is_complete(client, auth, people):
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolment = make_enrolment(learner, body="SFJ", assessor=assessor)
    # Every criterion met by a STAR account, but the unit needs an incident log: not due.
    accepted(learner, assessor, enrolment, [c.number for c in criteria_of(enrolment)])
    db.session.commit()
    html = home(client, auth, learner)
    assert "Sign your declaration" not in html and "criteria met" in html
    complete_log(learner, assessor, enrolment)
    db.session.commit()
    assert signoff.readiness(enrolment).ready  # the sign-off's own rule agrees
    html = home(client, auth, learner)
    assert links(html)[f"Sign the declaration for {enrolment.unit.title}"] == (
        f"/enrolments/{enrolment.id}/portfolio#signoff-h"
    )
    assert "Next gap" not in html
    signoff.declare(learner, enrolment)
    db.session.commit()
    html = home(client, auth, learner)
    assert "Sign the declaration" not in html
    assert "waiting for your assessor's sign-off" in html


def test_a_learner_with_nothing_to_do_is_told_what_comes_next(client, auth, people):
    learner = people[Role.LEARNER]
    make_enrolment(learner, body="SFJ", assessor=people[Role.ASSESSOR])
    db.session.commit()
    html = home(client, auth, learner)
    assert "Nothing is waiting for you. Add evidence for the next criterion" in html
    assert "Next gap: <strong>1.1</strong>" in html
    assert "You are not enrolled on a unit yet" in home(client, auth, people["learner2"])


# The assessor -------------------------------------------------------------------------------


def test_assessors_home_shows_the_queue_units_to_sign_off_and_samples_sent_back(
    client, auth, people, provider
):
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    learner = people[Role.LEARNER]
    ready = make_enrolment(learner, body="SFJ", assessor=assessor, iqa=iqa)
    log = complete_log(learner, assessor, ready)
    signoff.declare(learner, ready)
    other = make_user(provider, Role.LEARNER, name="Waiting Learner")
    waiting = make_enrolment(other, body="SFJ", assessor=assessor, iqa=iqa)
    older = submitted(other, waiting, title="Older item")
    older.submitted_at -= timedelta(days=3)
    submitted(other, waiting, title="Newer item")
    sampling.draw_samples(iqa)
    sample = db.session.scalar(select(Sample))
    sampling.review(iqa, sample, agree=False, comment="", actions="Say which timestamps met 2.1.")
    db.session.commit()
    html = home(client, auth, assessor)
    found = links(html)
    assert "2 items waiting to be marked" in found
    assert found["Mark “Older item”"] == f"/evidence/{older.id}/mark"
    assert found[f"Sign off {learner.name}: {ready.unit.title}"] == (
        f"/enrolments/{ready.id}/portfolio#signoff-h"
    )
    assert found[f"Answer the IQA on “{log.title}”"] == f"/samples/{sample.id}"
    assert "Say which timestamps met 2.1." in html


def test_an_assessor_with_nothing_to_do_is_told_so(client, auth, people):
    assessor = people[Role.ASSESSOR]
    make_enrolment(people[Role.LEARNER], body="SFJ", assessor=assessor)
    db.session.commit()
    html = home(client, auth, assessor)
    assert "Nothing is waiting to be marked." in html
    assert "No unit is ready to sign off." in html
    assert "No IQA sample is waiting for your answer." in html


# The IQA ------------------------------------------------------------------------------------


def test_iqas_home_shows_samples_to_review_and_units_to_countersign(client, auth, people):
    assessor, iqa, learner = people[Role.ASSESSOR], people[Role.IQA], people[Role.LEARNER]
    enrolment = make_enrolment(learner, body="SFJ", assessor=assessor, iqa=iqa)
    log = complete_log(learner, assessor, enrolment)
    db.session.commit()
    html = home(client, auth, iqa)
    assert "No sample is waiting for your review." in html
    assert links(html)["Draw samples to the sampling plan"] == "/sampling"
    assert "No unit is awaiting your countersignature." in html
    sampling.draw_samples(iqa)
    signoff.declare(learner, enrolment)
    signoff.sign_off(assessor, enrolment)
    db.session.commit()
    sample = db.session.scalar(select(Sample))
    html = home(client, auth, iqa)
    found = links(html)
    assert found[f"Review “{log.title}”"] == f"/samples/{sample.id}"
    assert found[f"{learner.name}: {enrolment.unit.title}"] == (
        f"/enrolments/{enrolment.id}/portfolio#signoff-h"
    )
    # The sample waiting for her review holds the countersignature until she reviews it.
    assert "On hold</span> Review this unit&#39;s sampled decision first." in html
    sampling.review(iqa, sample, agree=False, comment="", actions="Explain 1.1.")
    db.session.commit()
    html = home(client, auth, iqa)
    assert "No sample is waiting for your review." in html
    assert "On hold</span> A sampled decision you sent back is not answered yet." in html
    sampling.respond(assessor, sample, "Comments added to 1.1.")
    db.session.commit()
    assert "On hold" not in home(client, auth, iqa)


# The provider admin -------------------------------------------------------------------------


def test_admins_home_shows_learners_without_an_assessor_at_risk_and_eqa_access_ending(
    client, auth, people, provider
):
    admin = people[Role.ADMIN]
    html = home(client, auth, admin)
    assert "No problems: every learner has an assessor" in html
    lonely = make_enrolment(people[Role.LEARNER], body="SFJ", iqa=people[Role.IQA])
    make_enrolment(people["learner2"], body="SFJ", assessor=people[Role.ASSESSOR],
                   iqa=people[Role.IQA])  # fmt: skip
    idle = db.session.get(EnrolmentProgress, lonely.id)
    idle.last_activity_at -= timedelta(days=60)
    people[Role.EQA].access_expires_on = date.today() + timedelta(days=5)
    db.session.commit()
    html = home(client, auth, admin)
    found = links(html)
    assert "Learners without an assessor (1)" in html
    name = people[Role.LEARNER].name
    assert found[f"Assign an assessor to {name}"] == f"/enrolments/{lonely.id}/edit"
    assert found["1 learner with no activity for 21 days or more"] == (
        "/dashboard/learners?risk=inactive"
    )
    assert found[people[Role.EQA].name] == f"/people/{people[Role.EQA].id}"
    # The count of each risk is the number of learners its link lists.
    for text, href in found.items():
        if href.startswith("/dashboard/learners?risk="):
            listed = client.get(href).get_data(as_text=True)
            assert f"{text.split()[0]} learner" in listed, (text, href)
    # The list of enrolments without an assessor holds exactly them.
    listed = client.get("/enrolments?assessor=none").get_data(as_text=True)
    assert name in listed and people["learner2"].name not in listed
    assert "Enrolments without an assessor" in listed


# Statements ---------------------------------------------------------------------------------


def grow(provider, people, n, start):
    """``n`` more learners of the assessor and IQA, with work in every state."""
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    for i in range(start, start + n):
        learner = make_user(provider, Role.LEARNER, name=f"Grown {i:03d}")
        enrolment = make_enrolment(learner, body="SFJ", assessor=assessor, iqa=iqa)
        complete_log(learner, assessor, enrolment)
        signoff.declare(learner, enrolment)
        if i % 2:
            signoff.sign_off(assessor, enrolment)
        other = make_enrolment(learner, body="PEARSON", iqa=iqa)
        draft(learner, other, f"Leaky {i}", LEAKY)
        submitted(learner, make_enrolment(learner, body="VTCT", assessor=assessor), title=f"W {i}")
    sampling.draw_samples(iqa)
    for sample in db.session.scalars(select(Sample).where(Sample.status == "open")).all()[:2]:
        sampling.review(iqa, sample, agree=False, comment="", actions="Explain.")
    db.session.commit()


def test_each_home_page_runs_as_many_statements_however_much_there_is(
    app, client, people, provider, monkeypatch
):
    # Lists of three, so that a few more learners fill them past what they show.
    monkeypatch.setattr(todo, "SHOWN", 3)
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolments = [make_enrolment(learner, body=body, assessor=assessor, iqa=people[Role.IQA])
                  for body in ("SFJ", "PEARSON")]  # fmt: skip
    grow(provider, people, 1, 0)
    roles = [Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.ADMIN, Role.EQA]
    homes = {role: (signed_in(app, people[role].email), "/") for role in roles}
    small = page_statements(homes, db.engine)
    for n, enrolment in enumerate(enrolments):
        complete_log(learner, assessor, enrolment, title=f"Log {n}")
        returned(learner, assessor, enrolment, f"Back {n}", "Again")
        draft(learner, enrolment, f"Leaky {n}", LEAKY)
    make_enrolment(learner, body="VTCT", assessor=assessor)
    grow(provider, people, 4, 1)
    factories.make_user(provider, Role.EQA, access_expires_on=date.today() + timedelta(days=3))
    db.session.commit()
    large = page_statements(homes, db.engine, warm=False)
    assert_same_counts(small, large)
    assert "The first 3 of" in large[Role.ADMIN].html
    assert "Back 1" in large[Role.LEARNER].html and "Leaky 0" in large[Role.LEARNER].html
