"""Outgoing email: one row per message, kept to deliver it and to show what was sent."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.db import UTCDateTime, db, utcnow


class OutgoingEmail(db.Model):
    """A message to one address, rendered when it was queued and delivered by a job.

    The bodies are erased once the message is sent: a message may carry a single-use link
    whose token is otherwise stored only as a hash (accounts.tokens)."""

    __tablename__ = "outgoing_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str | None] = mapped_column(String(200))
    # The template it was made from (mail/<template>.txt, .html, .subject.txt).
    template: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str | None] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<OutgoingEmail {self.id} {self.template} to {self.to_address!r}>"
