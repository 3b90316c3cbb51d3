"""A person's notifications: the unread count of every page's header, the list, marking read."""

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, func, select, update

from portfolio.accounts.models import User
from portfolio.db import db, utcnow
from portfolio.listing import paginate
from portfolio.notifications.kinds import KINDS, Kind
from portfolio.notifications.models import Notification

# The header counts no further: "99+" says enough, and the count stays one short index read
# for someone who never reads them.
COUNT_LIMIT = 100


# Every page's header reads it: built once, run with the person's id bound
# (docs/performance.md, "Statements built once").
_UNREAD = select(func.count()).select_from(
    select(Notification.id)
    .where(Notification.recipient_id == bindparam("user_id"), Notification.read_at.is_(None))
    .limit(COUNT_LIMIT)
    .subquery()
)


def unread_count(user_id: int) -> int:
    """How many of the person's notifications are unread, up to COUNT_LIMIT: one statement
    on the index of unread notifications."""
    # Without flushing: a page shown with a refused form still holds its unsaved changes.
    with db.session.no_autoflush:
        return db.session.scalar(_UNREAD, {"user_id": user_id})


@dataclass(frozen=True)
class Entry:
    """A notification as the list shows it."""

    id: int
    kind: Kind
    facts: dict
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, notification: Notification) -> "Entry":
        return cls(notification.id, KINDS[notification.kind], notification.facts,
                   notification.created_at, notification.read_at)  # fmt: skip

    @property
    def text(self) -> str:
        return self.kind.text(self.facts)

    @property
    def url(self) -> str:
        return self.kind.url(self.facts)

    @property
    def unread(self) -> bool:
        return self.read_at is None


def page_of(user: User, page: int | None = None) -> tuple[Pagination, list[Entry]]:
    """A page of the person's notifications, newest first, fifty to a page."""
    paging = paginate(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.id.desc()),
        page,
    )
    entries = [
        Entry.of(n)
        for n in paging.items
        if n.kind in KINDS
    ]
    return paging, entries


def mark_read(user: User, notification_id: int) -> Entry:
    """Mark one of the person's notifications read and return it; anyone else's, or one of a
    kind no longer made, is a 404."""
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.recipient_id == user.id
        )
    )
    if notification is None or notification.kind not in KINDS:
        abort(404)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return Entry.of(notification)


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the person read, in one statement; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
