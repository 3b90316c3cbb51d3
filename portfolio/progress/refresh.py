"""Keeping EnrolmentProgress and CriterionState in step with the evidence.

Every domain operation that changes what an enrolment's progress rows summarise (its
evidence, claims, decisions, sign-offs, breaks in learning, hours, progress reviews, or
the enrolment itself) ends by calling ``enrolments`` with the enrolments it changed, so the
summary rows change in the same transaction as what they summarise. ``flask progress
refresh`` rebuilds them all.

However many enrolments are given, each figure is read for all of them in one statement
(up to BATCH at a time), so a caller that changes many enrolments at once, such as the
import of a file of learners, refreshes them together rather than one by one.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from portfolio.accounts.models import Provider
from portfolio.apprenticeships import breaks
from portfolio.apprenticeships.hours_models import EntryStatus, OtjEntry
from portfolio.apprenticeships.models import Apprenticeship, BreakInLearning
from portfolio.apprenticeships.reviews_models import ProgressReview, ReviewStatus
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

# Enrolments whose figures are read in one statement: a bound on the length of its IN list.
BATCH = 500


def enrolments(enrolment_ids: Iterable[int]) -> None:
    """Recompute these enrolments' progress rows from what the session holds now."""
    ids = sorted(set(enrolment_ids))
    db.session.flush()
    for start in range(0, len(ids), BATCH):
        refresh_enrolments(db.session, ids[start : start + BATCH])
    db.session.flush()


def _review_dates(session: Session, apprenticeships: list[tuple[int, date, int]],
                  periods: dict[int, list]) -> dict[int, tuple[date | None, date | None]]:  # fmt: skip
    """For each apprenticeship, given as (enrolment id, start, provider id) with its breaks
    in learning in ``periods`` as (starts_on, ends_on) pairs: the day its last signed
    progress review was held (None before the first) and the day the next one is due, by
    ``reviews_due.next_due``'s rule. Two statements, whatever the number; none for none."""
    if not apprenticeships:
        return {}
    ids = [enrolment_id for enrolment_id, _start, _provider in apprenticeships]
    last = dict(
        session.execute(
            select(ProgressReview.enrolment_id, func.max(ProgressReview.held_on))
            .where(ProgressReview.enrolment_id.in_(ids),
                   ProgressReview.status == ReviewStatus.SIGNED)
            .group_by(ProgressReview.enrolment_id)
        ).all()
    )  # fmt: skip
    weeks = dict(
        session.execute(
            select(Provider.id, Provider.review_interval_weeks).where(
                Provider.id.in_({provider for _id, _start, provider in apprenticeships})
            )
        ).all()
    )
    return {
        enrolment_id: (
            last.get(enrolment_id),
            breaks.due_date(last.get(enrolment_id) or starts_on, 7 * weeks[provider_id],
                            periods.get(enrolment_id, ())),
        )
        for enrolment_id, starts_on, provider_id in apprenticeships
    }  # fmt: skip


