"""Resetting a forgotten password by an emailed link.

Asking gives the same answer whether or not the address has an account, and is throttled as
sign-in is: requests are counted per address asked for and per network address, in the
table that counts refused sign-ins, under keys of their own. The link works once, for an hour;
choosing the new password signs out every other session and is audited, as is each request
for an account (a request for an address with no account belongs to no provider's trail).
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from portfolio.accounts import tokens
from portfolio.accounts.auth import Throttled
from portfolio.accounts.models import Role, SignInFailure, User, normalise_email
from portfolio.accounts.tokens import TokenPurpose
from portfolio.addresses import public_url
from portfolio.audit import trail as audit
from portfolio.db import db, utcnow
from portfolio.mail import send

EXPIRED_OR_USED = (
    "This password reset link has expired or has been used. Ask for a new one: links work "
    "once, for an hour."
)


def _keys(email: str, address: str | None) -> tuple[str, str]:
    return f"reset-email:{email}", f"reset-addr:{address or 'unknown'}"


def check_throttle(email: str, address: str | None) -> None:
    """Raise Throttled past SIGNIN_MAX_FAILURES requests for one address asked for within the
    window (a mailbox is not flooded), or ten times as many from one network address."""
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["SIGNIN_WINDOW_MINUTES"])
    email_key, addr_key = _keys(email, address)
    counts = dict(
        db.session.execute(
            select(SignInFailure.key, func.count())
            .where(SignInFailure.key.in_([email_key, addr_key]), SignInFailure.at > since)
            .group_by(SignInFailure.key)
        ).all()
    )
    limit = cfg["SIGNIN_MAX_FAILURES"]
    if counts.get(email_key, 0) >= limit or counts.get(addr_key, 0) >= 10 * limit:
        raise Throttled(cfg["SIGNIN_WINDOW_MINUTES"])


def request_reset(email: str, address: str | None) -> None:
    """Email a reset link to the account with this address, if there is an active one with a
    password; otherwise do nothing, saying nothing. Raises Throttled before anything else
    when too many have been asked for. Flushes; the email is sent once the caller commits."""
    email = normalise_email(email)
    check_throttle(email, address)
    email_key, addr_key = _keys(email, address)
    db.session.add_all([SignInFailure(key=email_key), SignInFailure(key=addr_key)])
    user = db.session.scalar(select(User).where(User.email == email))
    # An invited person who has not accepted gets nothing: a reset would bypass an
    # invitation the admin revoked. Their invitation is what they need.
    if user is None or user.password_hash is None or not user.is_active:
        db.session.flush()
        return
    row, token = tokens.issue(user, TokenPurpose.PASSWORD_RESET)
    send(
        user, "password_reset", provider_id=user.provider_id,
        reset_url=public_url("password_reset.choose", token=token),
        expires_at=row.expires_at, time_zone=user.provider.time_zone,
        provider_name=user.provider.name,
    )  # fmt: skip
    audit.record(
        "account.password_reset_requested", provider_id=user.provider_id, actor=None,
        object_type="user", object_id=user.id,
        learner_id=user.id if user.role is Role.LEARNER else None,
        after={"address": address, "expires_at": row.expires_at},
        summary=f"A password reset link was emailed to {user.name}",
    )  # fmt: skip


def find(token: str) -> tokens.AccountToken | None:
    """The reset this link names, while it can still be used."""
    row = tokens.find(token, TokenPurpose.PASSWORD_RESET)
    if row is None or row.user.password_hash is None:
        return None
    return row


def reset_password(token: str, password: str, address: str | None) -> User:
    """Set a new password from a reset link, which this uses up; every session of the account
    ends (the caller signs this one in again), its sign-in failures are forgotten, and the
    reset is audited. Raises DomainError when the link no longer works or the password is
    refused."""
    user = tokens.choose_password(find(token), password, EXPIRED_OR_USED)
    # Failed sign-ins no longer count against the account (auth's key for it).
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == f"email:{user.email}"))
    db.session.flush()
    audit.record(
        "account.password_reset", provider_id=user.provider_id, actor=user, object_type="user",
        object_id=user.id, learner_id=user.id if user.role is Role.LEARNER else None,
        after={"address": address},
        summary=f"{user.name} chose a new password from a reset link; every other session ended",
    )  # fmt: skip
    return user
