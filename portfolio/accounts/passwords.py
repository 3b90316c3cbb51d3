"""Password hashing (Argon2id) and the password policy.

The policy follows NCSC and NIST SP 800-63B: a minimum length, no composition rules, and
refusal of passwords that appear in lists of common passwords.
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 8
MAX_LENGTH = 256


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    # About 30,000 of the most used passwords, as zxcvbn ranks them; loaded when first needed.
    from zxcvbn.matching import RANKED_DICTIONARIES

    common = RANKED_DICTIONARIES["passwords"]
    lowered = password.lower()
    if lowered in common or lowered.strip() in common:
        return "This password is one of the most commonly used; choose something less guessable."
    if len(set(lowered)) <= 2:
        return "This password repeats too few characters; choose something less guessable."
    personal = {
        email.lower(),
        email.lower().split("@")[0],
        name.lower(),
        name.lower().replace(" ", ""),
    }
    if lowered in personal - {""}:
        return "Do not use your name or email address as your password."
    return None
