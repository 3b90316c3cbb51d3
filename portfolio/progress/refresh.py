"""Keeping EnrolmentProgress and CriterionState in step with the evidence.

Every domain operation that changes what an enrolment's progress rows summarise (its
evidence, claims, decisions, sign-offs, or the enrolment itself) ends by calling
``enrolments`` with the enrolments it changed, so the summary rows change in the same
transaction as what they summarise. ``flask progress refresh`` rebuilds them all.
"""

from collections.abc import Iterable

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from portfolio.assessment.models import CriterionJudgement, Decision, Outcome, SignOff
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import CriterionClaim, EvidenceItem, EvidenceStatus
from portfolio.progress.models import (
    CLAIMED,
    MET,
    NOT_STARTED,
    SCOPE,
    CriterionState,
    EnrolmentProgress,
)
from portfolio.units.models import Criterion


def enrolments(enrolment_ids: Iterable[int]) -> None:
    """Recompute these enrolments' progress rows from what the session holds now."""
    db.session.flush()
    for enrolment_id in sorted(set(enrolment_ids)):
        refresh_enrolment(db.session, enrolment_id)
    db.session.flush()


def refresh_enrolment(session: Session, enrolment_id: int) -> None:
    """Recompute one enrolment's progress rows from its evidence, claims and decisions."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        return
    criteria = session.scalars(
        select(Criterion.id).where(Criterion.criteria_set_id == enrolment.criteria_set_id)
    ).all()
    claimed = set(
        session.scalars(
            select(CriterionClaim.criterion_id)
            .join(EvidenceItem, CriterionClaim.item_id == EvidenceItem.id)
            .where(EvidenceItem.enrolment_id == enrolment_id)
        )
    )
    met = set(
        session.scalars(
            select(CriterionJudgement.criterion_id)
            .join(Decision, CriterionJudgement.decision_id == Decision.id)
            .join(EvidenceItem, Decision.item_id == EvidenceItem.id)
            .where(
                EvidenceItem.enrolment_id == enrolment_id,
                EvidenceItem.status == EvidenceStatus.ACCEPTED,
                Decision.outcome == Outcome.ACCEPTED,
                CriterionJudgement.met,
            )
        )
    )
    items = session.execute(
        select(func.count(EvidenceItem.id).label("items"),
               func.max(EvidenceItem.updated_at).label("last_activity_at"))
        .where(EvidenceItem.enrolment_id == enrolment_id)
    ).one()  # fmt: skip
    awaiting = session.execute(
        select(func.count(EvidenceItem.id).label("items"),
               func.min(EvidenceItem.submitted_at).label("oldest_at"))
        .where(EvidenceItem.enrolment_id == enrolment_id,
               EvidenceItem.status == EvidenceStatus.SUBMITTED)
    ).one()  # fmt: skip
    returned_twice = session.scalar(
        select(func.count()).select_from(
            select(Decision.item_id)
            .join(EvidenceItem, Decision.item_id == EvidenceItem.id)
            .where(EvidenceItem.enrolment_id == enrolment_id, Decision.outcome == Outcome.RETURNED)
            .group_by(Decision.item_id)
            .having(func.count() >= 2)
            .subquery()
        )
    )
    sign_off = session.scalar(
        select(SignOff).where(SignOff.enrolment_id == enrolment_id, SignOff.withdrawn_at.is_(None))
    )
    scope = {column: getattr(enrolment, column) for column in ("provider_id", *SCOPE)}
    progress = session.get(EnrolmentProgress, enrolment_id)
    if progress is None:
        progress = EnrolmentProgress(enrolment_id=enrolment_id)
        session.add(progress)
    for column, value in scope.items():
        setattr(progress, column, value)
    progress.starts_on = enrolment.starts_on
    progress.planned_end_on = enrolment.planned_end_on
    progress.criteria_total = len(criteria)
    progress.criteria_met = len(met & set(criteria))
    progress.criteria_claimed = len((claimed | met) & set(criteria))
    progress.items = items.items
    progress.awaiting_marking = awaiting.items
    progress.oldest_awaiting_at = awaiting.oldest_at
    progress.items_returned_twice = returned_twice
    progress.last_activity_at = items.last_activity_at or enrolment.created_at
    progress.signed_off = sign_off is not None
    progress.countersigned = bool(sign_off and sign_off.countersigned_at)
    progress.under_review = bool(sign_off and sign_off.under_review_since)
    progress.updated_at = utcnow()
    # Not looked for among the objects the session holds (synchronize_session): nothing loads
    # these rows as objects, and the look is a walk through every object held, which grows
    # with each enrolment a bulk import adds in one session.
    session.execute(
        delete(CriterionState)
        .where(CriterionState.enrolment_id == enrolment_id)
        .execution_options(synchronize_session=False)
    )
    if criteria:
        session.execute(
            insert(CriterionState),
            [
                {"enrolment_id": enrolment_id, "criterion_id": c, **scope,
                 "state": MET if c in met else CLAIMED if c in claimed else NOT_STARTED}
                for c in criteria
            ],
        )  # fmt: skip
    # The decisions' copies of the cohort and qualification, where the enrolment moved.
    session.execute(
        update(Decision)
        .where(
            Decision.enrolment_id == enrolment_id,
            or_(
                Decision.cohort_id.is_distinct_from(enrolment.cohort_id),
                Decision.qualification_id.is_distinct_from(enrolment.qualification_id),
            ),
        )
        .values(cohort_id=enrolment.cohort_id, qualification_id=enrolment.qualification_id)
        .execution_options(synchronize_session=False)
    )
