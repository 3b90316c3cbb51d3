"""Evidence items, their versions, files, criterion claims and personal-data dismissals."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import Role, User
from portfolio.db import UTCDateTime, db, enum_column, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.units.models import Criterion


class EvidenceKind(enum.StrEnum):
    INCIDENT_LOG = "incident_log"
    CALL_NOTE = "call_note"
    STAR_ACCOUNT = "star_account"
    # Written by the assessor about the learner.
    OBSERVATION = "observation"
    PROFESSIONAL_DISCUSSION = "professional_discussion"
    WITNESS_TESTIMONY = "witness_testimony"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def by_assessor(self) -> bool:
        return self in ASSESSOR_KINDS


KIND_LABELS = {
    EvidenceKind.INCIDENT_LOG: "Incident log",
    EvidenceKind.CALL_NOTE: "Anonymised call notes",
    EvidenceKind.STAR_ACCOUNT: "STAR reflective account",
    EvidenceKind.OBSERVATION: "Observation record",
    EvidenceKind.PROFESSIONAL_DISCUSSION: "Professional discussion record",
    EvidenceKind.WITNESS_TESTIMONY: "Witness testimony",
}

LEARNER_KINDS = (EvidenceKind.INCIDENT_LOG, EvidenceKind.CALL_NOTE, EvidenceKind.STAR_ACCOUNT)
ASSESSOR_KINDS = (
    EvidenceKind.OBSERVATION,
    EvidenceKind.PROFESSIONAL_DISCUSSION,
    EvidenceKind.WITNESS_TESTIMONY,
)
# An apprentice's line manager writes witness testimony too, which the assessor then marks.
EMPLOYER_KINDS = (EvidenceKind.WITNESS_TESTIMONY,)


class EvidenceStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Submitted",
            "returned": "Returned for rework",
            "accepted": "Accepted",
        }[self.value]


class EvidenceItem(db.Model):
    """One piece of a learner's evidence for one enrolment; its content lives in versions."""

    __tablename__ = "evidence_item"
    __table_args__ = (
        # The items waiting to be marked, oldest first (an assessor's queue and its oldest
        # item), on PostgreSQL, which otherwise walks every item in the order submitted.
        # Not on SQLite: its planner, without statistics, would take it for the lookups of a
        # learner's or an enrolment's items, which their own indexes answer far better.
        Index("ix_evidence_item_status_submitted", "status", "submitted_at").ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "evidence_kind", 30))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[EvidenceStatus] = mapped_column(
        enum_column(EvidenceStatus, "evidence_status"), default=EvidenceStatus.DRAFT, index=True
    )
    # A STAR account may reflect on one of the learner's incident logs.
    linked_item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_item.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Raised on every change: two people saving the same item at once cannot both win.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    # Possible personal data in the title and the current version's text, less what the
    # learner dismissed: counted by the evidence operations that change either, for the
    # learner's to-do list.
    personal_data_open: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __mapper_args__ = {"version_id_col": lock_version}

    enrolment: Mapped[Enrolment] = relationship()
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    linked_item: Mapped["EvidenceItem | None"] = relationship(remote_side=[id])
    versions: Mapped[list["EvidenceVersion"]] = relationship(
        back_populates="item", order_by="EvidenceVersion.number"
    )
    files: Mapped[list["EvidenceFile"]] = relationship(
        back_populates="item", order_by="EvidenceFile.uploaded_at"
    )
    claims: Mapped[list["CriterionClaim"]] = relationship(back_populates="item")

    @property
    def by_employer(self) -> bool:
        """A witness testimony the apprentice's line manager wrote: submitted to the assessor
        and marked as the learner's evidence is, not confirmed as the assessor's records are."""
        return self.created_by.role is Role.EMPLOYER

    @property
    def current(self) -> "EvidenceVersion":
        return self.versions[-1]

    @property
    def editable(self) -> bool:
        return self.status in (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED)

    @property
    def decided_version(self) -> int | None:
        """The last version that was submitted, if any."""
        submitted = [v.number for v in self.versions if v.submitted_at is not None]
        return submitted[-1] if submitted else None

    @property
    def current_files(self) -> list["EvidenceFile"]:
        return [f for f in self.files if f.removed_in_version is None]


class EvidenceVersion(db.Model):
    """The content of an item as it stood; a submitted version is never changed again."""

    __tablename__ = "evidence_version"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    number: Mapped[int]
    content: Mapped[dict] = mapped_column(JSON)
    # Markdown fields rendered and sanitised once, when saved.
    html: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[EvidenceItem] = relationship(back_populates="versions")


_versions = EvidenceVersion.__table__.alias("versions")
# The number of an item's current version, for a statement about EvidenceItem that joins its
# versions too. Made once, here: its alias copies the table's columns the first time.
CURRENT_VERSION = (
    select(func.max(_versions.c.number))
    .where(_versions.c.item_id == EvidenceItem.id)
    .correlate(EvidenceItem)
    .scalar_subquery()
)


class EvidenceFile(db.Model):
    """A file attached to an item, stored outside any served folder under a random name."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300), default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_in_version: Mapped[int]
    removed_in_version: Mapped[int | None]

    item: Mapped[EvidenceItem] = relationship(back_populates="files")


class CriterionClaim(db.Model):
    """The learner's claim that an item shows a criterion, with where in it that shows."""

    __tablename__ = "criterion_claim"
    __table_args__ = (UniqueConstraint("item_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[EvidenceItem] = relationship(back_populates="claims")
    criterion: Mapped[Criterion] = relationship()


class PersonalDataDismissal(db.Model):
    """A personal-data finding the learner says is not personal, with their reason."""

    __tablename__ = "personal_data_dismissal"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    version_number: Mapped[int]
    field: Mapped[str] = mapped_column(String(100))
    finding_type: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    dismissed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SuggestionModel(db.Model):
    """A unit's criteria-suggestion model for one provider, learned from its assessors'
    decisions (``evidence/suggestion_training.py``), with how it did on the latest ones."""

    __tablename__ = "suggestion_model"
    __table_args__ = (UniqueConstraint("provider_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    examples: Mapped[int]
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The latest decisions (at most 100), ranked as they would have been with a model
    # learned from the decisions before them, and without any: how many had a met
    # criterion among the first three.
    evaluated: Mapped[int] = mapped_column(default=0)
    top3_hits: Mapped[int] = mapped_column(default=0)
    cold_top3_hits: Mapped[int] = mapped_column(default=0)
    model: Mapped[dict] = mapped_column(JSON)


class EvidenceMeaning(db.Model):
    """How close a version's text is in meaning to one criterion of its unit, as the job
    worker's sentence model read it (``suggestion_meaning.py``), and the learner's sentence
    closest to it."""

    __tablename__ = "evidence_meaning"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_version.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criterion.id", ondelete="CASCADE"), primary_key=True
    )
    closeness: Mapped[float]
    # Where the closest sentence starts and ends in the text the suggestions read.
    sentence_start: Mapped[int]
    sentence_end: Mapped[int]
    # The SHA-256 of the text read (the item's title and its version's fields, as the
    # suggestions read them): a reading is used for that text only.
    text_hash: Mapped[str] = mapped_column(String(64))
    # When the text read was last changed (its version's or its item's ``updated_at``): a
    # change after it, even one saved while the worker was reading, is read again.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EvidenceComment(db.Model):
    """A comment on an evidence item by the learner, their assessor or their line manager."""

    __tablename__ = "evidence_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    # The body rendered and sanitised once, when written (portfolio.text.render_markdown).
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
