"""Sign-in: the user loader, credential checks and throttling of repeated failures."""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from portfolio.accounts import two_factor
from portfolio.accounts.models import SignInFailure, User, normalise_email
from portfolio.accounts.passwords import hash_password, needs_rehash, verify_password
from portfolio.audit import trail as audit
from portfolio.db import db, utcnow
from portfolio.extensions import login_manager
from portfolio.listing import whole_number

login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

# Verified against when the email address is unknown, so that a wrong address takes as
# long to refuse as a wrong password and timing does not reveal which accounts exist.
_dummy_hash: dict[str, str] = {}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user a session names as ``<id>:<session token>``: None when the token is no longer
    theirs (they signed out or changed their password), the account is inactive or expired,
    or the session has not given the second factor the account needs."""
    ident, _, token = user_id.partition(":")
    number = whole_number(ident)
    if number is None:
        return None
    # With the provider: every page shows times in its time zone (portfolio.dates).
    user = db.session.get(User, number, options=[joinedload(User.provider)])
    if user is None or user.session_token != token or not user.is_active:
        return None
    # A session that has not given the second factor the account needs now is refused.
    if not two_factor.session_allowed(user):
        return None
    return user


class Throttled(Exception):
    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


class AccessEnded(Exception):
    """The right password of an EQA whose time-limited access has ended: worth telling them,
    as only the account's holder knows the password."""

    def __init__(self, ended_on: date):
        super().__init__(ended_on)
        self.ended_on = ended_on


def _keys(email: str, address: str | None) -> tuple[str, str]:
    return f"email:{email}", f"addr:{address or 'unknown'}"


def check_throttle(email: str, address: str | None) -> None:
    """Raise Throttled when this account has failed too often lately, or has failed at all
    while its network address is past the address limit.

    The address limit slows a guesser to one guess per account and window without locking
    out an account that has not failed: everyone behind one proxy or NAT shares an address."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["SIGNIN_WINDOW_MINUTES"])
    since = utcnow() - window
    email_key, addr_key = _keys(email, address)
    counts = dict(
        db.session.execute(
            select(SignInFailure.key, func.count())
            .where(SignInFailure.key.in_([email_key, addr_key]), SignInFailure.at > since)
            .group_by(SignInFailure.key)
        ).all()
    )
    limit = cfg["SIGNIN_MAX_FAILURES"]
    account_failures = counts.get(email_key, 0)
    if account_failures >= limit or (account_failures and counts.get(addr_key, 0) >= 10 * limit):
        raise Throttled(cfg["SIGNIN_WINDOW_MINUTES"])


def authenticate(email: str, password: str, address: str | None) -> User | None:
    """The active user with these credentials, or None; failures are recorded for throttling.

    Raises Throttled before checking anything when the limit is reached.
    """
    email = normalise_email(email)
    check_throttle(email, address)
    user = db.session.scalar(select(User).where(User.email == email))
    # An invited person who has not chosen a password yet cannot sign in with any.
    if user is None or user.password_hash is None:
        if "hash" not in _dummy_hash:
            _dummy_hash["hash"] = hash_password("not a real password")
        verify_password(_dummy_hash["hash"], password)
        right = ok = False
    else:
        right = verify_password(user.password_hash, password)
        ok = right and user.is_active
    email_key, addr_key = _keys(email, address)
    if not ok:
        db.session.add_all([SignInFailure(key=email_key), SignInFailure(key=addr_key)])
        if user is not None:
            audit.record(
                "sign_in.failed", provider_id=user.provider_id, actor=None, object_type="user",
                object_id=user.id, after={"address": address},
                summary=f"Refused sign-in for {user.email}",
            )  # fmt: skip
            if right and user.active and user.access_expired():
                raise AccessEnded(user.access_expires_on)
        return None
    if needs_rehash(user.password_hash):  # hashed before the first write takes the lock
        user.password_hash = hash_password(password)
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == email_key))
    user.last_signed_in_at = utcnow()
    audit.record(
        "sign_in.succeeded", provider_id=user.provider_id, actor=user, object_type="user",
        object_id=user.id, after={"address": address}, summary=f"{user.name} signed in",
    )  # fmt: skip
    return user


def sign_out(user: User, address: str | None) -> None:
    """End every session of the account: a copy of its session cookie stops working too.

    The session cookie is signed but not stored, so forgetting it on this device alone
    would leave any copy valid; changing the token the cookie names refuses them all."""
    user.rotate_session_token()
    audit.record(
        "sign_out", provider_id=user.provider_id, actor=user, object_type="user",
        object_id=user.id, after={"address": address}, summary=f"{user.name} signed out",
    )  # fmt: skip
