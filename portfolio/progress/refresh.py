"""Keeping EnrolmentProgress and CriterionState in step with the evidence, and each
provider's filter options version in step with what the dashboard's filters offer.

Every flush notes which enrolments its changes touch; just before the transaction commits,
those enrolments' progress rows are recomputed from the source tables. So the summary rows
change in the same transaction as what they summarise, and no operation can forget them.
Likewise a flush that changes a cohort, an enrolment's unit, qualification or assessor, or
a person's name or role gives the provider a new options version as it writes the change.
"""

from sqlalchemy import delete, event, func, insert, inspect, or_, select, update
from sqlalchemy.orm import Session

from portfolio.accounts.models import Provider, User, new_version
from portfolio.assessment.models import CriterionJudgement, Decision, Outcome, SignOff
from portfolio.db import utcnow
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.evidence.models import CriterionClaim, EvidenceItem, EvidenceStatus, EvidenceVersion
from portfolio.progress.models import (
    CLAIMED,
    MET,
    NOT_STARTED,
    SCOPE,
    CriterionState,
    EnrolmentProgress,
)
from portfolio.units.models import AwardingBody, Criterion, Qualification, Unit

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


# What the dashboard's filters offer (portfolio.progress.queries.filter_options) is read
# from these attributes of a provider's rows...
OPTION_ATTRIBUTES = {
    Cohort: ("name", "provider_id"),
    Enrolment: ("provider_id", "unit_id", "qualification_id", "assessor_id"),
    User: ("name", "role", "new_assessor", "provider_id"),
}
# ...and from these of the criteria library's, which every provider's options may name.
LIBRARY_ATTRIBUTES = {
    Unit: ("title", "awarding_body_id"),
    Qualification: ("title",),
    AwardingBody: ("name",),
}


@event.listens_for(Session, "after_flush")
def _new_options_versions(session, flush_context):
    """A new options version for each provider whose filter options this flush changed (for
    every provider, if the library's names changed), written in the same transaction."""
    providers: set[int] = set()
    everyone = False
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = type(obj)
        attributes = OPTION_ATTRIBUTES.get(kind) or LIBRARY_ATTRIBUTES.get(kind)
        if attributes is None or (kind is User and obj in session.new):
            continue  # a new person is offered only once enrolments name them
        if obj in session.dirty:
            state = inspect(obj)
            changed = [state.attrs[a].history for a in attributes]
            if not any(h.has_changes() for h in changed):
                continue
            if kind in OPTION_ATTRIBUTES:  # the provider it left, if it moved, as well
                providers.update(p for p in changed[attributes.index("provider_id")].deleted if p)
        if kind in LIBRARY_ATTRIBUTES:
            if obj not in session.new:  # a new unit is in no one's options yet
                everyone = True
        elif obj.provider_id is not None:
            providers.add(obj.provider_id)
    if not (providers or everyone):
        return
    table = Provider.__table__
    statement = update(table).values(filter_options_version=new_version())
    if not everyone:
        statement = statement.where(table.c.id.in_(sorted(providers)))
    session.connection().execute(statement)


@event.listens_for(Session, "before_commit")
def _refresh_pending(session):
    # Commit flushes only after this: flushed now, every change of the transaction is noted.
    session.flush()
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
