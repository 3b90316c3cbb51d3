"""Invitations: a new account has no password until its person chooses one from an emailed link.

An admin adds a person; ``invite`` emails them a single-use link valid for seven days. The
admin can send a new one (the old stops working) or revoke it; the person follows it, chooses a
password under the usual rules, and is signed in. No admin ever types a person's password.
"""

from portfolio.accounts import tokens
from portfolio.accounts.models import Role, User
from portfolio.accounts.passwords import hash_password, password_problem
from portfolio.accounts.tokens import AccountToken, TokenPurpose
from portfolio.addresses import public_url
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.mail import send

EXPIRED_OR_USED = (
    "This invitation link has expired, has been used, or has been replaced by a newer one. "
    "Ask your training provider's administrator to send you a new invitation."
)


def invite(user: User, *, by: User | None) -> AccountToken:
    """Email ``user`` a link to choose their password, replacing any earlier invitation, and
    record it in the audit trail; ``by`` is the admin sending it (None from the shell).

    Refuses (DomainError) an account that already has a password or is not active. Flushes;
    the email is sent once the caller commits."""
    if user.password_hash is not None:
        raise DomainError(f"{user.name} has already chosen a password: they can sign in.")
    if not user.is_active:
        raise DomainError(
            f"{user.name}'s account is not active: make it active before inviting them."
        )
    resent = bool(tokens.pending_invitations([user.id]))
    row, token = tokens.issue(user, TokenPurpose.INVITATION, by=by)
    send(
        user, "invitation", provider_id=user.provider_id,
        accept_url=public_url("invitations.accept", token=token),
        expires_at=row.expires_at, time_zone=user.provider.time_zone,
        inviter_name=by.name if by is not None else "An administrator",
        provider_name=user.provider.name, role_label=_role_phrase(user.role),
    )  # fmt: skip
    audit.record(
        "account.invitation_sent", provider_id=user.provider_id, actor=by, object_type="user",
        object_id=user.id, learner_id=user.id if user.role is Role.LEARNER else None,
        after={"email": user.email, "expires_at": row.expires_at, "resent": resent},
        summary=f"{'Sent a new' if resent else 'Sent an'} invitation to {user.name}",
    )  # fmt: skip
    return row


def revoke(user: User, *, by: User) -> None:
    """Stop the person's invitation link from working; audited. The account stays, without a
    password, until someone sends a new invitation."""
    if not tokens.revoke_all(user, TokenPurpose.INVITATION):
        raise DomainError(f"{user.name} has no invitation waiting to be accepted.")
    audit.record(
        "account.invitation_revoked", provider_id=user.provider_id, actor=by, object_type="user",
        object_id=user.id, learner_id=user.id if user.role is Role.LEARNER else None,
        summary=f"Revoked the invitation of {user.name}",
    )  # fmt: skip


def find(token: str) -> AccountToken | None:
    """The invitation this link names, while it can still be accepted."""
    row = tokens.find(token, TokenPurpose.INVITATION)
    if row is None or row.user.password_hash is not None:
        return None
    return row


def accept(token: str, password: str) -> User:
    """Set the invited person's password from their link, used up by this; audited. Raises
    DomainError when the link no longer works or the password is refused."""
    row = find(token)
    if row is None:
        raise DomainError(EXPIRED_OR_USED)
    user = row.user
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="password")
    password_hash = hash_password(password)  # before the first write takes the lock
    if not tokens.use(row):
        raise DomainError(EXPIRED_OR_USED)
    user.password_hash = password_hash
    user.rotate_session_token()
    db.session.flush()
    audit.record(
        "account.invitation_accepted", provider_id=user.provider_id, actor=user,
        object_type="user", object_id=user.id,
        learner_id=user.id if user.role is Role.LEARNER else None,
        summary=f"{user.name} accepted their invitation and chose a password",
    )  # fmt: skip
    return user


def _role_phrase(role: Role) -> str:
    """'a learner', 'an internal quality assurer (IQA)': the role as the email says it."""
    label = role.label.lower().replace("(iqa)", "(IQA)").replace("(eqa,", "(EQA,")
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
