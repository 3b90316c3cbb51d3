"""Making, finding and revoking API tokens.

A token is ``pt_`` and 43 random URL-safe characters (256 bits). The database keeps its
SHA-256, which is enough to find it again: a secret this long needs no slow hash, and a copy
of the database holds no token that works.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from portfolio.accounts.models import User
from portfolio.api.models import ApiToken, TokenScope
from portfolio.audit import trail as audit
from portfolio.db import db, utcnow
from portfolio.errors import DomainError
from portfolio.text import check_line

PREFIX = "pt_"
NAME_LIMIT = 100
# A token's last use is written at most this often, so that a busy system's requests are
# not each a write.
LAST_USED_EVERY = timedelta(minutes=1)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(admin: User, name: str, scope: TokenScope) -> tuple[ApiToken, str]:
    """A new token of the admin's provider; returns the row (flushed) and the secret, which
    is shown once and kept nowhere."""
    name = name.strip()
    check_line(name, NAME_LIMIT, "Name", field="name")
    in_use = db.session.scalar(
        select(ApiToken.name).where(ApiToken.provider_id == admin.provider_id,
                                    ApiToken.revoked_at.is_(None),
                                    func.lower(ApiToken.name) == name.lower())
    )  # fmt: skip
    if in_use is not None:
        raise DomainError(f"A token called “{in_use}” is in use: give this one another name, so "
                          "that the two can be told apart.", field="name")  # fmt: skip
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        provider_id=admin.provider_id, name=name, scope=scope, token_hash=token_hash(secret),
        prefix=secret[:10], created_by_id=admin.id,
    )  # fmt: skip
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.created", provider_id=admin.provider_id, actor=admin, object_type="api_token",
        object_id=token.id, after={"name": name, "scope": scope.value, "prefix": token.prefix},
        summary=f"Created the API token “{name}” ({scope.label.lower()})",
    )  # fmt: skip
    return token, secret


def revoke_token(admin: User, token: ApiToken) -> None:
    """Stop the token working at once; refuses one already revoked."""
    if token.revoked_at is not None:
        raise DomainError(f"The token “{token.name}” was already revoked.")
    token.revoked_at, token.revoked_by_id = utcnow(), admin.id
    db.session.flush()
    audit.record(
        "api_token.revoked", provider_id=admin.provider_id, actor=admin, object_type="api_token",
        object_id=token.id, after={"name": token.name, "prefix": token.prefix},
        summary=f"Revoked the API token “{token.name}”",
    )  # fmt: skip


def provider_tokens(provider_id: int) -> list[ApiToken]:
    """The provider's tokens, those in use first, newest first, with who made them."""
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.provider_id == provider_id)
        .options(joinedload(ApiToken.created_by), joinedload(ApiToken.revoked_by))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def find(secret: str) -> ApiToken | None:
    """The token with this secret, if it has not been revoked, with its provider (whose time
    zone dates the figures)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    return db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.provider))
        .where(ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None))
    )


def mark_used(token: ApiToken) -> bool:
    """Stamp the token's last use unless it was stamped less than a minute ago; True when
    stamped (the caller commits)."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return False
    # Conditional on the stamp being old: two requests at once stamp it once.
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return True
