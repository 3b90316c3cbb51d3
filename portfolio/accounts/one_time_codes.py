"""Two-factor authentication's codes: the authenticator app's, and single-use recovery codes.

An authenticator app's codes are TOTP (RFC 6238, by pyotp): six digits for each 30-second
time step, accepted one step either side of now for a phone whose clock drifts (pyotp's
``valid_window=1``), and never twice: the step of the last code accepted is kept, and only a
code of a later step is accepted, by a conditional UPDATE, so that two requests sending one
code cannot both succeed.

Recovery codes, for a lost phone: ten, each 16 random characters (80 bits) shown once, in
four groups of four. The database keeps the SHA-256 of each, not the code: a code is random
and long, so a slow hash such as Argon2 (right for passwords, which people choose and which
can be guessed) adds nothing against someone guessing from a copy of the database, and the
digest finds a code in one indexed look-up, as the emailed links' tokens are found
(``accounts.tokens``). Each works once.

Wrong codes are throttled as wrong passwords are: counted per account in the table that
counts refused sign-ins, under a key of their own, with the same limits
(SIGNIN_MAX_FAILURES in SIGNIN_WINDOW_MINUTES).
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import pyotp
import segno
from flask import current_app
from sqlalchemy import ForeignKey, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.accounts.auth import Throttled
from portfolio.accounts.models import Role, SignInFailure, User
from portfolio.accounts.two_factor import required_by_role
from portfolio.audit import trail as audit
from portfolio.db import UTCDateTime, db, utcnow
from portfolio.errors import DomainError

RECOVERY_CODE_COUNT = 10
# Crockford's base32 alphabet: no i, l, o or u to misread; 16 characters are 80 bits.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RECOVERY_LENGTH = 16
_MISREAD = str.maketrans({"i": "1", "l": "1", "o": "0"})

WRONG_CODE = "That code is not right. Enter the 6-digit code your authenticator app shows now."
WRONG_CODE_OR_RECOVERY = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now, or one "
    "of your recovery codes that has not been used."
)


class RecoveryCode(db.Model):
    """One of a person's single-use recovery codes, kept as its SHA-256."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def new_secret() -> str:
    """A new authenticator secret: 32 base32 characters (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=f"Portfolio ({user.provider.name})"
    )


def qr_code(uri: str) -> str:
    """The QR code of ``uri`` as a data: URI of an SVG image (the pages' content security
    policy allows images from data: and nothing inline)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def grouped(text: str, size: int = 4) -> str:
    """A secret or code in groups of four, easier to read out and type."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def normalise(code: str) -> str:
    """A code as typed, without spaces or hyphens, lower-case, with o, i and l read as digits."""
    return "".join(code.split()).replace("-", "").lower().translate(_MISREAD)


def _step_of(secret: str, code: str, now: datetime) -> int | None:
    """The time step, of the one before now, now's and the one after, whose code this is."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _now() -> datetime:
    return datetime.now(UTC)


def accept_app_code(user: User, code: str) -> bool:
    """Whether ``code`` is the authenticator's for now and of a later step than any accepted
    before; if so, its step is recorded (flushed), so it is not accepted again."""
    code = normalise(code)
    if user.totp_secret is None or len(code) != 6 or not code.isdigit():
        return False
    step = _step_of(user.totp_secret, code, _now())
    if step is None:
        return False
    taken = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return False
    db.session.refresh(user, ["totp_last_step"])
    return True


def use_recovery_code(user: User, code: str) -> bool:
    """Whether ``code`` is one of the person's unused recovery codes; if so it is used up."""
    code = normalise(code)
    if len(code) != _RECOVERY_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii", "replace")).hexdigest()


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _issue_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes in place of any the person had; returned once, as shown."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    db.session.flush()
    return [grouped(c).replace(" ", "-") for c in codes]


# Throttling wrong codes: the key counts one account's failures.
def _key(user: User) -> str:
    return f"second-factor:{user.id}"


def check_throttle(user: User) -> None:
    """Raise Throttled when the account has given too many wrong codes lately."""
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["SIGNIN_WINDOW_MINUTES"])
    failures = db.session.scalar(
        select(func.count())
        .select_from(SignInFailure)
        .where(SignInFailure.key == _key(user), SignInFailure.at > since)
    )
    if failures >= cfg["SIGNIN_MAX_FAILURES"]:
        raise Throttled(cfg["SIGNIN_WINDOW_MINUTES"])


def _refuse(user: User, address: str | None, where: str) -> None:
    """Count and audit a wrong code; the caller commits, then shows the refusal."""
    db.session.add(SignInFailure(key=_key(user)))
    audit.record(
        "two_factor.failed", provider_id=user.provider_id, actor=None, object_type="user",
        object_id=user.id, after={"address": address, "where": where},
        summary=f"A wrong two-factor code was given for {user.email} ({where})",
    )  # fmt: skip


def _forget_failures(user: User) -> None:
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == _key(user)))


