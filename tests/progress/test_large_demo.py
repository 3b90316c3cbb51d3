"""The large demo provider: its counts, its history and its progress rows agree."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bench.large_demo import ADMIN_EMAIL, DOMAIN, build_large_provider
from portfolio.accounts.models import Provider, Role, User
from portfolio.apprenticeships import hours, reviews, reviews_due
from portfolio.apprenticeships.hours_models import EntryStatus, OtjEntry
from portfolio.apprenticeships.models import Apprenticeship, Employer
from portfolio.apprenticeships.reviews_models import ProgressReview, ReviewStatus
from portfolio.assessment.models import CriterionJudgement, Decision, Outcome
from portfolio.assessment.workdays import working_days_between
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.demo import PASSWORD
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.evidence import kinds, operations
from portfolio.evidence.forms import FORMS
from portfolio.evidence.models import (
    CriterionClaim,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    EvidenceVersion,
)
from portfolio.evidence.pii import find_personal_data
from portfolio.progress import queries, refresh
from portfolio.progress.models import CLAIMED, MET, NOT_STARTED, CriterionState, EnrolmentProgress
from portfolio.progress.queries import Filters
from portfolio.progress.refresh import refresh_enrolment
from portfolio.units.models import Criterion, Unit
from tests.statements import counting

LEARNERS = 30
SMALL = {"cohorts": 3, "items_per_learner": 10}


@pytest.fixture
def large(app):
    return build_large_provider(LEARNERS, **SMALL)


def count_rows(provider_id: int) -> dict:
    """The provider's rows, counted here independently of the generator."""

    def count(model, *joins_and_where):
        query = select(func.count()).select_from(model)
        for part in joins_and_where:
            query = query.join(*part) if isinstance(part, tuple) else query.where(part)
        return db.session.scalar(query)

    item = (EvidenceItem, EvidenceItem.id == EvidenceVersion.item_id)
    roles = Counter(db.session.scalars(select(User.role).where(User.provider_id == provider_id)))
    return {
        "admins": roles[Role.ADMIN],
        "assessors": roles[Role.ASSESSOR],
        "iqas": roles[Role.IQA],
        "learners": roles[Role.LEARNER],
        "cohorts": count(Cohort, Cohort.provider_id == provider_id),
        "enrolments": count(Enrolment, Enrolment.provider_id == provider_id),
        "evidence_items": count(EvidenceItem, EvidenceItem.provider_id == provider_id),
        "evidence_versions": count(EvidenceVersion, item, EvidenceItem.provider_id == provider_id),
        "criterion_claims": count(
            CriterionClaim,
            (EvidenceItem, EvidenceItem.id == CriterionClaim.item_id),
            EvidenceItem.provider_id == provider_id,
        ),
        "decisions": count(Decision, Decision.provider_id == provider_id),
        "criterion_judgements": count(
            CriterionJudgement,
            (Decision, Decision.id == CriterionJudgement.decision_id),
            Decision.provider_id == provider_id,
        ),
        "enrolment_progress": count(
            EnrolmentProgress, EnrolmentProgress.provider_id == provider_id
        ),
        "criterion_states": count(
            CriterionState,
            (Enrolment, Enrolment.id == CriterionState.enrolment_id),
            Enrolment.provider_id == provider_id,
        ),
        "employers": count(Employer, Employer.provider_id == provider_id),
        "line_managers": roles[Role.EMPLOYER],
        "apprenticeships": count(
            Apprenticeship,
            (Enrolment, Enrolment.id == Apprenticeship.enrolment_id),
            Enrolment.provider_id == provider_id,
        ),
        "otj_entries": count(OtjEntry, OtjEntry.provider_id == provider_id),
        "progress_reviews": count(ProgressReview, ProgressReview.provider_id == provider_id),
    }


def without_flags(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k not in ("provider_id", "created")}


