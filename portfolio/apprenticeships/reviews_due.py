"""When progress reviews are due, and which are overdue.

The next review is due the provider's interval (``Provider.review_interval_weeks``, 12 by
default) after the day the last signed review was held, or after the apprenticeship's start
for the first, later by the days of any break in learning in between
(``breaks.due_after``). So reviews are never more than the interval apart, however early
one was held. A review is overdue once that day has passed without a signed review.
"""

from datetime import date, timedelta

from sqlalchemy import Date, case, func, literal, select

from portfolio.accounts.models import LEARNER, Role, User
from portfolio.apprenticeships import breaks
from portfolio.apprenticeships.models import Apprenticeship, BreakInLearning
from portfolio.apprenticeships.reviews_models import ProgressReview, ReviewStatus
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import may_see
from portfolio.errors import DomainError
from portfolio.progress.sql import days_between
from portfolio.units.models import Unit

DEFAULT_INTERVAL_WEEKS = 12


def interval_days(enrolment: Enrolment) -> int:
    return 7 * (enrolment.provider.review_interval_weeks or DEFAULT_INTERVAL_WEEKS)


def last_signed(enrolment_id: int) -> ProgressReview | None:
    return db.session.scalar(
        select(ProgressReview)
        .where(ProgressReview.enrolment_id == enrolment_id,
               ProgressReview.status == ReviewStatus.SIGNED)
        .order_by(ProgressReview.number.desc())
        .limit(1)
    )  # fmt: skip


def next_due(enrolment: Enrolment) -> date | None:
    """The day the next review is due; None while a break in learning with no end pauses it."""
    last = last_signed(enrolment.id)
    anchor = last.held_on if last else enrolment.starts_on
    return breaks.due_after(enrolment.id, anchor, interval_days(enrolment))


def _least(a, b):
    return case((a < b, a), else_=b)


def _greatest(a, b):
    return case((a > b, a), else_=b)


def overdue_rows(scope, today: date, interval_weeks: int):
    """A subquery of the apprenticeships among the enrolments ``scope`` selects (a
    condition on Enrolment) whose next review is overdue on ``today``: enrolment_id and
    ``since``, the day of the last signed review or the start.

    The rule of ``next_due`` in SQL, for lists and counts in one statement: a review due on
    day D is overdue on ``today`` when the days from its anchor to yesterday, less the days
    of breaks in learning among them, reach the interval (the day reached that way is D
    itself, as ``breaks.due_after`` counts it)."""
    last = (
        select(func.max(ProgressReview.held_on))
        .where(ProgressReview.enrolment_id == Enrolment.id,
               ProgressReview.status == ReviewStatus.SIGNED)
        .correlate(Enrolment)
        .scalar_subquery()
    )  # fmt: skip
    anchors = (
        select(Enrolment.id.label("enrolment_id"),
               func.coalesce(last, Enrolment.starts_on).label("since"))
        .join(Apprenticeship, Apprenticeship.enrolment_id == Enrolment.id)
        .where(scope)
        .cte("review_anchors")
    )  # fmt: skip
    yesterday = literal(today - timedelta(days=1), Date)
    # Days after the anchor, for the anchor, each break's first and last day and yesterday.
    start = days_between(anchors.c.since, BreakInLearning.starts_on)
    end = days_between(anchors.c.since, func.coalesce(BreakInLearning.ends_on, yesterday))
    upto = days_between(anchors.c.since, yesterday)
    overlap = _least(end, upto) - _greatest(start - 1, 0)
    paused = (
        select(anchors.c.enrolment_id, func.sum(_greatest(overlap, 0)).label("days"))
        .join(BreakInLearning, BreakInLearning.enrolment_id == anchors.c.enrolment_id)
        .group_by(anchors.c.enrolment_id)
        .subquery()
    )
    return (
        select(anchors.c.enrolment_id, anchors.c.since)
        .outerjoin(paused, paused.c.enrolment_id == anchors.c.enrolment_id)
        .where(upto - func.coalesce(paused.c.days, 0) >= 7 * interval_weeks)
        .subquery()
    )


def overdue_for(user: User, today: date, limit: int = 10):
    """The apprenticeships ``user`` sees whose review is overdue, the longest overdue first:
    (rows of enrolment_id, learner, unit, since; the total), in one statement."""
    rows = overdue_rows(may_see(user), today, user.provider.review_interval_weeks)
    learner = LEARNER
    found = db.session.execute(
        select(rows.c.enrolment_id, rows.c.since, learner.c.name.label("learner"),
               Unit.title.label("unit"), func.count().over().label("total"))
        .join(Enrolment, Enrolment.id == rows.c.enrolment_id)
        .join(learner, learner.c.id == Enrolment.learner_id)
        .join(Unit, Unit.id == Enrolment.unit_id)
        .order_by(rows.c.since, learner.c.name, rows.c.enrolment_id)
        .limit(limit)
    ).all()  # fmt: skip
    return found, (found[0].total if found else 0)


def overdue_count(scope, today: date, interval_weeks: int) -> int:
    """How many apprenticeships among the enrolments ``scope`` selects have a review overdue."""
    rows = overdue_rows(scope, today, interval_weeks)
    return db.session.scalar(select(func.count()).select_from(rows))


def change_interval(admin: User, weeks: int) -> None:
    """The provider admin sets how many weeks apart reviews fall due."""
    if admin.role is not Role.ADMIN:
        raise DomainError("Only a provider admin can change the provider's settings.")
    if not 1 <= weeks <= 52:
        raise DomainError("Enter a number of weeks from 1 to 52.", field="review_interval_weeks")
    provider = admin.provider
    before = provider.review_interval_weeks
    provider.review_interval_weeks = weeks
    db.session.flush()
    if before != weeks:
        audit.record(
            "provider.changed", provider_id=provider.id, actor=admin, object_type="provider",
            object_id=provider.id, before={"review_interval_weeks": before},
            after={"review_interval_weeks": weeks},
            summary=f"Progress reviews every {weeks} weeks",
        )  # fmt: skip