def check_sign_in_code(user: User, code: str, address: str | None) -> str | None:
    """The second factor at sign-in: "app" for the authenticator's code, "recovery" for a
    recovery code (used up), or None for a wrong one, which is counted and audited.

    Raises Throttled, checking nothing, when the account has given too many wrong codes."""
    check_throttle(user)
    if accept_app_code(user, code):
        kind = "app"
    elif use_recovery_code(user, code):
        kind = "recovery"
    else:
        _refuse(user, address, "sign-in")
        return None
    _forget_failures(user)
    if kind == "recovery":
        left = remaining_recovery_codes(user)
        audit.record(
            "two_factor.recovery_code_used", provider_id=user.provider_id, actor=user,
            object_type="user", object_id=user.id, after={"address": address, "left": left},
            summary=f"{user.name} signed in with a recovery code ({left} left)",
        )  # fmt: skip
    else:
        audit.record(
            "sign_in.second_factor", provider_id=user.provider_id, actor=user,
            object_type="user", object_id=user.id, after={"address": address},
            summary=f"{user.name} gave their authenticator's code",
        )  # fmt: skip
    return kind


def _require_app_code(user: User, code: str, address: str | None, where: str) -> None:
    """For changes a signed-in person makes: a current authenticator code, throttled and
    audited as at sign-in. Raises Throttled, or DomainError on the ``code`` field."""
    check_throttle(user)
    if not accept_app_code(user, code):
        _refuse(user, address, where)
        raise DomainError(WRONG_CODE, field="code")
    _forget_failures(user)


def set_up(user: User, secret: str, code: str, address: str | None) -> list[str]:
    """Turn two-factor authentication on with the authenticator ``secret`` the person added,
    once ``code`` shows the app makes its codes; returns the ten new recovery codes.

    Raises DomainError on the ``code`` field when the code is not the secret's for now."""
    if user.two_factor_enabled:
        raise DomainError("Two-factor authentication is already set up for your account.")
    code = normalise(code)
    step = _step_of(secret, code, _now()) if len(code) == 6 and code.isdigit() else None
    if step is None:
        raise DomainError(
            "That code is not right. Check the app shows Portfolio with your email address, "
            "and enter the 6-digit code it shows now.",
            field="code",
        )
    user.totp_secret = secret
    user.totp_last_step = step
    user.two_factor_since = utcnow()
    codes = _issue_recovery_codes(user)
    audit.record(
        "two_factor.set_up", provider_id=user.provider_id, actor=user, object_type="user",
        object_id=user.id, after={"address": address, "recovery_codes": len(codes)},
        summary=f"{user.name} set up two-factor authentication",
    )  # fmt: skip
    return codes


def regenerate_recovery_codes(user: User, code: str, address: str | None) -> list[str]:
    """Ten new recovery codes in place of the old, which stop working; needs a current
    authenticator code. Raises Throttled or DomainError."""
    if not user.two_factor_enabled:
        raise DomainError("Set up two-factor authentication first.")
    _require_app_code(user, code, address, "new recovery codes")
    codes = _issue_recovery_codes(user)
    audit.record(
        "two_factor.recovery_codes_regenerated", provider_id=user.provider_id, actor=user,
        object_type="user", object_id=user.id, after={"address": address},
        summary=f"{user.name} made new recovery codes; the old ones no longer work",
    )  # fmt: skip
    return codes


def turn_off(user: User, code: str, address: str | None) -> None:
    """Turn the person's two-factor authentication off, when their role does not require
    it; needs a current authenticator code. Raises Throttled or DomainError."""
    if not user.two_factor_enabled:
        raise DomainError("Two-factor authentication is not set up for your account.")
    if required_by_role(user):
        raise DomainError(
            f"{user.provider.name} requires two-factor authentication of every "
            f"{user.role.label.lower()}, so it cannot be turned off."
        )
    _require_app_code(user, code, address, "turning off")
    _clear(user)
    audit.record(
        "two_factor.turned_off", provider_id=user.provider_id, actor=user, object_type="user",
        object_id=user.id, after={"address": address},
        summary=f"{user.name} turned two-factor authentication off",
    )  # fmt: skip


def reset_by_admin(admin: User, user: User) -> None:
    """A provider admin removes a person's authenticator and recovery codes, for a lost phone:
    every session of theirs ends, and they set it up again if their role requires it (or
    may, if it does not) at their next sign-in. Audited."""
    if admin.role is not Role.ADMIN or admin.provider_id != user.provider_id:
        raise DomainError("Only the person's provider admin can reset their two-factor sign-in.")
    if not user.two_factor_enabled:
        raise DomainError(f"{user.name} has not set up two-factor authentication.")
    _clear(user)
    user.rotate_session_token()
    _forget_failures(user)
    db.session.flush()
    audit.record(
        "two_factor.reset", provider_id=user.provider_id, actor=admin, object_type="user",
        object_id=user.id, learner_id=user.id if user.role is Role.LEARNER else None,
        after={"must_set_up_again": required_by_role(user)},
        summary=f"{admin.name} reset {user.name}'s two-factor authentication",
    )  # fmt: skip


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.two_factor_since = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