def review_due_dates(enrolment_ids: Iterable[int]) -> None:
    """Recompute only when these enrolments' next progress reviews are due, for a change that
    moves them all and nothing else (the provider's interval between reviews)."""
    ids = sorted(set(enrolment_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        apprenticeships = db.session.execute(
            select(Enrolment.id, Enrolment.starts_on, Enrolment.provider_id)
            .join(Apprenticeship, Apprenticeship.enrolment_id == Enrolment.id)
            .where(Enrolment.id.in_(batch))
        ).all()
        periods: dict[int, list] = defaultdict(list)
        for pause in db.session.execute(
            select(BreakInLearning.enrolment_id, BreakInLearning.starts_on,
                   BreakInLearning.ends_on).where(BreakInLearning.enrolment_id.in_(batch))
        ):  # fmt: skip
            periods[pause.enrolment_id].append((pause.starts_on, pause.ends_on))
        dates = _review_dates(db.session, [tuple(row) for row in apprenticeships], periods)
        if dates:  # by primary key, one statement for the batch
            db.session.execute(
                update(EnrolmentProgress).execution_options(synchronize_session=False),
                [{"enrolment_id": enrolment_id, "last_review_on": last, "review_due_on": due}
                 for enrolment_id, (last, due) in dates.items()],
            )  # fmt: skip


def refresh_enrolment(session: Session, enrolment_id: int) -> None:
    """Recompute one enrolment's progress rows from its evidence, claims and decisions."""
    refresh_enrolments(session, [enrolment_id])


def refresh_enrolments(session: Session, enrolment_ids: list[int]) -> None:
    """Recompute these enrolments' progress rows from their evidence, claims and decisions,
    in the same statements for one enrolment or a few hundred."""
    found = session.execute(
        select(Enrolment, EnrolmentProgress)
        .outerjoin(EnrolmentProgress, EnrolmentProgress.enrolment_id == Enrolment.id)
        .where(Enrolment.id.in_(enrolment_ids))
    ).all()
    if not found:
        return
    ids = [enrolment.id for enrolment, _ in found]
    criteria: dict[int, list[int]] = defaultdict(list)  # criteria set: its criteria
    for set_id, criterion_id in session.execute(
        select(Criterion.criteria_set_id, Criterion.id)
        .where(Criterion.criteria_set_id.in_({e.criteria_set_id for e, _ in found}))
        .order_by(Criterion.id)
    ):
        criteria[set_id].append(criterion_id)
    claimed: dict[int, set[int]] = defaultdict(set)  # enrolment: criteria claimed
    for enrolment_id, criterion_id in session.execute(
        select(EvidenceItem.enrolment_id, CriterionClaim.criterion_id)
        .join(EvidenceItem, CriterionClaim.item_id == EvidenceItem.id)
        .where(EvidenceItem.enrolment_id.in_(ids))
    ):
        claimed[enrolment_id].add(criterion_id)
    met: dict[int, set[int]] = defaultdict(set)  # enrolment: criteria met
    for enrolment_id, criterion_id in session.execute(
        select(EvidenceItem.enrolment_id, CriterionJudgement.criterion_id)
        .join(Decision, CriterionJudgement.decision_id == Decision.id)
        .join(EvidenceItem, Decision.item_id == EvidenceItem.id)
        .where(
            EvidenceItem.enrolment_id.in_(ids),
            EvidenceItem.status == EvidenceStatus.ACCEPTED,
            Decision.outcome == Outcome.ACCEPTED,
            CriterionJudgement.met,
        )
    ):
        met[enrolment_id].add(criterion_id)
    submitted = EvidenceItem.status == EvidenceStatus.SUBMITTED
    items = {
        row.enrolment_id: row
        for row in session.execute(
            select(
                EvidenceItem.enrolment_id,
                func.count(EvidenceItem.id).label("items"),
                func.max(EvidenceItem.updated_at).label("last_activity_at"),
                func.count(EvidenceItem.id).filter(submitted).label("awaiting"),
                func.min(EvidenceItem.submitted_at).filter(submitted).label("oldest_at"),
            )
            .where(EvidenceItem.enrolment_id.in_(ids))
            .group_by(EvidenceItem.enrolment_id)
        )
    }
    returned = (
        select(EvidenceItem.enrolment_id)
        .join(Decision, Decision.item_id == EvidenceItem.id)
        .where(EvidenceItem.enrolment_id.in_(ids), Decision.outcome == Outcome.RETURNED)
        .group_by(EvidenceItem.enrolment_id, Decision.item_id)
        .having(func.count() >= 2)
        .subquery()
    )
    returned_twice = dict(
        session.execute(
            select(returned.c.enrolment_id, func.count()).group_by(returned.c.enrolment_id)
        ).all()
    )
    sign_offs = {
        s.enrolment_id: s
        for s in session.scalars(
            select(SignOff).where(SignOff.enrolment_id.in_(ids), SignOff.withdrawn_at.is_(None))
        )
    }
    # Breaks in learning: the days of those ended (each ends on or before the day it is
    # ended, so all are past), and the one still going (portfolio.apprenticeships.breaks).
    ended_days: dict[int, int] = defaultdict(int)
    ongoing = {}
    periods: dict[int, list] = defaultdict(list)
    for pause in session.execute(
        select(
            BreakInLearning.enrolment_id, BreakInLearning.starts_on, BreakInLearning.ends_on,
            BreakInLearning.reason,
        ).where(BreakInLearning.enrolment_id.in_(ids))
    ):  # fmt: skip
        periods[pause.enrolment_id].append((pause.starts_on, pause.ends_on))
        if pause.ends_on is None:
            ongoing[pause.enrolment_id] = pause
        else:
            ended_days[pause.enrolment_id] += (pause.ends_on - pause.starts_on).days + 1
    # Off-the-job hours: the plan of those that are apprenticeships, and the minutes logged
    # (rejected entries left out) and verified.
    planned = dict(
        session.execute(
            select(Apprenticeship.enrolment_id, Apprenticeship.planned_otj_hours).where(
                Apprenticeship.enrolment_id.in_(ids)
            )
        ).all()
    )
    reviews = _review_dates(
        session, [(e.id, e.starts_on, e.provider_id) for e, _ in found if e.id in planned], periods
    )
    verified = OtjEntry.status == EntryStatus.VERIFIED
    hours = {
        row.enrolment_id: row
        for row in session.execute(
            select(
                OtjEntry.enrolment_id,
                func.sum(OtjEntry.minutes).label("logged"),
                func.sum(OtjEntry.minutes).filter(verified).label("verified"),
            )
            .where(OtjEntry.enrolment_id.in_(ids), OtjEntry.status != EntryStatus.REJECTED)
            .group_by(OtjEntry.enrolment_id)
        )
    }
    now = utcnow()
    states = []
    for enrolment, progress in found:
        enrolment_id = enrolment.id
        scope = {column: getattr(enrolment, column) for column in ("provider_id", *SCOPE)}
        if progress is None:
            progress = EnrolmentProgress(enrolment_id=enrolment_id)
            session.add(progress)
        for column, value in scope.items():
            setattr(progress, column, value)
        its_criteria = criteria.get(enrolment.criteria_set_id, [])
        its_met = met.get(enrolment_id, set())
        its_claimed = claimed.get(enrolment_id, set())
        counted = items.get(enrolment_id)
        sign_off = sign_offs.get(enrolment_id)
        progress.starts_on = enrolment.starts_on
        progress.planned_end_on = enrolment.planned_end_on
        progress.criteria_total = len(its_criteria)
        progress.criteria_met = len(its_met & set(its_criteria))
        progress.criteria_claimed = len((its_claimed | its_met) & set(its_criteria))
        progress.items = counted.items if counted else 0
        progress.awaiting_marking = counted.awaiting if counted else 0
        progress.oldest_awaiting_at = counted.oldest_at if counted else None
        progress.items_returned_twice = returned_twice.get(enrolment_id, 0)
        progress.last_activity_at = (counted and counted.last_activity_at) or enrolment.created_at
        progress.signed_off = sign_off is not None
        progress.countersigned = bool(sign_off and sign_off.countersigned_at)
        progress.under_review = bool(sign_off and sign_off.under_review_since)
        pause = ongoing.get(enrolment_id)
        progress.break_days = ended_days.get(enrolment_id, 0)
        progress.break_since = pause.starts_on if pause else None
        progress.break_reason = pause.reason if pause else None
        its_planned, its_hours = planned.get(enrolment_id), hours.get(enrolment_id)
        progress.otj_planned_minutes = its_planned * 60 if its_planned is not None else None
        progress.otj_logged_minutes = int(its_hours.logged or 0) if its_hours else 0
        progress.otj_verified_minutes = int(its_hours.verified or 0) if its_hours else 0
        progress.last_review_on, progress.review_due_on = reviews.get(enrolment_id, (None, None))
        progress.updated_at = now
        states += [
            {"enrolment_id": enrolment_id, "criterion_id": c, **scope,
             "state": MET if c in its_met else CLAIMED if c in its_claimed else NOT_STARTED}
            for c in its_criteria
        ]  # fmt: skip
    # Not looked for among the objects the session holds (synchronize_session): nothing loads
    # these rows as objects, and the look is a walk through every object held, which grows
    # with each enrolment a bulk import adds in one session.
    session.execute(
        delete(CriterionState)
        .where(CriterionState.enrolment_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    if states:
        session.execute(insert(CriterionState), states)
    # The decisions' copies of the cohort and qualification, where the enrolment moved.
    moved_to = select(Enrolment.cohort_id, Enrolment.qualification_id).where(
        Enrolment.id == Decision.enrolment_id
    )
    cohort_id = moved_to.with_only_columns(Enrolment.cohort_id).scalar_subquery()
    qualification_id = moved_to.with_only_columns(Enrolment.qualification_id).scalar_subquery()
    session.execute(
        update(Decision)
        .where(
            Decision.enrolment_id.in_(ids),
            or_(
                Decision.cohort_id.is_distinct_from(cohort_id),
                Decision.qualification_id.is_distinct_from(qualification_id),
            ),
        )
        .values(cohort_id=cohort_id, qualification_id=qualification_id)
        .execution_options(synchronize_session=False)
    )
