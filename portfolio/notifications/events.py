"""Telling people what happened: the domain operations call ``notify`` themselves, with the
facts they already hold, as they call the audit trail.

Each event is one INSERT however many people it tells (the rows come back with their ids in
the same statement), then one read of those who chose email at once and, if any did, one
update marking theirs emailed (``portfolio.notifications.email``)."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, literal, select, update

from portfolio.accounts.models import Role, User
from portfolio.db import db, utcnow
from portfolio.notifications import email
from portfolio.notifications.kinds import KINDS
from portfolio.notifications.models import Notification


def notify(
    provider_id: int, recipients: Iterable[int | None], kind: str, **facts: Any
) -> list[int]:
    """Tell these people (user ids; None, for a role not yet assigned, is left out) of an
    event of ``kind`` with its facts; returns the new notifications' ids."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = sorted({person for person in recipients if person is not None})
    if not people:
        return []
    now = utcnow()
    ids = db.session.scalars(
        insert(Notification).returning(Notification.id),
        [
            {"provider_id": provider_id, "recipient_id": person, "kind": kind, "facts": facts,
             "created_at": now}
            for person in people
        ],
    ).all()  # fmt: skip
    _email_at_once(ids)
    return ids


def notify_admins(provider_id: int, kind: str, *, once_key: str | None = None,
                  email: bool = True, **facts: Any) -> list[int]:  # fmt: skip
    """Tell every active admin of the provider, in one statement that finds them and adds a
    row each. With ``once_key``, an admin already told of this occasion is not told again;
    with ``email`` false, no one is emailed at once (the page and the digest still tell)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = utcnow()
    admins = select(
        User.provider_id, User.id, literal(kind), literal(facts, Notification.facts.type),
        literal(once_key, Notification.once_key.type), literal(now, Notification.created_at.type),
    ).where(User.provider_id == provider_id, User.role == Role.ADMIN, User.active.is_(True))  # fmt: skip
    if once_key is not None:
        told = select(Notification.id).where(
            Notification.recipient_id == User.id, Notification.once_key == once_key
        )
        admins = admins.where(~told.exists())
    ids = db.session.scalars(
        insert(Notification)
        .from_select(
            ["provider_id", "recipient_id", "kind", "facts", "once_key", "created_at"], admins
        )
        .returning(Notification.id)
    ).all()
    if email:
        _email_at_once(ids)
    return ids


def _email_at_once(ids: list[int]) -> None:
    if ids:
        email.send_at_once(ids)


def settle(person_id: int, kind: str, **about: int) -> None:
    """Mark read the person's unread notifications of ``kind`` about one thing (``item=5``,
    a fact its link uses): what they asked the person to do is done, so the list and the
    daily digest stop asking. One statement, on the index of unread notifications."""
    ((fact, value),) = about.items()
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == person_id, Notification.read_at.is_(None),
               Notification.kind == kind, Notification.facts[fact].as_integer() == value)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )  # fmt: skip
