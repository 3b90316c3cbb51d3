"""Invitations: a new account has no password until its person chooses one from an emailed link.

An admin adds a person; ``invite`` emails them a single-use link valid for seven days. The
admin can send a new one (the old stops working) or revoke it; the person follows it, chooses a
password under the usual rules, and is signed in. No admin ever types a person's password.
"""

from portfolio.accounts import tokens
from portfolio.accounts.models import Role, User
from portfolio.accounts.tokens import AccountToken, TokenPurpose
from portfolio.addresses import public_url
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.mail import send, send_many

EXPIRED_OR_USED = (
    "This invitation link has expired, has been used, or has been replaced by a newer one. "
    "Ask your training provider's administrator to send you a new invitation."
)


def invite(user: User, *, by: User | None) -> AccountToken:
    """Email ``user`` a link to choose their password, replacing any earlier invitation, and
    record it in the audit trail; ``by`` is the admin sending it (None from the shell).

    Refuses (DomainError) an account that already has a password or is not active. Flushes;
    the email is sent once the caller commits."""
    _check(user)
    resent = bool(tokens.pending_invitations([user.id]))
    row, token = tokens.issue(user, TokenPurpose.INVITATION, by=by)
    send(user, "invitation", provider_id=user.provider_id, **_email(user, row, token, by))
    audit.record_many(user.provider_id, [_sent(user, row, by, resent)])
    return row


def invite_many(users: list[User], *, by: User | None) -> list[AccountToken]:
    """``invite`` each of these people of one provider, in the same statements for one or a
    hundred, with one job delivering all their emails: for the learners an import adds.
    Refuses them all (DomainError) if one cannot be invited."""
    if not users:
        return []
    provider_id = users[0].provider_id
    if any(user.provider_id != provider_id for user in users):
        raise ValueError("invite_many invites the people of one provider")
    for user in users:
        _check(user)
    pending = tokens.pending_invitations([user.id for user in users])
    issued = tokens.issue_many(users, TokenPurpose.INVITATION, by=by)
    send_many(
        "invitation",
        [
            (user, _email(user, row, token, by))
            for user, (row, token) in zip(users, issued, strict=True)
        ],
        provider_id=provider_id,
    )
    audit.record_many(
        provider_id,
        [
            _sent(user, row, by, user.id in pending)
            for user, (row, _) in zip(users, issued, strict=True)
        ],
    )
    return [row for row, _ in issued]


def _check(user: User) -> None:
    if user.password_hash is not None:
        raise DomainError(f"{user.name} has already chosen a password: they can sign in.")
    if not user.is_active:
        raise DomainError(
            f"{user.name}'s account is not active: make it active before inviting them."
        )


def _email(user: User, row: AccountToken, token: str, by: User | None) -> dict:
    """The invitation email's context."""
    return {
        "accept_url": public_url("invitations.accept", token=token),
        "expires_at": row.expires_at, "time_zone": user.provider.time_zone,
        "inviter_name": by.name if by is not None else "An administrator",
        "provider_name": user.provider.name, "role_label": _role_phrase(user.role),
    }  # fmt: skip


def _sent(user: User, row: AccountToken, by: User | None, resent: bool) -> audit.Entry:
    return audit.Entry(
        "account.invitation_sent", "user", actor=by, object_id=user.id,
        learner_id=user.id if user.role is Role.LEARNER else None,
        after={"email": user.email, "expires_at": row.expires_at, "resent": resent},
        summary=f"{'Sent a new' if resent else 'Sent an'} invitation to {user.name}",
    )  # fmt: skip


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
    user = tokens.choose_password(find(token), password, EXPIRED_OR_USED)
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
