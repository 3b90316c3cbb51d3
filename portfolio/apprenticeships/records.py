"""The first day an apprenticeship has anything recorded on: its start cannot move past it."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portfolio.apprenticeships.hours_models import OtjEntry
from portfolio.apprenticeships.models import BreakInLearning
from portfolio.apprenticeships.reviews_models import ProgressReview
from portfolio.db import db


@dataclass(frozen=True)
class FirstRecord:
    on: date
    what: str  # as a sentence names it: "off-the-job hours logged"


def first_record(enrolment_id: int) -> FirstRecord | None:
    """The earliest day of the enrolment's off-the-job hours, breaks in learning and progress
    reviews held, with what falls on it; None when none is recorded. One statement."""
    kinds = {
        "off-the-job hours logged": select(func.min(OtjEntry.on_date))
        .where(OtjEntry.enrolment_id == enrolment_id),
        "break in learning": select(func.min(BreakInLearning.starts_on))
        .where(BreakInLearning.enrolment_id == enrolment_id),
        "progress review held": select(func.min(ProgressReview.held_on))
        .where(ProgressReview.enrolment_id == enrolment_id),
    }  # fmt: skip
    days = db.session.execute(select(*(q.scalar_subquery() for q in kinds.values()))).one()
    found = [FirstRecord(day, what) for day, what in zip(days, kinds, strict=True) if day]
    return min(found, key=lambda r: r.on, default=None)
