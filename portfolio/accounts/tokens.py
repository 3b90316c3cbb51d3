"""Single-use links emailed to a person: an invitation to choose a password, a password reset.

The link holds a random token; the database keeps only its SHA-256, so a copy of the
database (a backup, a read replica) holds no link that works. A token works once, until it
expires, and a newer one of the same purpose for the same person replaces it.
"""

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.accounts.passwords import hash_password, password_problem
from portfolio.db import UTCDateTime, db, enum_column, utcnow
from portfolio.errors import DomainError


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a purpose, not a password)


LIFETIMES = {
    TokenPurpose.INVITATION: timedelta(days=7),
    TokenPurpose.PASSWORD_RESET: timedelta(hours=1),
}


class AccountToken(db.Model):
    """One emailed link: whose, what for, until when, and whether it has been used."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "token_purpose", 20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the link was followed to the end; or when it stopped working before that, because
    # a newer link replaced it or an admin revoked it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The admin who sent an invitation; None for a reset the person asked for.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def usable(self, now: datetime | None = None) -> bool:
        return (
            self.used_at is None and self.revoked_at is None and (now or utcnow()) < self.expires_at
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: User, purpose: TokenPurpose, *, by: User | None = None) -> tuple[AccountToken, str]:
    """A new token for ``user``, replacing any they hold for the same purpose; returns the row
    (flushed) and the token itself, which exists nowhere else once the link is sent."""
    return issue_many([user], purpose, by=by)[0]


def issue_many(
    users: list[User], purpose: TokenPurpose, *, by: User | None = None
) -> list[tuple[AccountToken, str]]:
    """``issue`` for each of these people, in the same statements for one or a few hundred."""
    if not users:
        return []
    _revoke([user.id for user in users], purpose)
    now = utcnow()
    issued = []
    for user in users:
        token = secrets.token_urlsafe(32)
        row = AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
            created_by_id=by.id if by is not None else None,
        )
        issued.append((row, token))
    db.session.add_all(row for row, _ in issued)
    db.session.flush()
    return issued


def revoke_all(user: User, purpose: TokenPurpose) -> int:
    """Stop every unused token of the user's for this purpose from working; returns how many."""
    return _revoke([user.id], purpose)


def _revoke(user_ids: list[int], purpose: TokenPurpose) -> int:
    return db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id.in_(user_ids),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount


def find(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The usable token row for this link, with its user, or None (unknown, used, revoked,
    expired, or the account is inactive)."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(AccountToken)
        .where(AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose)
        .options(joinedload(AccountToken.user))
    )
    if row is None or not row.usable() or not row.user.is_active:
        return None
    return row


def use(row: AccountToken) -> bool:
    """Mark the token used; False when it was used or revoked meanwhile (the same link sent
    twice at once): the statement's condition, not the row read earlier, decides."""
    now = utcnow()
    used = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.id == row.id,
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used:
        row.used_at = now
    return used == 1


def choose_password(row: AccountToken | None, password: str, unusable: str) -> User:
    """Give the account of a link (its row from ``find``) the password its person chose, using
    the link up and ending every session of the account. Raises DomainError(``unusable``) when
    the link no longer works, or on the password field when the password is refused."""
    if row is None:
        raise DomainError(unusable)
    user = row.user
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="password")
    password_hash = hash_password(password)  # before the first write takes the lock
    if not use(row):
        raise DomainError(unusable)
    user.password_hash = password_hash
    user.rotate_session_token()
    return user


def pending_invitations(user_ids: list[int]) -> dict[int, AccountToken]:
    """The latest invitation of each of these people that has been neither used nor revoked
    (it may have expired), by user id: one statement."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(AccountToken)
        .where(
            AccountToken.user_id.in_(user_ids),
            AccountToken.purpose == TokenPurpose.INVITATION,
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
        .order_by(AccountToken.created_at)
    )
    return {row.user_id: row for row in rows}
