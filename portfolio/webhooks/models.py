"""Webhooks: the addresses a provider's own systems listen at, and each event sent to them."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from portfolio.accounts.models import Provider, User
from portfolio.db import UTCDateTime, db, utcnow

# The events a subscription may choose, in the order the admin's page lists them.
EVENTS = {
    "evidence.submitted": "A learner submits evidence for marking",
    "decision.recorded": "An assessor accepts or returns evidence, or confirms their own record",
    "unit.signed_off": "An assessor signs a unit off",
    "unit.countersigned": "An IQA countersigns a unit",
    "signoff.withdrawn": "An assessor withdraws a sign-off",
}


class WebhookSubscription(db.Model):
    """An address of a provider's system that is sent the events it chose, signed with its
    secret. The secret is kept encrypted (``accounts.sso.encrypt_secret``): it must be read
    again to sign each delivery, so a hash would not do."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret_encrypted: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    created_by: Mapped[User | None] = relationship()
    events: Mapped[list["WebhookEvent"]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan", order_by="WebhookEvent.id"
    )
    deliveries: WriteOnlyMapped["WebhookDelivery"] = relationship(
        back_populates="subscription", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def event_types(self) -> list[str]:
        return [e.event_type for e in self.events]


class WebhookEvent(db.Model):
    """One kind of event a subscription is sent: a row each, so that finding who is sent an
    event is one indexed statement."""

    __tablename__ = "webhook_event"
    __table_args__ = (UniqueConstraint("subscription_id", "event_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(40))

    subscription: Mapped[WebhookSubscription] = relationship(back_populates="events")


class WebhookDelivery(db.Model):
    """An event on its way to one subscription: the body sent, and how the last attempt went.
    Sending it again ("Send again") is a new job for the same delivery."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_subscription_created", "subscription_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    # The same for every subscription sent one event, so a receiver can tell a repeat.
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(40))
    # The whole body sent: {"id", "type", "created_at", "data"}.
    payload: Mapped[dict] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[WebhookSubscription] = relationship(back_populates="deliveries")

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None
