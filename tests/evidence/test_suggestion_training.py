"""Suggestions learn from assessors: decisions recorded through the domain functions train
the unit's model, which moves the right criterion up; the provider's admin sees the figures."""

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.assessment import marking
from portfolio.assessment.models import Outcome
from portfolio.db import db
from portfolio.evidence import operations
from portfolio.evidence.item_suggestions import suggest_for_item
from portfolio.evidence.models import EvidenceKind, SuggestionModel
from portfolio.evidence.suggestion_jobs import enqueue_retraining, hourly_retraining, stale_units
from portfolio.evidence.suggestion_training import train_unit
from portfolio.jobs import Job, JobState
from tests import factories

# Helping a colleague, in words the City & Guilds criterion ("Provide effective support to
# colleagues during incidents") never uses: the cold start does not put it first.
HELPING = [
    "I sat beside a colleague in her second week and wrote the questions on a note while she took "
    "a call about a burst main.",
    "A new starter froze on a flooding call, so I muted my headset and talked him through "
    "the script.",
    "I buddied the two new joiners during the storm and answered their questions between calls.",
    "A colleague was struggling with an angry caller, so I sat with him and showed him where the "
    "outage script is.",
    "I listened in on my new colleague's calls during the power cut and gave her tips after "
    "each one.",
    "When the queue was long I paired with the trainee and took the hard calls while she watched.",
    "I showed a new starter how to find the leak checklist and stayed next to her for her "
    "first three calls.",
    "Afterwards I went through the call with the trainee and we practised what to say next time.",
]
# Logging, which the cold start finds on its own words.
LOGGING = [
    "I logged the leak on the system with the address, the time and what the caller saw.",
    "I recorded every detail of the outage in the incident log while the caller was on the line.",
    "I wrote up the gas report with the caller's reference and the nature of the smell.",
    "I typed the full details of the lift entrapment into the log before I did anything else.",
    "I noted the street, the time and the damage in the record as the caller described it.",
    "I kept the incident record complete, adding each update with its time.",
    "I filled in the incident template with the date, time, caller ID and the problem.",
    "I logged the power cut accurately and checked the details back with the caller.",
]
PROBE = (
    "During the outage I sat next to a new starter, talked her through the script and took "
    "over when the caller got angry."
)


def _star(text: str) -> dict:
    return {"situation": text, "task": "", "action": "", "result": "", "reflection": ""}


def _decide(learner, assessor, enrolment, text: str, number: str) -> None:
    criteria = {c.number: c.id for c in factories.criteria_of(enrolment)}
    item = operations.start_item(
        learner, enrolment, EvidenceKind.STAR_ACCOUNT, "Evidence", _star(text)
    )
    operations.set_claims(learner, item, {criteria[number]: ""})
    operations.submit_item(learner, item)
    marking.record_decision(
        assessor, item, judgements=[marking.Judgement(criteria[number], True)],
        outcome=Outcome.ACCEPTED, feedback="", lock_version=None,
    )  # fmt: skip


def _rank(suggestions, number: str) -> int | None:
    return next((i for i, s in enumerate(suggestions, 1) if s.number == number), None)


@pytest.fixture
def cg(app, people):
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolment = factories.make_enrolment(learner, body="CG", assessor=assessor)
    return learner, assessor, enrolment


def test_decisions_teach_the_unit_to_put_the_right_criterion_first(app, people, cg):
    learner, assessor, enrolment = cg
    probe = operations.start_item(
        learner, enrolment, EvidenceKind.STAR_ACCOUNT, "Probe", _star(PROBE)
    )
    before = suggest_for_item(probe, PROBE, limit=None).suggestions
    assert _rank(before, "2.1") != 1

    for helping, logging in zip(HELPING, LOGGING, strict=True):
        _decide(learner, assessor, enrolment, helping, "2.1")
        _decide(learner, assessor, enrolment, logging, "1.1")
    row = train_unit(learner.provider_id, enrolment.unit_id)

    # 16 decisions and the probe's own (unjudged) claims: none, so 16 examples.
    assert row.examples == 16
    assert row.evaluated == 16
    after = suggest_for_item(probe, PROBE, limit=None).suggestions
    assert _rank(after, "2.1") == 1
    # Still explained in the learner's own words.
    assert after[0].terms and all(term.lower() in PROBE.lower() for term in after[0].terms)
    # Logging is still found for a logging text.
    logged = suggest_for_item(
        probe, "I logged the burst main with the address and time."
    ).suggestions
    assert logged[0].number == "1.1"


def test_another_providers_decisions_never_shape_the_suggestions(app, people, cg):
    learner, assessor, enrolment = cg
    for helping in HELPING:
        _decide(learner, assessor, enrolment, helping, "2.1")
    train_unit(learner.provider_id, enrolment.unit_id)

    other = people["other_learner"]
    other_assessor = factories.make_user(other.provider, Role.ASSESSOR)
    other_enrolment = factories.make_enrolment(other, body="CG", assessor=other_assessor)
    probe = operations.start_item(
        other, other_enrolment, EvidenceKind.STAR_ACCOUNT, "Probe", _star(PROBE)
    )
    assert _rank(suggest_for_item(probe, PROBE, limit=None).suggestions, "2.1") != 1
    assert (
        db.session.scalar(
            select(SuggestionModel).where(SuggestionModel.provider_id == other.provider_id)
        )
        is None
    )


