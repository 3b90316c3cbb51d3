"""Which apprenticeships have a progress review overdue: those whose progress row says the
next review was due before today (``EnrolmentProgress.review_due_on``, kept by the progress
refresh by ``apprenticeships.reviews_due``'s rule), for the home pages. The dashboard's
count and list read the same column (``progress.queries.Measures.review_overdue``)."""

from datetime import date

from sqlalchemy import func, select

from portfolio.accounts.models import LEARNER, User
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import may_see
from portfolio.progress.models import EnrolmentProgress
from portfolio.units.models import Unit


def overdue_rows(scope, today: date):
    """A subquery of the apprenticeships among the enrolments ``scope`` selects (a
    condition on Enrolment) whose next review is overdue on ``today``: enrolment_id, and
    ``since``, the day of the last signed review or the start."""
    progress = EnrolmentProgress
    return (
        select(progress.enrolment_id,
               func.coalesce(progress.last_review_on, progress.starts_on).label("since"))
        .join(Enrolment, Enrolment.id == progress.enrolment_id)
        .where(scope, progress.review_due_on < today)
        .subquery()
    )  # fmt: skip


def overdue_for(user: User, today: date, limit: int = 10):
    """The apprenticeships ``user`` sees whose review is overdue, the longest overdue first:
    (rows of enrolment_id, learner, unit, since; the total), in one statement."""
    rows = overdue_rows(may_see(user), today)
    found = db.session.execute(
        select(rows.c.enrolment_id, rows.c.since, LEARNER.c.name.label("learner"),
               Unit.title.label("unit"), func.count().over().label("total"))
        .join(Enrolment, Enrolment.id == rows.c.enrolment_id)
        .join(LEARNER, LEARNER.c.id == Enrolment.learner_id)
        .join(Unit, Unit.id == Enrolment.unit_id)
        .order_by(rows.c.since, LEARNER.c.name, rows.c.enrolment_id)
        .limit(limit)
    ).all()  # fmt: skip
    return found, (found[0].total if found else 0)

