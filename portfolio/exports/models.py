"""Portfolio documents: the signed PDF of a signed-off unit, made once and kept."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.assessment.models import SignOff
from portfolio.db import UTCDateTime, db, enum_column, utcnow
from portfolio.enrolments.models import Enrolment


class DocumentStatus(enum.StrEnum):
    PENDING = "pending"
    GENERATING = "generating"
    READY = "ready"
    FAILED = "failed"


class PortfolioDocument(db.Model):
    __tablename__ = "portfolio_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    sign_off_id: Mapped[int] = mapped_column(ForeignKey("sign_off.id"), unique=True)
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column(DocumentStatus, "document_status"), default=DocumentStatus.PENDING
    )
    manifest_hash: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the signed PDF exactly as issued: what /verify looks up.
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    stored_name: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int | None]
    pages: Mapped[int | None]
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    enrolment: Mapped[Enrolment] = relationship()
    sign_off: Mapped[SignOff] = relationship()

    @property
    def in_force(self) -> bool:
        """Its sign-off stands: this is the learner's current portfolio for the unit. Once the
        sign-off is withdrawn, the document is kept as issued but superseded."""
        return self.sign_off.withdrawn_at is None

    @property
    def under_review(self) -> bool:
        """In force, but a decision in it was sent back by the IQA and not yet answered."""
        return self.in_force and self.sign_off.under_review_since is not None
