"""Notifications: what happened that a person should know of, and how they want it emailed."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.accounts.models import Role
from portfolio.db import UTCDateTime, db, enum_column, utcnow


class EmailChoice(enum.StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"

    @property
    def label(self) -> str:
        return {
            "immediately": "At once: an email for each notification",
            "daily": "A daily digest: one email a day listing what is new",
            "off": "Off: no email, only the list in Portfolio",
        }[self.value]


# What a person who has not chosen gets. Learners hear of few events and each asks them to
# act (evidence returned, a unit signed off), so at once; assessors and IQAs hear of every
# submission and sample of their caseload, so once a day; an admin's events are rare and
# urgent (a job failed, an EQA's access ending); an EQA is not notified of anything.
DEFAULT_CHOICE = {
    Role.LEARNER: EmailChoice.IMMEDIATELY,
    Role.ASSESSOR: EmailChoice.DAILY,
    Role.IQA: EmailChoice.DAILY,
    Role.ADMIN: EmailChoice.IMMEDIATELY,
    Role.EQA: EmailChoice.OFF,
    Role.EMPLOYER: EmailChoice.DAILY,
}


class Notification(db.Model):
    """One event told to one person: its kind and the facts its sentence is made of."""

    __tablename__ = "notification"
    __table_args__ = (
        # A person's list, newest first.
        Index("ix_notification_recipient_id_id", "recipient_id", "id"),
        # The unread count in every page's header: only unread rows are in this index.
        Index(
            "ix_notification_unread",
            "recipient_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
        # The daily digest: a provider's notifications not yet emailed nor read.
        Index(
            "ix_notification_to_email",
            "provider_id",
            "recipient_id",
            sqlite_where=text("emailed_at IS NULL AND read_at IS NULL"),
            postgresql_where=text("emailed_at IS NULL AND read_at IS NULL"),
        ),
        # A notification made by a daily check (an EQA's access ending) is made once per
        # person and occasion: the check names the occasion, and a second run adds nothing.
        UniqueConstraint("recipient_id", "once_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(40))
    # Names, titles and ids as they were when it happened (portfolio.notifications.kinds).
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    once_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationSetting(db.Model):
    """A person's choice of email for their notifications; without a row, their role's
    default (DEFAULT_CHOICE)."""

    __tablename__ = "notification_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    email: Mapped[EmailChoice] = mapped_column(enum_column(EmailChoice, "email_choice", 16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
