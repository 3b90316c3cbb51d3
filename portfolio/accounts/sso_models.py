"""Single sign-on: a provider's OpenID Connect settings, and who signed in through it."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import Provider, Role, User
from portfolio.db import UTCDateTime, db, enum_column, utcnow


class SsoConnection(db.Model):
    """A provider's identity provider (Microsoft Entra ID, Google Workspace...): one each."""

    __tablename__ = "sso_connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    # The button reads "Sign in with <display_name>".
    display_name: Mapped[str] = mapped_column(String(100))
    # Exactly as the identity provider's discovery document names itself.
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    # Encrypted with a key derived from SECRET_KEY (accounts.sso.encrypt_secret).
    client_secret_encrypted: Mapped[str] = mapped_column(Text)
    # Accounts are made on first sign-in only in this role; None: never.
    new_account_role: Mapped[Role | None] = mapped_column(enum_column(Role, "sso_new_role", 16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    domains: Mapped[list["SsoDomain"]] = relationship(
        back_populates="connection", cascade="all, delete-orphan", order_by="SsoDomain.domain"
    )

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains]


class SsoDomain(db.Model):
    """An email domain whose people may sign in through a connection."""

    __tablename__ = "sso_domain"
    __table_args__ = (UniqueConstraint("connection_id", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("sso_connection.id"))
    # Lower-case, without "@": what an address's part after the "@" must equal.
    domain: Mapped[str] = mapped_column(String(253), index=True)

    connection: Mapped[SsoConnection] = relationship(back_populates="domains")


class SsoIdentity(db.Model):
    """The account a person's identity at an issuer (its ``sub`` claim) signs in to."""

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("provider_id", "issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
