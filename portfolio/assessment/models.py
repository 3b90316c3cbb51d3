"""Assessment decisions, declarations, unit sign-offs and IQA sampling."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.db import UTCDateTime, db, enum_column, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import EvidenceItem
from portfolio.units.models import Criterion


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"
    RETURNED = "returned"


class SampleStatus(enum.StrEnum):
    OPEN = "open"
    AGREED = "agreed"
    ACTIONS_REQUIRED = "actions_required"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "open": "Awaiting IQA review",
            "agreed": "Agreed",
            "actions_required": "Sent back with actions",
            "closed": "Closed after assessor's response",
        }[self.value]


class Decision(db.Model):
    """An assessor's judgement of one version of an evidence item."""

    __tablename__ = "decision"
    __table_args__ = (
        Index(
            "ix_decision_provider_decided",
            "provider_id",
            "decided_at",
            "assessor_id",
            "unit_id",
            "enrolment_id",
            "marking_days",
        ),
        # For an awarding body: the decisions of its enrolments, by time.
        Index(
            "ix_decision_enrolment_decided",
            "enrolment_id",
            "decided_at",
            "assessor_id",
            "unit_id",
            "marking_days",
        ),
        # For a cohort or a qualification: its decisions, by time, read from the index alone.
        *(
            Index(f"ix_decision_provider_{column}_decided", "provider_id", column, "decided_at",
                  "assessor_id", "unit_id", "marking_days", "id")
            for column in ("cohort_id", "qualification_id")
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    version_number: Mapped[int]
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "decision_outcome"))
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_html: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Working days from submission to this decision, for marking time against the target.
    marking_days: Mapped[int] = mapped_column(default=0, server_default="0")
    # The item's enrolment and unit, copied so that workload and sampling figures over
    # many thousands of decisions need no joins (neither ever changes for an item).
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # The enrolment's cohort and qualification, which can change: copied, and kept in step
    # with the enrolment, as its progress rows are (portfolio.progress.refresh).
    cohort_id: Mapped[int | None]
    qualification_id: Mapped[int | None]

    # The backref lets evidence pages show decisions without the evidence package
    # depending on this one.
    item: Mapped[EvidenceItem] = relationship(
        backref=backref("decisions", order_by="(Decision.decided_at, Decision.id)")
    )
    assessor: Mapped[User] = relationship()
    judgements: Mapped[list["CriterionJudgement"]] = relationship(back_populates="decision")


class CriterionJudgement(db.Model):
    """Met or not yet met, for one criterion, in one decision."""

    __tablename__ = "criterion_judgement"
    __table_args__ = (
        UniqueConstraint("decision_id", "criterion_id"),
        # Whether a decision met any criterion, read from the index alone.
        Index("ix_criterion_judgement_decision_met", "decision_id", "met"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), index=True)
    met: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    # The learner did not claim it; the assessor mapped the evidence to it.
    added_by_assessor: Mapped[bool] = mapped_column(default=False)

    decision: Mapped[Decision] = relationship(back_populates="judgements")
    criterion: Mapped[Criterion] = relationship()


class Declaration(db.Model):
    """The learner's declaration that the evidence is their own work."""

    __tablename__ = "declaration"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    manifest_hash: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict] = mapped_column(JSON)

    learner: Mapped[User] = relationship()


class SignOff(db.Model):
    """The assessor's sign-off of a unit, and the IQA's countersignature."""

    __tablename__ = "sign_off"
    __table_args__ = (
        # One sign-off in force per enrolment: a unit is signed off once only.
        Index(
            "uq_sign_off_enrolment_in_force",
            "enrolment_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    manifest_hash: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict] = mapped_column(JSON)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    countersign_hash: Mapped[str | None] = mapped_column(String(64))
    # Set when the IQA sends back a sampled decision of the countersigned unit: the sign-off
    # stands "under IQA review" until the assessor's response restores it or withdraws it.
    under_review_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship()
    declaration: Mapped[Declaration] = relationship()
    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    countersigned_by: Mapped[User | None] = relationship(foreign_keys=[countersigned_by_id])

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None

    @property
    def under_review(self) -> bool:
        return self.in_force and self.under_review_since is not None


class SamplingPlan(db.Model):
    """How much of each assessor's work the provider's IQAs sample, over what period."""

    __tablename__ = "sampling_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), unique=True)
    share_percent: Mapped[int] = mapped_column(default=25)
    new_assessor_share_percent: Mapped[int] = mapped_column(default=50)
    period_days: Mapped[int] = mapped_column(default=90)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def share_met(decisions: int, sampled: int, share: int) -> bool:
    """The plan's share of an assessor's decisions is sampled, and at least one of them."""
    return sampled >= 1 and 100 * sampled >= decisions * share


class Sample(db.Model):
    """A decision chosen for IQA review, with why it was chosen and what came of it."""

    __tablename__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), unique=True)
    iqa_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[SampleStatus] = mapped_column(
        enum_column(SampleStatus, "sample_status"), default=SampleStatus.OPEN, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    required_actions: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessor_response: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decision: Mapped[Decision] = relationship()
    iqa: Mapped[User] = relationship()