def test_counts_returned_match_the_rows_in_the_database(large):
    assert large["created"] is True
    assert without_flags(large) == count_rows(large["provider_id"])
    assert large["learners"] == large["enrolments"] == large["enrolment_progress"] == LEARNERS
    assert (large["admins"], large["assessors"], large["iqas"], large["cohorts"]) == (1, 1, 1, 3)
    # About ten items each, every item with a version and a claim.
    assert 0.9 * LEARNERS * 10 <= large["evidence_items"] <= 1.1 * LEARNERS * 10
    assert large["evidence_versions"] >= large["evidence_items"]
    assert large["criterion_claims"] >= large["evidence_items"]
    provider = db.session.get(Provider, large["provider_id"])
    assert provider.name == f"Large provider ({LEARNERS} learners)"
    assert (
        db.session.scalar(select(User.provider_id).where(User.email == ADMIN_EMAIL)) == provider.id
    )
    # No audit events: generated history is not audited.
    assert not db.session.scalar(select(func.count()).where(AuditEvent.provider_id == provider.id))


def test_learners_are_enrolled_round_robin_at_the_current_criteria(large):
    provider_id = large["provider_id"]
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.provider_id == provider_id)
    ).all()
    units = db.session.scalars(select(Unit)).all()
    assert Counter(e.unit_id for e in enrolments) == {u.id: LEARNERS // len(units) for u in units}
    assert Counter(e.cohort_id for e in enrolments).most_common()[-1][1] == LEARNERS // 3
    for enrolment in enrolments:
        assert enrolment.criteria_set_id == enrolment.unit.current.id
        assert enrolment.qualification in enrolment.unit.qualifications
        assert enrolment.assessor.role is Role.ASSESSOR and enrolment.iqa.role is Role.IQA
        assert enrolment.learner.email.endswith(f"@{DOMAIN}")
        assert enrolment.starts_on <= enrolment.planned_end_on
    first = db.session.scalar(select(User).where(User.email == f"learner1@{DOMAIN}"))
    assert first.role is Role.LEARNER and first.provider_id == provider_id


def test_assessors_work_in_teams_that_take_whole_intakes(app):
    figures = build_large_provider(1200, cohorts=6, items_per_learner=1, first_cohort=100,
                                   apprenticeships=False)
    rows = db.session.execute(
        select(Enrolment.cohort_id, Enrolment.assessor_id)
        .where(Enrolment.provider_id == figures["provider_id"])
        .order_by(Enrolment.id)
    ).all()
    caseloads = Counter(assessor for _cohort, assessor in rows)
    assert len(caseloads) == figures["assessors"] == 24
    assert set(caseloads.values()) == {50}
    by_cohort = defaultdict(set)
    for cohort, assessor in rows:
        by_cohort[cohort].add(assessor)
    first = min(by_cohort)
    assert len(by_cohort[first]) == 10  # the 100-learner cohort: one team, ten learners each
    assert all(len(assessors) <= 20 for assessors in by_cohort.values())  # one team or two


def test_first_cohort_can_be_given_its_own_size(app):
    figures = build_large_provider(30, cohorts=3, items_per_learner=1, first_cohort=12,
                                   apprenticeships=False)
    assert figures == count_rows(figures["provider_id"]) | {
        "provider_id": figures["provider_id"], "created": True}
    assert figures["apprenticeships"] == figures["otj_entries"] == figures["employers"] == 0
    sizes = db.session.execute(
        select(Enrolment.cohort_id, func.count())
        .where(Enrolment.provider_id == figures["provider_id"])
        .group_by(Enrolment.cohort_id)
        .order_by(Enrolment.cohort_id)
    ).all()
    assert [n for _cohort, n in sizes] == [12, 9, 9]


def met_on_accepted_items(provider_id: int) -> dict[int, set[int]]:
    rows = db.session.execute(
        select(EvidenceItem.enrolment_id, CriterionJudgement.criterion_id)
        .join(Decision, Decision.item_id == EvidenceItem.id)
        .join(CriterionJudgement, CriterionJudgement.decision_id == Decision.id)
        .where(
            EvidenceItem.provider_id == provider_id,
            EvidenceItem.status == EvidenceStatus.ACCEPTED,
            CriterionJudgement.met,
        )
        .distinct()
    ).all()
    met = defaultdict(set)
    for enrolment_id, criterion_id in rows:
        met[enrolment_id].add(criterion_id)
    return met


def test_every_enrolment_has_progress_rows_that_match_its_evidence(large):
    provider_id = large["provider_id"]
    met = met_on_accepted_items(provider_id)
    claimed = defaultdict(set)
    for enrolment_id, criterion_id in db.session.execute(
        select(EvidenceItem.enrolment_id, CriterionClaim.criterion_id)
        .join(CriterionClaim, CriterionClaim.item_id == EvidenceItem.id)
        .where(EvidenceItem.provider_id == provider_id)
    ):
        claimed[enrolment_id].add(criterion_id)
    now = datetime.now(UTC)
    inactive = 0
    for enrolment in db.session.scalars(
        select(Enrolment).where(Enrolment.provider_id == provider_id)
    ):
        progress = db.session.get(EnrolmentProgress, enrolment.id)
        assert progress is not None, enrolment.id
        criteria = set(
            db.session.scalars(
                select(Criterion.id).where(Criterion.criteria_set_id == enrolment.criteria_set_id)
            )
        )
        states = dict(
            db.session.execute(
                select(CriterionState.criterion_id, CriterionState.state).where(
                    CriterionState.enrolment_id == enrolment.id
                )
            ).all()
        )
        assert set(states) == criteria
        items = db.session.scalars(
            select(EvidenceItem).where(EvidenceItem.enrolment_id == enrolment.id)
        ).all()
        awaiting = [i.submitted_at for i in items if i.status is EvidenceStatus.SUBMITTED]
        returned_twice = db.session.scalar(
            select(func.count()).select_from(
                select(Decision.item_id)
                .join(EvidenceItem, EvidenceItem.id == Decision.item_id)
                .where(
                    EvidenceItem.enrolment_id == enrolment.id,
                    Decision.outcome == Outcome.RETURNED,
                )
                .group_by(Decision.item_id)
                .having(func.count() >= 2)
                .subquery()
            )
        )
        assert progress.provider_id == provider_id
        assert progress.criteria_total == len(criteria)
        assert progress.criteria_met == len(met[enrolment.id])
        assert progress.criteria_claimed == len(claimed[enrolment.id] | met[enrolment.id])
        assert progress.items == len(items)
        assert progress.awaiting_marking == len(awaiting)
        assert progress.oldest_awaiting_at == (min(awaiting) if awaiting else None)
        assert progress.items_returned_twice == returned_twice
        assert progress.last_activity_at == max((i.updated_at for i in items), default=None) or (
            enrolment.created_at
        )
        assert progress.last_activity_at <= now
        assert progress.signed_off is False and progress.countersigned is False
        for criterion_id, state in states.items():
            expected = (
                MET
                if criterion_id in met[enrolment.id]
                else CLAIMED
                if criterion_id in claimed[enrolment.id]
                else NOT_STARTED
            )
            assert state == expected
        if progress.last_activity_at < now - timedelta(days=30):
            inactive += 1
    assert 0 < inactive < LEARNERS // 2  # some learners have done nothing for 30 days


def test_progress_rows_are_what_the_refresh_would_compute(large):
    columns = [c.name for c in EnrolmentProgress.__table__.columns if c.name != "updated_at"]
    ids = db.session.scalars(
        select(Enrolment.id).where(Enrolment.provider_id == large["provider_id"])
    ).all()

    def snapshot(enrolment_id):
        row = db.session.execute(
            select(*[EnrolmentProgress.__table__.c[c] for c in columns]).where(
                EnrolmentProgress.enrolment_id == enrolment_id
            )
        ).one()
        states = db.session.execute(
            select(CriterionState.criterion_id, CriterionState.state)
            .where(CriterionState.enrolment_id == enrolment_id)
            .order_by(CriterionState.criterion_id)
        ).all()
        return tuple(row), [tuple(s) for s in states]

    generated = {i: snapshot(i) for i in ids}
    for enrolment_id in ids:
        refresh_enrolment(db.session, enrolment_id)
    db.session.flush()
    db.session.expire_all()
    assert {i: snapshot(i) for i in ids} == generated
    # All at once, as an import refreshes its rows, in the statements it takes for one.
    with counting(db.engine) as statements:
        refresh.enrolments(ids)
    db.session.expire_all()
    assert {i: snapshot(i) for i in ids} == generated
    with counting(db.engine) as for_one:
        refresh.enrolments(ids[:1])
    assert len(statements) == len(for_one)


def test_each_items_history_follows_the_rules(large):
    provider_id = large["provider_id"]
    items = db.session.scalars(
        select(EvidenceItem).where(EvidenceItem.provider_id == provider_id)
    ).all()
    statuses = Counter(i.status for i in items)
    assert set(statuses) == set(EvidenceStatus)
    assert statuses[EvidenceStatus.ACCEPTED] > len(items) / 2  # mostly accepted
    now = datetime.now(UTC)
    for item in items:
        versions = item.versions
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        assert item.created_at <= item.updated_at <= now
        claims = {c.criterion_id for c in item.claims}
        assert 1 <= len(claims) <= 2
        decisions = sorted(item.decisions, key=lambda d: (d.decided_at, d.id))
        if item.status is EvidenceStatus.DRAFT:
            assert not decisions and item.submitted_at is None
            assert all(v.submitted_at is None for v in versions)
            continue
        assert item.submitted_at == versions[-1].submitted_at
        assert all(v.submitted_at is not None for v in versions)
        latest = decisions[-1] if decisions else None
        if item.status is EvidenceStatus.SUBMITTED:
            assert latest is None or latest.version_number < versions[-1].number
        else:
            assert latest.version_number == versions[-1].number
            expected = (
                Outcome.ACCEPTED if item.status is EvidenceStatus.ACCEPTED else Outcome.RETURNED
            )
            assert latest.outcome is expected
        for decision in decisions:
            version = versions[decision.version_number - 1]
            judged = {j.criterion_id: j.met for j in decision.judgements}
            assert set(judged) == claims
            if decision.outcome is Outcome.ACCEPTED:
                assert any(judged.values())
            else:
                assert not all(judged.values()) and decision.feedback.strip()
            assert version.submitted_at <= decision.decided_at <= item.updated_at
            assert decision.marking_days == working_days_between(
                version.submitted_at.date(), decision.decided_at.date()
            )
            assert decision.assessor_id == item.enrolment.assessor_id
        if item.linked_item_id:
            linked = db.session.get(EvidenceItem, item.linked_item_id)
            assert linked.enrolment_id == item.enrolment_id and linked.kind.value == "incident_log"


def test_content_is_valid_for_its_kind_and_holds_no_personal_data(app, large):
    seen = set()
    rows = db.session.execute(
        select(EvidenceItem.kind, EvidenceItem.title, EvidenceVersion.content,
               EvidenceItem.personal_data_open)
        .join(EvidenceVersion, EvidenceVersion.item_id == EvidenceItem.id)
        .where(EvidenceItem.provider_id == large["provider_id"])
    ).all()  # fmt: skip
    # The count the learner's to-do list reads agrees: nothing to resolve anywhere.
    assert {row.personal_data_open for row in rows} == {0}
    with app.test_request_context():
        for kind, title, content, _open in rows:
            # The form reads the content back to the same content: every field is there.
            form = FORMS[kind.value](meta={"csrf": False})
            form.fill(title, content)
            assert form.content() == content, (kind, title)
            key = (
                kind,
                title,
                content.get("nature") or content.get("notes") or content.get("action"),
            )
            if key in seen:
                continue
            seen.add(key)
            text = kinds.plain_text(kind, title, content)
            assert find_personal_data(text) == [], (kind, title)
    assert {row.kind for row in rows} == {
        "incident_log",
        "call_note",
        "star_account",
    }


def test_running_it_twice_changes_nothing(app, large):
    before = count_rows(large["provider_id"])
    providers = db.session.scalar(select(func.count(Provider.id)))
    again = build_large_provider(LEARNERS, **SMALL)
    assert again["created"] is False
    assert without_flags(again) == without_flags(large)
    # Asking for another size still finds the one large provider and changes nothing.
    other = build_large_provider(LEARNERS + 5, cohorts=2, items_per_learner=3)
    assert other["provider_id"] == large["provider_id"] and other["created"] is False
    assert count_rows(large["provider_id"]) == before
    assert db.session.scalar(select(func.count(Provider.id))) == providers


def test_rows_added_afterwards_get_fresh_ids(app, large):
    learner = db.session.scalar(select(User).where(User.email == f"learner2@{DOMAIN}"))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    item = operations.start_item(
        learner, enrolment, EvidenceKind.CALL_NOTE, "A new note", {"call_date": "2026-11-05",
        "channel": "inbound_phone", "duration_minutes": 5, "notes": "Rang back as promised."},
    )  # fmt: skip
    operations.set_claims(learner, item, {enrolment.criteria_set.criteria[0].id: ""})
    db.session.flush()
    assert item.id > max(
        db.session.scalars(select(EvidenceItem.id).where(EvidenceItem.id != item.id))
    )


def test_a_generated_learner_signs_in_with_the_demo_password(app, large, client):
    email = f"learner1@{DOMAIN}"
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    learner = db.session.scalar(select(User).where(User.email == email))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    assert client.get(f"/enrolments/{enrolment.id}/portfolio").status_code == 200
    # One page of each kind and status renders from the generated content.
    shown = set()
    for item in db.session.scalars(
        select(EvidenceItem).where(EvidenceItem.learner_id == learner.id)
    ):
        if (item.kind, item.status) not in shown:
            shown.add((item.kind, item.status))
            assert client.get(f"/evidence/{item.id}").status_code == 200, (item.kind, item.status)
    client.post("/sign-out")
    response = client.post("/sign-in", data={"email": f"assessor1@{DOMAIN}", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/enrolments/{enrolment.id}/portfolio").status_code == 200


def test_the_command_builds_once(app, runner):
    args = ["demo", "--learners", "6", "--cohorts", "2", "--items", "3"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "built in" in result.output and "6 learners" in result.output
    again = runner.invoke(args=args)
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output


def test_every_learner_is_an_apprentice_with_hours_and_reviews_that_follow_the_rules(large):
    """Each apprentice's line manager works for its employer; entries fall on weekdays, at
    most one a day, never in the future; reviews are signed by all three, every signature
    holds, none more than the interval apart; and some apprentices are behind on hours and
    some have a review overdue, as the dashboard counts them."""
    provider_id = large["provider_id"]
    today = date.today()
    apprenticeships = db.session.scalars(
        select(Apprenticeship).join(Enrolment).where(Enrolment.provider_id == provider_id)
    ).all()
    assert len(apprenticeships) == LEARNERS
    behind = 0
    for apprenticeship in apprenticeships:
        manager = apprenticeship.line_manager
        assert manager.role is Role.EMPLOYER and manager.employer_id == apprenticeship.employer_id
        enrolment = apprenticeship.enrolment
        entries = db.session.scalars(
            select(OtjEntry).where(OtjEntry.enrolment_id == enrolment.id).order_by(OtjEntry.on_date)
        ).all()
        days = [e.on_date for e in entries]
        assert len(days) == len(set(days)) and all(d.weekday() < 5 and d < today for d in days)
        assert entries and entries[-1].status is EntryStatus.AWAITING
        figures = hours.figures(enrolment, today)
        behind += figures.rag == "red"
        signed = db.session.scalars(
            select(ProgressReview).where(ProgressReview.enrolment_id == enrolment.id)
            .order_by(ProgressReview.number)
        ).all()  # fmt: skip
        anchor = enrolment.starts_on
        for review in signed:
            assert review.status is ReviewStatus.SIGNED and len(review.signatures) == 3
            assert all(reviews.signature_holds(review, s) for s in review.signatures)
            assert 0 < (review.held_on - anchor).days <= 7 * reviews_due.DEFAULT_INTERVAL_WEEKS
            anchor = review.held_on
    assert 0 < behind < LEARNERS
    overdue = queries.summary(Filters(), provider_id, today, 21).reviews_overdue
    assert 0 < overdue < LEARNERS // 2