def test_train_command_and_the_admins_page_show_examples_and_hit_rate(
    app, people, cg, runner, client, auth
):
    learner, assessor, enrolment = cg
    for helping, logging in zip(HELPING[:4], LOGGING[:4], strict=True):
        _decide(learner, assessor, enrolment, helping, "2.1")
        _decide(learner, assessor, enrolment, logging, "1.1")
    db.session.commit()

    result = runner.invoke(args=["suggestions", "train", "--provider", str(learner.provider_id)])
    assert result.exit_code == 0, result.output
    assert "8 examples" in result.output
    assert "Trained 1 unit model." in result.output

    auth.sign_in(people[Role.ADMIN])
    page = client.get("/suggestions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Manage incidents referred to a contact centre" in html
    assert 'data-testid="decided">8<' in html
    assert "of the last 8" in html


def _model(provider_id: int, unit_id: int) -> SuggestionModel | None:
    return db.session.scalar(
        select(SuggestionModel).where(
            SuggestionModel.provider_id == provider_id, SuggestionModel.unit_id == unit_id
        )
    )


def test_the_worker_retrains_a_unit_once_it_has_decisions_its_model_has_not_seen(
    app, people, cg
):
    learner, assessor, enrolment = cg
    provider, unit = learner.provider_id, enrolment.unit_id
    assert stale_units() == []  # no decision yet: nothing to learn from
    for helping in HELPING[:3]:
        _decide(learner, assessor, enrolment, helping, "2.1")
    db.session.commit()
    assert [(p, u) for p, u, _title in stale_units()] == [(provider, unit)]

    hourly_retraining()  # the worker's hourly task; jobs run at once in the tests

    done = db.session.scalars(select(Job).where(Job.kind == "suggestion_training")).all()
    assert [(j.state, j.provider_id, j.arguments) for j in done] == [
        (JobState.DONE, provider, [provider, unit])
    ]
    assert done[0].label.startswith("Retrain suggestions for Manage incidents")
    assert done[0].result == {"examples": 3}
    first = _model(provider, unit)
    assert first.examples == 3
    trained_at = first.trained_at
    # Nothing new: nothing queued.
    assert stale_units() == [] and enqueue_retraining() == 0

    _decide(learner, assessor, enrolment, HELPING[3], "2.1")
    db.session.commit()
    assert enqueue_retraining() == 1
    db.session.expire_all()
    again = _model(provider, unit)
    assert again.examples == 4 and again.trained_at > trained_at


def test_a_unit_waiting_for_its_retraining_is_not_queued_twice(app, people, cg):
    learner, assessor, enrolment = cg
    _decide(learner, assessor, enrolment, HELPING[0], "2.1")
    waiting = Job(provider_id=learner.provider_id, kind="suggestion_training", label="waiting",
                  arguments=[learner.provider_id, enrolment.unit_id], max_attempts=2)  # fmt: skip
    db.session.add(waiting)
    db.session.commit()
    assert enqueue_retraining() == 0
    assert _model(learner.provider_id, enrolment.unit_id) is None


def test_retraining_one_provider_leaves_another_alone(app, people, cg):
    learner, assessor, enrolment = cg
    _decide(learner, assessor, enrolment, HELPING[0], "2.1")
    other = people["other_learner"]
    other_assessor = factories.make_user(other.provider, Role.ASSESSOR)
    other_enrolment = factories.make_enrolment(other, body="CG", assessor=other_assessor)
    _decide(other, other_assessor, other_enrolment, HELPING[1], "2.1")
    db.session.commit()

    assert enqueue_retraining(learner.provider_id) == 1
    assert _model(learner.provider_id, enrolment.unit_id).examples == 1
    assert _model(other.provider_id, other_enrolment.unit_id) is None
    assert [p for p, _u, _t in stale_units()] == [other.provider_id]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ASSESSOR, Role.IQA])
def test_only_an_admin_sees_the_suggestions_page(app, people, client, auth, role):
    auth.sign_in(people[role])
    assert client.get("/suggestions").status_code == 403


def test_a_unit_without_decisions_has_no_model_and_says_so(app, people, cg, client, auth):
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/suggestions").get_data(as_text=True)
    assert "Not trained yet" in html
    assert 'data-testid="decided">0<' in html


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEARNER])
def test_the_criteria_library_links_the_admin_to_the_suggestions_page(app, people, client, auth,
                                                                      role):  # fmt: skip
    auth.sign_in(people[role])
    html = client.get("/criteria").get_data(as_text=True)
    assert ('href="/suggestions"' in html) is (role is Role.ADMIN)
