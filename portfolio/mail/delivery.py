"""Delivering a stored message: by SMTP when MAIL_HOST is set, else to the outbox folder.

``deliver_email`` is the job; it is safe to run twice. The message is marked sent in the
commit that follows the server's acceptance, so only a worker killed between the two could
send it again (and the copy carries the same Message-ID).
"""

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from portfolio.db import db, utcnow
from portfolio.jobs import Transient, job
from portfolio.jobs.queue import TRANSIENT
from portfolio.mail.compose import build
from portfolio.mail.models import OutgoingEmail

SECURITY_CHOICES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


def security() -> str:
    value = str(current_app.config["MAIL_SECURITY"] or "none").lower()
    if value not in SECURITY_CHOICES:
        raise RuntimeError(
            f"PORTFOLIO_MAIL_SECURITY must be one of {', '.join(SECURITY_CHOICES)}, not {value!r}."
        )
    return value


def tls_context() -> ssl.SSLContext:
    """The server's certificate is checked against the system's authorities (and
    MAIL_CA_FILE's) and the host's name."""
    context = ssl.create_default_context()
    if current_app.config["MAIL_CA_FILE"]:
        context.load_verify_locations(cafile=str(current_app.config["MAIL_CA_FILE"]))
    return context


def connect() -> smtplib.SMTP:
    """A connection to the MAIL_HOST server, secured as MAIL_SECURITY says (plain, STARTTLS or
    TLS, the certificate checked) and signed in when MAIL_USERNAME is set."""
    cfg = current_app.config
    mode = security()
    host, port = str(cfg["MAIL_HOST"]), int(cfg["MAIL_PORT"] or DEFAULT_PORTS[mode])
    timeout = float(cfg["MAIL_TIMEOUT"])
    if mode == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if mode == "starttls":
            smtp.starttls(context=tls_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(str(cfg["MAIL_USERNAME"]), str(cfg["MAIL_PASSWORD"] or ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def smtp_send(mime: EmailMessage) -> str:
    """Hand the message to the MAIL_HOST server; returns where it went."""
    with connect() as smtp:
        smtp.send_message(mime)
    cfg = current_app.config
    return f"{cfg['MAIL_HOST']}:{int(cfg['MAIL_PORT'] or DEFAULT_PORTS[security()])}"


def outbox_path() -> Path:
    configured = current_app.config["MAIL_OUTBOX_PATH"]
    return Path(configured) if configured else Path(current_app.instance_path) / "outbox"


def write_to_outbox(message: OutgoingEmail, mime: EmailMessage) -> str:
    """Write the message as ``<UTC time>-<id>.eml`` in the outbox folder (written under a
    temporary name, then renamed, so a reader never sees half a file); returns its path."""
    folder = outbox_path()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S%fZ}-{message.id}.eml"
    partial = path.with_suffix(".eml.partial")
    partial.write_bytes(bytes(mime))
    os.replace(partial, path)
    current_app.logger.warning(
        "No mail server is set (PORTFOLIO_MAIL_HOST), so the email %r to %s was written to %s",
        message.subject, message.to_address, path,
    )  # fmt: skip
    return str(path)


def transmit(message: OutgoingEmail) -> str:
    mime = build(message)
    if current_app.config["MAIL_HOST"]:
        return smtp_send(mime)
    return write_to_outbox(message, mime)


def deliver(message_id: int) -> dict:
    """Send the message unless it has been sent; commits. A failure is recorded on the message
    (its attempts and last error) and raised again for the job to be tried later."""
    message = db.session.get(OutgoingEmail, message_id)
    if message is None:
        return {"sent": False, "reason": "The message no longer exists."}
    if message.sent_at is not None:
        return {"sent": False, "reason": "Already sent."}
    try:
        where = transmit(message)
    except Exception as failure:
        error = _refusal(failure) if isinstance(failure, smtplib.SMTPRecipientsRefused) else failure
        db.session.rollback()
        message = db.session.get(OutgoingEmail, message_id)
        message.attempts += 1
        said = str(error) if isinstance(error, Undeliverable) else f"{type(error).__name__}: {error}"
        message.last_error = said[:500]
        db.session.commit()
        if error is failure:
            raise
        raise error from failure
    message.attempts += 1
    message.sent_at = utcnow()
    message.last_error = None
    # Sent: the bodies may hold a single-use link, whose token is kept nowhere else in clear.
    message.text_body = message.html_body = None
    db.session.commit()
    return {"sent": True, "to": message.to_address, "where": where}


class Undeliverable(Exception):
    """The mail server refused the recipient for good (a 5xx reply, such as 550 "no such
    user"): trying again would be refused again, so the job fails at once and admins are
    told."""


def _refusal(refused: smtplib.SMTPRecipientsRefused) -> Exception:
    """Undeliverable where every recipient was refused for good; else the refusal itself,
    which is tried again (a 4xx reply: a full mailbox, a greylisting server)."""
    replies = list(refused.recipients.items())
    if replies and all(500 <= code < 600 for _address, (code, _text) in replies):
        address, (code, text) = replies[0]
        reply = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return Undeliverable(f"The mail server refused {address} for good ({code} {reply}): "
                             "check the address on the person's account.")  # fmt: skip
    return refused


@job("email", retries=5, retry_delay=30)
def deliver_email(run, message_id: int) -> dict:
    """Deliver one stored message (``portfolio.mail.send`` queues it)."""
    return deliver(message_id)


@job("emails", retries=5, retry_delay=30)
def deliver_emails(run, message_ids: list[int]) -> dict:
    """Deliver several stored messages (``portfolio.mail.send_many`` queues them), each as
    ``deliver_email`` does. One that fails does not hold up the others; the job then fails,
    to be tried again (when the failure is transient) for those not yet sent."""
    sent, failures = 0, []
    for message_id in message_ids:
        try:
            sent += deliver(message_id)["sent"]
        except Exception as error:  # noqa: BLE001  (recorded on its message by deliver)
            failures.append(error)
    if failures:
        error = next((e for e in failures if isinstance(e, TRANSIENT)), failures[0])
        what = f"{len(failures)} of {len(message_ids)} messages not sent, the first because: "
        raise (Transient if isinstance(error, TRANSIENT) else RuntimeError)(
            f"{what}{type(error).__name__}: {error}"
        ) from error
    return {"sent": sent, "messages": len(message_ids)}
