"""Cohorts and enrolments: which learner works on which unit, with whom."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import Provider, User
from portfolio.db import UTCDateTime, db, utcnow
from portfolio.units.models import CriteriaSet, Qualification, Unit


class Cohort(db.Model):
    """A group of learners who start together, such as 'Contact centre apprentices, Sept 2026'."""

    __tablename__ = "cohort"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="cohort")


class Enrolment(db.Model):
    """A learner on one unit of a qualification, working to one version of its criteria."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("learner_id", "unit_id"),
        CheckConstraint("planned_end_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualification.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"), index=True)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    iqa_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date]
    planned_end_on: Mapped[date]
    # Set while a unit sign-off is in force: the evidence cannot change until it is withdrawn.
    locked: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    assessor: Mapped[User | None] = relationship(foreign_keys=[assessor_id])
    iqa: Mapped[User | None] = relationship(foreign_keys=[iqa_id])
    qualification: Mapped[Qualification] = relationship()
    unit: Mapped[Unit] = relationship()
    criteria_set: Mapped[CriteriaSet] = relationship()
    cohort: Mapped[Cohort | None] = relationship(back_populates="enrolments")


class OnboardingUpload(db.Model):
    """A CSV of learners from the provider's management information system, kept from its dry
    run until it is imported (portfolio.enrolments.onboarding)."""

    __tablename__ = "onboarding_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255))
    # The file as text (it is refused unless it is UTF-8), as it was uploaded.
    content: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when an admin confirms the import, which then runs as a background job.
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    import_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    # What the import did: rows by outcome, and the refused rows' numbers and reasons.
    result: Mapped[dict | None] = mapped_column(JSON)

    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    imported_by: Mapped[User | None] = relationship(foreign_keys=[imported_by_id])
