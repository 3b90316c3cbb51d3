"""Keeping EnrolmentProgress and CriterionState in step with the evidence.

Every flush notes which enrolments its changes touch; just before the transaction commits,
those enrolments' progress rows are recomputed from the source tables. So the summary rows
change in the same transaction as what they summarise, and no operation can forget them.
"""

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session

from portfolio.assessment.models import CriterionJudgement, Decision, Outcome, SignOff
from portfolio.db import utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import CriterionClaim, EvidenceItem, EvidenceStatus, EvidenceVersion
from portfolio.progress.models import CLAIMED, MET, NOT_STARTED, CriterionState, EnrolmentProgress
from portfolio.units.models import Criterion

PENDING = "progress_pending"


def _enrolment_of(obj) -> int | None:
    if isinstance(obj, Enrolment):
        return obj.id
    if isinstance(obj, EvidenceItem | SignOff):
        return obj.enrolment_id or (obj.enrolment.id if obj.enrolment else None)
    if isinstance(obj, EvidenceVersion | CriterionClaim | Decision):
        item = obj.item
        return item.enrolment_id if item is not None else None
    return None


@event.listens_for(Session, "after_flush")
def _note_changes(session, flush_context):
    pending = session.info.setdefault(PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        enrolment_id = _enrolment_of(obj)
        if enrolment_id is not None:
            pending.add(enrolment_id)


@event.listens_for(Session, "before_commit")
def _refresh_pending(session):
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    for enrolment_id in sorted(pending):
        refresh_enrolment(session, enrolment_id)
    session.flush()
    session.info.pop(PENDING, None)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session):
    session.info.pop(PENDING, None)


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
    items, last_activity = session.execute(
        select(func.count(EvidenceItem.id), func.max(EvidenceItem.updated_at)).where(
            EvidenceItem.enrolment_id == enrolment_id
        )
    ).one()
    awaiting, oldest = session.execute(
        select(func.count(EvidenceItem.id), func.min(EvidenceItem.submitted_at)).where(
            EvidenceItem.enrolment_id == enrolment_id,
            EvidenceItem.status == EvidenceStatus.SUBMITTED,
        )
    ).one()
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
    progress = session.get(EnrolmentProgress, enrolment_id)
    if progress is None:
        progress = EnrolmentProgress(enrolment_id=enrolment_id, provider_id=enrolment.provider_id)
        session.add(progress)
    progress.criteria_total = len(criteria)
    progress.criteria_met = len(met & set(criteria))
    progress.criteria_claimed = len((claimed | met) & set(criteria))
    progress.items = items
    progress.awaiting_marking = awaiting
    progress.oldest_awaiting_at = oldest
    progress.items_returned_twice = returned_twice
    progress.last_activity_at = last_activity or enrolment.created_at
    progress.signed_off = sign_off is not None
    progress.countersigned = bool(sign_off and sign_off.countersigned_at)
    progress.updated_at = utcnow()
    session.execute(delete(CriterionState).where(CriterionState.enrolment_id == enrolment_id))
    if criteria:
        session.execute(
            insert(CriterionState),
            [
                {"enrolment_id": enrolment_id, "criterion_id": c,
                 "state": MET if c in met else CLAIMED if c in claimed else NOT_STARTED}
                for c in criteria
            ],
        )  # fmt: skip
