"""Progress kept per enrolment, so dashboards aggregate thousands of learners cheaply.

Both tables are derived: the domain operations that change an enrolment's evidence, claims,
decisions or sign-off, or the enrolment itself, call ``portfolio.progress.refresh`` to
recompute its rows.

Each row also carries what the dashboard filters by (the enrolment's provider, cohort,
qualification, unit and assessor), copied from the enrolment by the same refresh: a cohort's
figures are then one range of an index, where reading them through the enrolments costs a
lookup per learner. These copies are plain integers, not foreign keys: they follow the
enrolment, which holds the constraints.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, false
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.db import UTCDateTime, db, utcnow

NOT_STARTED, CLAIMED, MET = 0, 1, 2

# The enrolment's attributes the dashboard filters by, copied onto each derived row.
SCOPE = ("cohort_id", "qualification_id", "unit_id", "assessor_id")


def scope_indexes(table: str, *covered: str) -> tuple[Index, ...]:
    """An index per filter: the provider, the filter's column, then what the figures read,
    so that a filtered figure reads one range of one index and nothing else."""
    return tuple(
        Index(f"ix_{table}_provider_{column}", "provider_id", column,
              *(c for c in covered if c != column))
        for column in SCOPE
    )  # fmt: skip


class EnrolmentProgress(db.Model):
    __tablename__ = "enrolment_progress"
    __table_args__ = (
        Index("ix_enrolment_progress_provider_last_activity", "provider_id", "last_activity_at"),
        *scope_indexes("enrolment_progress"),
    )

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    cohort_id: Mapped[int | None]
    qualification_id: Mapped[int | None]
    unit_id: Mapped[int | None]
    assessor_id: Mapped[int | None]
    starts_on: Mapped[date | None]
    planned_end_on: Mapped[date | None]
    criteria_total: Mapped[int] = mapped_column(default=0)
    criteria_claimed: Mapped[int] = mapped_column(default=0)
    criteria_met: Mapped[int] = mapped_column(default=0)
    items: Mapped[int] = mapped_column(default=0)
    awaiting_marking: Mapped[int] = mapped_column(default=0)
    oldest_awaiting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Items returned for rework two or more times.
    items_returned_twice: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off: Mapped[bool] = mapped_column(default=False)
    countersigned: Mapped[bool] = mapped_column(default=False)
    # Countersigned, then a sampled decision sent back: the sign-off is under IQA review.
    under_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Breaks in learning (portfolio.apprenticeships.breaks), which expected progress leaves
    # out: the days of those that have ended, and the start and reason of one still going.
    break_days: Mapped[int] = mapped_column(default=0, server_default="0")
    break_since: Mapped[date | None]
    break_reason: Mapped[str | None] = mapped_column(String(500))
    # Off-the-job hours (portfolio.apprenticeships.hours), in minutes: planned (None where
    # the enrolment is not an apprenticeship), logged (awaiting verification and verified)
    # and verified.
    otj_planned_minutes: Mapped[int | None]
    otj_logged_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    otj_verified_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    # Progress reviews of an apprenticeship (portfolio.apprenticeships.reviews_due): the day
    # the last signed one was held (None before the first), and the day the next is due
    # (None while a break with no end pauses it, and where the enrolment is not an
    # apprenticeship). Overdue, once that day has passed.
    last_review_on: Mapped[date | None]
    review_due_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CriterionState(db.Model):
    """Where one enrolment stands on one criterion: not started, claimed or met."""

    __tablename__ = "criterion_state"
    __table_args__ = (
        Index("ix_criterion_state_criterion_state", "criterion_id", "state"),
        *scope_indexes("criterion_state", "criterion_id", "unit_id", "state"),
    )

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), primary_key=True)
    state: Mapped[int] = mapped_column(SmallInteger, default=NOT_STARTED)
    provider_id: Mapped[int | None]
    cohort_id: Mapped[int | None]
    qualification_id: Mapped[int | None]
    unit_id: Mapped[int | None]
    assessor_id: Mapped[int | None]
