"""Queueing an email: render it, store it, and start the job that delivers it."""

from portfolio.accounts.models import User
from portfolio.db import db
from portfolio.jobs import enqueue
from portfolio.mail.compose import render
from portfolio.mail.delivery import deliver_email
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
    recipient = to if isinstance(to, User) else None
    address = recipient.email if recipient is not None else str(to).strip()
    name = recipient.name if recipient is not None else None
    subject, text, html = render(
        template, {"recipient": recipient, "recipient_name": name, **context}
    )
    message = OutgoingEmail(
        provider_id=provider_id, to_address=address, to_name=name, template=template,
        subject=subject[:300], text_body=text, html_body=html,
    )  # fmt: skip
    db.session.add(message)
    db.session.flush()
    dispatch(message)
    return message


def dispatch(message: OutgoingEmail) -> None:
    enqueue(
        deliver_email, message.id, provider_id=message.provider_id,
        label=f"Email “{message.subject}” to {message.to_address}"[:200],
    )  # fmt: skip
