"""API tokens: how a provider's own systems (its MIS, its reporting) reach the REST API."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import Provider, User
from portfolio.db import UTCDateTime, db, enum_column, utcnow


class TokenScope(enum.StrEnum):
    READ = "read"
    READ_WRITE = "read_write"

    @property
    def label(self) -> str:
        return {"read": "Read only", "read_write": "Read and write"}[self.value]


class ApiToken(db.Model):
    """A bearer token of one provider. Only the SHA-256 of its secret is kept: the secret is
    shown once, when it is made, and cannot be read again."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, "api_token_scope"))
    # The SHA-256 of the secret, in hex: a request's token is found by it.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The secret's first characters, so an admin can tell which token a system holds.
    prefix: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Stamped at most once a minute (portfolio.api.tokens.LAST_USED_EVERY).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    provider: Mapped[Provider] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def writes(self) -> bool:
        return self.scope is TokenScope.READ_WRITE
