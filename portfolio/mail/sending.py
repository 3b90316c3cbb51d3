"""Queueing an email: render it, store it, and start the job that delivers it."""

from collections.abc import Iterable

from portfolio.accounts.models import User
from portfolio.db import db
from portfolio.jobs import enqueue
from portfolio.mail.compose import render
from portfolio.mail.delivery import deliver_email, deliver_emails
from portfolio.mail.models import OutgoingEmail


def send(to: User | str, template: str, *, provider_id: int, **context) -> OutgoingEmail:
    """Email a person (a ``User``: their name and address) or an address, from ``template``.

    The message is rendered now from ``templates/mail/<template>.subject.txt``, ``.txt`` and
    ``.html`` (each extends ``mail/base``), with ``context`` plus ``recipient`` (the User, or
    None), ``recipient_name``, ``product_name`` and ``site_url``. Links in it must be
    absolute: build them with ``portfolio.addresses.public_url``.

    It is stored and flushed in the caller's transaction, and a job delivers it once that
    transaction commits (and never if it rolls back): call ``send`` beside the change the
    message tells of, then commit. ``provider_id`` is the provider the message is sent for
    (its jobs page lists the delivery). Returns the stored message.
    """
    message = _compose(to, template, provider_id, context)
    db.session.add(message)
    db.session.flush()
    dispatch(message)
    return message


def send_many(
    template: str, recipients: Iterable[tuple[User | str, dict]], *, provider_id: int
) -> list[OutgoingEmail]:
    """Email each ``(to, context)`` of ``recipients`` from ``template``, as ``send`` does,
    with one job delivering them all: for messages that go out together, such as the
    invitations of the learners an import adds. Returns the stored messages."""
    messages = [_compose(to, template, provider_id, context) for to, context in recipients]
    if not messages:
        return []
    db.session.add_all(messages)
    db.session.flush()
    first = messages[0]
    others = f" and {len(messages) - 1} more" if len(messages) > 1 else ""
    enqueue(
        deliver_emails, [message.id for message in messages], provider_id=provider_id,
        label=f"Email “{first.subject}” to {first.to_address}{others}"[:200],
    )  # fmt: skip
    return messages


def _compose(to: User | str, template: str, provider_id: int, context: dict) -> OutgoingEmail:
    recipient = to if isinstance(to, User) else None
    address = recipient.email if recipient is not None else str(to).strip()
    name = recipient.name if recipient is not None else None
    subject, text, html = render(
        template, {"recipient": recipient, "recipient_name": name, **context}
    )
    return OutgoingEmail(
        provider_id=provider_id, to_address=address, to_name=name, template=template,
        subject=subject[:300], text_body=text, html_body=html,
    )  # fmt: skip


def dispatch(message: OutgoingEmail) -> None:
    enqueue(
        deliver_email, message.id, provider_id=message.provider_id,
        label=f"Email “{message.subject}” to {message.to_address}"[:200],
    )  # fmt: skip
