"""The audit trail: one hash-linked chain of events per provider, appended to and never changed."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portfolio.accounts.models import ROLE_LABELS, Role, User
from portfolio.db import UTCDateTime, db, utcnow

ZERO_HASH = "0" * 64

# The kinds of object whose trail has a page of its own, with how the page names them.
OBJECT_TYPES = {
    "evidence": "Evidence item",
    "enrolment": "Enrolment",
    "sample": "IQA sample",
    "sampling_plan": "Sampling plan",
    "user": "Account",
}


class AuditEvent(db.Model):
    """Who did what to which object, when, and what it looked like before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (
        # Two writers that both read the same last event cannot both append after it.
        UniqueConstraint("provider_id", "seq"),
        Index("ix_audit_event_object_type_object_id", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    seq: Mapped[int]
    # None for a failed sign-in with an unknown email address, or the system itself.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # The learner the event concerns, so that a learner's whole trail is one query.
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    summary: Mapped[str] = mapped_column(String(300), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    learner: Mapped[User | None] = relationship(foreign_keys=[learner_id])

    @property
    def actor_role_label(self) -> str:
        """The actor's role when they acted, which may differ from their role today."""
        try:
            return ROLE_LABELS[Role(self.actor_role)]
        except ValueError:
            return self.actor_role or ""

    def __repr__(self) -> str:
        return f"<AuditEvent {self.provider_id}#{self.seq} {self.action}>"


class AuditEventChanged(Exception):
    """Raised when the application tries to change or delete an audit event."""


def _refuse(*_args, **_kwargs):
    raise AuditEventChanged("audit events are never changed or deleted")


event.listen(AuditEvent, "before_update", _refuse)
event.listen(AuditEvent, "before_delete", _refuse)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    # Mapper events do not see ORM-enabled update() and delete() statements, so refuse those too.
    if (state.is_update or state.is_delete) and state.bind_mapper is AuditEvent.__mapper__:
        _refuse()
