"""Progress reviews of an apprenticeship: the provider's reviewer, the apprentice and the
employer meet, look at what changed since the last review, set targets and each sign.

- ``ProgressReview``: one review of an enrolment, numbered from 1, with the facts gathered
  when it was started (``facts``: criteria met, evidence accepted and returned, off-the-job
  hours, the last review's targets), the reviewer's notes and the two other parties'
  comments. Draft until someone signs, signing until all three have, then signed.
- ``ReviewTarget``: what the apprentice is to do by a date. Targets still open (or carried)
  when a review is signed appear in the next one, where the reviewer records how each went.
- ``ReviewSignature``: who signed for which party, when, and the SHA-256 of what they
  signed (``portfolio.apprenticeships.reviews.signed_content``).
- ``ReviewDocument``: the signed PDF of a signed review, made once and kept; ``/verify``
  recognises it by its SHA-256 or by the review's content hash.
"""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.db import UTCDateTime, db, enum_column, utcnow
from portfolio.enrolments.models import Enrolment


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNING = "signing"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "signing": "Being signed", "signed": "Signed"}[self.value]


class Party(enum.StrEnum):
    """The three who sign a review, in the order the record shows them."""

    REVIEWER = "reviewer"
    APPRENTICE = "apprentice"
    EMPLOYER = "employer"

    @property
    def label(self) -> str:
        return {
            "reviewer": "Provider's reviewer",
            "apprentice": "Apprentice",
            "employer": "Employer",
        }[self.value]


class TargetState(enum.StrEnum):
    OPEN = "open"
    MET = "met"
    NOT_MET = "not_met"
    CARRIED = "carried"

    @property
    def label(self) -> str:
        return {
            "open": "Open",
            "met": "Met",
            "not_met": "Not met",
            "carried": "Carried forward",
        }[self.value]


# A target in one of these states when its review is signed appears in the next review.
CARRIED_STATES = (TargetState.OPEN, TargetState.CARRIED)


class ProgressReview(db.Model):
    """One progress review of an apprentice's enrolment."""

    __tablename__ = "progress_review"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "number"),
        # The last signed review of each apprenticeship, read from the index alone: when the
        # next is due (``reviews_due``), on every home page and the dashboard.
        Index("ix_progress_review_enrolment_status_held", "enrolment_id", "status", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    number: Mapped[int]
    # When it was due when started (the interval from the last signed review or the start,
    # breaks in learning left out), and the day the three met.
    due_on: Mapped[date | None]
    held_on: Mapped[date]
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "progress_review_status"), default=ReviewStatus.DRAFT
    )
    # What changed since the last review, gathered when this one was started (or refreshed
    # while still a draft): see ``reviews.gather_facts``.
    facts: Mapped[dict] = mapped_column(JSON)
    reviewer_notes: Mapped[str] = mapped_column(Text, default="")
    apprentice_comments: Mapped[str] = mapped_column(Text, default="")
    employer_comments: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the third signature was added.
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship()
    created_by: Mapped[User] = relationship()
    targets: Mapped[list["ReviewTarget"]] = relationship(
        back_populates="review", order_by="ReviewTarget.position"
    )
    signatures: Mapped[list["ReviewSignature"]] = relationship(
        back_populates="review", order_by="ReviewSignature.signed_at"
    )

    def signature(self, party: Party) -> "ReviewSignature | None":
        return next((s for s in self.signatures if s.party is party), None)

    def comments(self, party: Party) -> str:
        return {
            Party.REVIEWER: self.reviewer_notes,
            Party.APPRENTICE: self.apprentice_comments,
            Party.EMPLOYER: self.employer_comments,
        }[party]


class ReviewTarget(db.Model):
    """A target set or carried into a review."""

    __tablename__ = "progress_review_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("progress_review.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None]
    state: Mapped[TargetState] = mapped_column(
        enum_column(TargetState, "review_target_state"), default=TargetState.OPEN
    )
    # The previous review's target this one continues; None for a target set here.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("progress_review_target.id"))

    review: Mapped[ProgressReview] = relationship(back_populates="targets")


class ReviewSignature(db.Model):
    """One party's signature on a review."""

    __tablename__ = "progress_review_signature"
    __table_args__ = (UniqueConstraint("review_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("progress_review.id"), index=True)
    party: Mapped[Party] = mapped_column(enum_column(Party, "review_party"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # SHA-256 of the canonical JSON of what this party signed.
    content_sha256: Mapped[str] = mapped_column(String(64))

    review: Mapped[ProgressReview] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()


class ReviewDocumentStatus(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class ReviewDocument(db.Model):
    """The signed PDF of a signed review."""

    __tablename__ = "progress_review_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("progress_review.id"), unique=True)
    status: Mapped[ReviewDocumentStatus] = mapped_column(
        enum_column(ReviewDocumentStatus, "review_document_status"),
        default=ReviewDocumentStatus.PENDING,
    )
    # SHA-256 of the whole review as signed (``reviews.record_content``), printed on the PDF.
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # SHA-256 of the signed PDF exactly as issued: what /verify looks up.
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    stored_name: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int | None]
    pages: Mapped[int | None]
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    review: Mapped[ProgressReview] = relationship()

    @property
    def enrolment(self) -> Enrolment:
        return self.review.enrolment
