"""Apprenticeships: employer organisations, an enrolment's apprenticeship, breaks in learning.

- ``Employer``: an organisation that employs apprentices, one of a provider's (a provider
  never sees another's). Its people are accounts with the role ``employer`` (line managers)
  whose ``User.employer_id`` names it.
- ``Apprenticeship``: makes one enrolment an apprenticeship (one to one): the programme (the
  apprenticeship standard), the employer, the line manager who sees it (an employer account
  of that employer) and the planned off-the-job training hours, entered per apprentice
  because the funding rules' minimum changes. Its start and planned end are the enrolment's
  own (``Enrolment.starts_on``, ``Enrolment.planned_end_on``), not copied here.
- ``BreakInLearning``: a pause agreed with the apprentice, from ``starts_on`` to ``ends_on``
  (both days in the break; None while it lasts). Expected progress, hours and review due
  dates leave its days out: ``portfolio.apprenticeships.breaks`` counts them.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import Provider, User
from portfolio.db import UTCDateTime, db, utcnow
from portfolio.enrolments.models import Enrolment


class Employer(db.Model):
    """An organisation that employs a provider's apprentices."""

    __tablename__ = "employer"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Who the provider deals with there (often not a line manager), and how to reach them.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()


class Apprenticeship(db.Model):
    """An enrolment that is an apprenticeship: its programme, employer and planned hours."""

    __tablename__ = "apprenticeship"
    __table_args__ = (CheckConstraint("planned_otj_hours >= 0", name="planned_otj_hours"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    # The apprenticeship standard, such as "Customer Service Practitioner (Level 2)".
    programme: Mapped[str] = mapped_column(String(200))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    # The apprentice's line manager: an account with the role employer at this employer.
    # They, and no other employer account, see the enrolment (enrolments.permissions).
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Off-the-job training hours agreed at the start, in whole hours.
    planned_otj_hours: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    employer: Mapped[Employer] = relationship()
    line_manager: Mapped[User | None] = relationship()


class BreakInLearning(db.Model):
    """A pause in an enrolment, agreed with the learner: illness, leave."""

    __tablename__ = "break_in_learning"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    # The first and last days of the break; no last day while it lasts.
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(String(500))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    def days(self, until: date) -> int:
        """Days of this break up to and including ``until``."""
        last = until if self.ends_on is None else min(self.ends_on, until)
        return max(0, (last - self.starts_on).days + 1)
