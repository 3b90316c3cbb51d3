"""The daily digest: one job per provider emails each person who chose it a list of their
new notifications; and the daily check of EQA access coming to an end.

Composing a provider's digest takes the same statements however many people it reaches:
one update marks the notifications it takes, one read gathers them with their recipients,
one insert stores every message; then one read of the messages waiting, and one update
marking those sent once all have been handed to the mail server (one for up to
MARK_AT_ONCE people). A worker stopped while delivering sends that provider's digest again
to those it had reached: a job runs at least once (portfolio.jobs), and people would
rather have a digest twice than not at all."""

import contextlib
import smtplib
from datetime import date, timedelta
from itertools import groupby

from flask import current_app
from sqlalchemy import insert, select, update

from portfolio import dates
from portfolio.accounts.models import Provider, Role, User
from portfolio.db import db, utcnow
from portfolio.jobs import Transient, enqueue, job, periodic
from portfolio.mail import delivery
from portfolio.mail.compose import build, render
from portfolio.mail.delivery import transmit
from portfolio.mail.models import OutgoingEmail
from portfolio.notifications.email import settings_url
from portfolio.notifications.events import notify_admins
from portfolio.notifications.kinds import KINDS
from portfolio.notifications.models import EmailChoice, Notification, NotificationSetting
from portfolio.notifications.settings import email_choice_column

TEMPLATE = "notification_digest"
# Messages marked sent by one statement (well within what either database takes as the
# values of one statement); and the attempts after which a digest message that cannot be
# delivered is given up.
MARK_AT_ONCE = 10_000
MAX_ATTEMPTS = 5
# Admins hear of an EQA's access ending this many days ahead.
EQA_NOTICE_DAYS = 14


def _chose_daily():
    """The ids of the people whose notifications go in the digest."""
    return (
        select(User.id)
        .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(email_choice_column() == EmailChoice.DAILY, User.active.is_(True))
    )


