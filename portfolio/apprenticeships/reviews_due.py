"""When progress reviews are due.

The next review is due the provider's interval (``Provider.review_interval_weeks``, 12 by
default) after the day the last signed review was held, or after the apprenticeship's start
for the first, later by the days of any break in learning in between
(``breaks.due_after``). So reviews are never more than the interval apart, however early
one was held. A review is overdue once that day has passed without a signed review.

Each apprenticeship's progress row keeps that day (``EnrolmentProgress.review_due_on``),
set by the progress refresh when a review is signed, a break is recorded or ended, or the
enrolment changes, and here when the interval changes: the lists and counts of overdue
reviews read it there (``portfolio.progress.reviews_overdue``).
"""

from datetime import date

from sqlalchemy import select

from portfolio.accounts.models import Role, User
from portfolio.apprenticeships import breaks
from portfolio.apprenticeships.models import Apprenticeship
from portfolio.apprenticeships.reviews_models import ProgressReview, ReviewStatus
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.errors import DomainError
from portfolio.progress import refresh

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
        refresh.review_due_dates(
            db.session.scalars(
                select(Apprenticeship.enrolment_id)
                .join(Enrolment, Enrolment.id == Apprenticeship.enrolment_id)
                .where(Enrolment.provider_id == provider.id)
            )
        )
        audit.record(
            "provider.changed", provider_id=provider.id, actor=admin, object_type="provider",
            object_id=provider.id, before={"review_interval_weeks": before},
            after={"review_interval_weeks": weeks},
            summary=f"Progress reviews every {'week' if weeks == 1 else f'{weeks} weeks'}",
        )  # fmt: skip
