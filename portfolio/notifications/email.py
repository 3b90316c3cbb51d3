"""Email of notifications at once, for the people who chose it (``digest`` sends the rest)."""

from sqlalchemy import select, update

from portfolio import mail
from portfolio.accounts.models import User
from portfolio.addresses import public_url
from portfolio.db import db, utcnow
from portfolio.notifications.kinds import KINDS
from portfolio.notifications.models import EmailChoice, Notification, NotificationSetting
from portfolio.notifications.settings import email_choice_column


def send_at_once(ids: list[int]) -> int:
    """Email each of these new notifications whose recipient chose email at once, and mark
    them emailed: one read of the notifications with their recipients, one update. Each
    message is delivered by its job once the transaction commits. Returns how many."""
    rows = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.recipient_id)
        .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(
            Notification.id.in_(ids),
            email_choice_column() == EmailChoice.IMMEDIATELY,
            User.active.is_(True),
        )
        .order_by(Notification.id)
    ).all()
    for notification, person in rows:
        kind = KINDS[notification.kind]
        mail.send(
            person, "notification", provider_id=notification.provider_id,
            text=kind.text(notification.facts), action=kind.action,
            url=kind.public_url(notification.facts),
            settings_url=settings_url(),
        )  # fmt: skip
    if rows:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_([notification.id for notification, _ in rows]))
            .values(emailed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def settings_url() -> str:
    """Where a person changes how they are emailed, for the foot of every message."""
    return public_url("notifications.email_choice")