def compose(provider_id: int) -> int:
    """Store one digest message for each person of the provider who chose the daily digest
    and has notifications neither emailed nor read, and mark those emailed; returns how many
    messages. Nothing is committed."""
    now = utcnow()
    # Marked first, with this moment: what is read next is exactly what was marked, however
    # many arrive meanwhile, and a second digest running at once waits here, then finds none.
    db.session.execute(
        update(Notification)
        .where(
            Notification.provider_id == provider_id,
            Notification.emailed_at.is_(None),
            Notification.read_at.is_(None),
            Notification.recipient_id.in_(_chose_daily()),
        )
        .values(emailed_at=now)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(
        select(
            Notification.kind, Notification.facts, Notification.created_at,
            User.id.label("person_id"), User.name, User.email, Provider.time_zone,
        )
        .join(User, User.id == Notification.recipient_id)
        .join(Provider, Provider.id == Notification.provider_id)
        .where(Notification.provider_id == provider_id, Notification.emailed_at == now,
               Notification.recipient_id.in_(_chose_daily()))
        .order_by(User.id, Notification.id)
    ).all()  # fmt: skip
    if not rows:
        return 0
    changes = settings_url()
    messages = []
    for _, group in groupby(rows, key=lambda row: row.person_id):
        entries = list(group)
        first = entries[0]
        subject, text, html = render(
            TEMPLATE,
            {
                "recipient": None, "recipient_name": first.name, "time_zone": first.time_zone,
                "settings_url": changes,
                "entries": [
                    {"text": KINDS[e.kind].text(e.facts), "url": KINDS[e.kind].public_url(e.facts),
                     "action": KINDS[e.kind].action, "at": e.created_at}
                    for e in entries if e.kind in KINDS
                ],
            },
        )  # fmt: skip
        messages.append(
            {"provider_id": provider_id, "to_address": first.email, "to_name": first.name,
             "template": TEMPLATE, "subject": subject[:300], "text_body": text,
             "html_body": html, "created_at": now}
        )  # fmt: skip
    db.session.execute(insert(OutgoingEmail), messages)
    return len(messages)


def deliver(provider_id: int) -> tuple[int, int]:
    """Send the provider's digest messages not yet sent, then mark those sent and count an
    attempt on those that could not be (kept with the error, to be tried again up to
    MAX_ATTEMPTS); commits. Returns how many were sent and how many could not be."""
    waiting = db.session.scalars(
        select(OutgoingEmail)
        .where(
            OutgoingEmail.provider_id == provider_id,
            OutgoingEmail.template == TEMPLATE,
            OutgoingEmail.sent_at.is_(None),
            OutgoingEmail.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutgoingEmail.id)
    ).all()
    sent, failed, error_text = [], [], None
    with _Sender() as sender:
        for message in waiting:
            try:
                sender.send(message)
            except Exception as error:
                current_app.logger.warning("digest email %s not sent: %s", message.id, error)
                error_text = f"{type(error).__name__}: {error}"[:500]
                failed.append(message.id)
            else:
                sent.append(message.id)
    now = utcnow()
    for ids, values in (
        # Sent: the bodies are not kept, as for every email (portfolio.mail.delivery).
        (sent, {"sent_at": now, "last_error": None, "text_body": None, "html_body": None}),
        (failed, {"last_error": error_text}),
    ):
        for start in range(0, len(ids), MARK_AT_ONCE):
            db.session.execute(
                update(OutgoingEmail)
                .where(OutgoingEmail.id.in_(ids[start : start + MARK_AT_ONCE]))
                .values(attempts=OutgoingEmail.attempts + 1, **values)
                .execution_options(synchronize_session=False)
            )
    db.session.commit()
    return len(sent), len(failed)


class _Sender:
    """Hands a digest's messages to the mail server over one connection (a provider's
    thousands of messages would otherwise each open one, as ``mail.delivery.smtp_send``
    does for a single message, with the same settings); or, with no mail server set, to
    the outbox. A connection that fails is opened again for the next message."""

    def __init__(self):
        self.smtp = None

    def __enter__(self):
        return self

    def send(self, message: OutgoingEmail) -> None:
        if not current_app.config["MAIL_HOST"]:
            transmit(message)
            return
        if self.smtp is None:
            self.smtp = delivery.connect()
        try:
            self.smtp.send_message(build(message))
        except (OSError, smtplib.SMTPServerDisconnected):
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None

    def __exit__(self, *exc):
        self.close()


def daily_digest(provider_id: int) -> dict:
    """A provider's daily digest: compose what is new, then deliver every digest message not
    yet sent. Run twice, the second run composes nothing new and sends only what is left."""
    people = compose(provider_id)
    db.session.commit()
    sent, failed = deliver(provider_id)
    if failed:
        raise Transient(f"{failed} digest email(s) could not be sent; they are tried again.")
    return {"people": people, "sent": sent}


@job("digest", retries=3, retry_delay=300)
def send_digest(run, provider_id: int) -> dict:
    return daily_digest(provider_id)


def enqueue_digests(provider_ids: list[int] | None = None) -> int:
    """Queue the digest job of each provider (or of these); returns how many. Commits."""
    query = select(Provider.id, Provider.name).order_by(Provider.id)
    if provider_ids is not None:
        query = query.where(Provider.id.in_(provider_ids))
    providers = db.session.execute(query).all()
    for provider in providers:
        enqueue(send_digest, provider.id, provider_id=provider.id,
                label=f"Daily notification digest for {provider.name}")  # fmt: skip
    db.session.commit()
    return len(providers)


def check_eqa_access(today: date | None = None) -> int:
    """Tell each provider's admins of every EQA whose access ends within EQA_NOTICE_DAYS,
    once per EQA and end date (a later extension is a new occasion); returns how many
    admins were told. Nothing is committed."""
    today = today or date.today()
    ending = db.session.execute(
        select(User.id, User.provider_id, User.name, User.access_expires_on)
        .where(
            User.role == Role.EQA,
            User.active.is_(True),
            User.access_expires_on >= today,
            User.access_expires_on <= today + timedelta(days=EQA_NOTICE_DAYS),
        )
        .order_by(User.id)
    ).all()
    told = 0
    for eqa in ending:
        told += len(
            notify_admins(
                eqa.provider_id,
                "eqa_access_ending",
                once_key=f"eqa_access_ending:{eqa.id}:{eqa.access_expires_on.isoformat()}",
                eqa=eqa.name,
                eqa_id=eqa.id,
                ends_on=dates.format_date(eqa.access_expires_on),
            )  # fmt: skip
        )
    return told


@periodic(hour="6", minute="30")
def daily_notifications() -> None:
    """Every morning: the EQA access check, then each provider's digest."""
    check_eqa_access()
    db.session.commit()
    enqueue_digests()
