"""Off-the-job training hours: the entries a learner logs per enrolment, every version of each
entry with the assessor's decision on it, and the kinds of activity a provider adds to the
fixed list."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from portfolio.accounts.models import User
from portfolio.db import UTCDateTime, db, enum_column, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import EvidenceItem
from portfolio.units.models import Criterion

# The kinds of off-the-job activity every provider has, by code; a provider adds its own
# (OtjActivityKind), which entries name by id instead.
ACTIVITIES = {
    "taught": "Taught session (classroom, workshop or lecture)",
    "shadowing": "Shadowing",
    "mentoring": "Mentoring",
    "assignments": "Writing assignments",
    "online": "Online learning",
    "practical": "Practical training or role play",
    "visits": "Industry visits",
    "conferences": "Conferences or competitions",
}


class EntryStatus(enum.StrEnum):
    AWAITING = "awaiting"
    VERIFIED = "verified"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            "awaiting": "Awaiting verification",
            "verified": "Verified",
            "rejected": "Rejected",
        }[self.value]


class OtjActivityKind(db.Model):
    """A kind of off-the-job activity a provider adds to the fixed list."""

    __tablename__ = "otj_activity_kind"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OtjEntry(db.Model):
    """One stretch of off-the-job training on one day, as its current version says, with
    where the assessor's verification of that version stands.

    The current version's figures are copied here so that totals and the overlap check are
    aggregates over one table."""

    __tablename__ = "otj_entry"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR "
            "(start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute)",
            name="start_before_end",
        ),
        CheckConstraint(
            "(activity IS NULL) <> (activity_kind_id IS NULL)", name="one_kind_of_activity"
        ),
        Index("ix_otj_entry_enrolment_on", "enrolment_id", "on_date"),
        Index("ix_otj_entry_enrolment_status", "enrolment_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    on_date: Mapped[date]
    on = synonym("on_date")  # the day, by its shorter name
    # Minutes after midnight, in the provider's time zone; both None for a duration alone.
    start_minute: Mapped[int | None]
    end_minute: Mapped[int | None]
    minutes: Mapped[int]
    activity: Mapped[str | None] = mapped_column(String(30))  # a code of ACTIVITIES
    activity_kind_id: Mapped[int | None] = mapped_column(ForeignKey("otj_activity_kind.id"))
    learned: Mapped[str] = mapped_column(Text)
    status: Mapped[EntryStatus] = mapped_column(
        enum_column(EntryStatus, "otj_entry_status"), default=EntryStatus.AWAITING
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Raised on every change: a learner's edit and the assessor's decision cannot cross.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    enrolment: Mapped[Enrolment] = relationship()
    learner: Mapped[User] = relationship()
    activity_kind: Mapped[OtjActivityKind | None] = relationship()
    versions: Mapped[list["OtjEntryVersion"]] = relationship(
        back_populates="entry", order_by="OtjEntryVersion.number"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        secondary="otj_entry_criterion", order_by="Criterion.position"
    )
    evidence: Mapped[list[EvidenceItem]] = relationship(
        secondary="otj_entry_evidence", order_by="EvidenceItem.id"
    )

    @property
    def current(self) -> "OtjEntryVersion":
        return self.versions[-1]

    @property
    def activity_label(self) -> str:
        if self.activity_kind is not None:
            return self.activity_kind.name
        return ACTIVITIES.get(self.activity or "", self.activity or "")


class OtjEntryVersion(db.Model):
    """An entry as it stood, and the assessor's decision on it: a version that has been
    verified or rejected is never changed again; editing the entry makes a new one."""

    __tablename__ = "otj_entry_version"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("otj_entry.id"), index=True)
    number: Mapped[int]
    # The entry's fields, as the learner gave them: on, start_minute, end_minute, minutes,
    # activity, activity_kind_id, activity_label, learned, criteria and evidence (ids).
    content: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[EntryStatus] = mapped_column(
        enum_column(EntryStatus, "otj_version_status"), default=EntryStatus.AWAITING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[OtjEntry] = relationship(back_populates="versions")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class OtjEntryCriterion(db.Model):
    """A criterion an entry's learning relates to (of the entry's enrolment)."""

    __tablename__ = "otj_entry_criterion"

    entry_id: Mapped[int] = mapped_column(ForeignKey("otj_entry.id"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), primary_key=True)


class OtjEntryEvidence(db.Model):
    """An evidence item of the same enrolment an entry relates to."""

    __tablename__ = "otj_entry_evidence"

    entry_id: Mapped[int] = mapped_column(ForeignKey("otj_entry.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"), primary_key=True)
