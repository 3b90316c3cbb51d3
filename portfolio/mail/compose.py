"""Rendering a message from its templates, and building the MIME message that is sent."""

import ipaddress
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app

from portfolio.mail.models import OutgoingEmail

PRODUCT_NAME = "Portfolio"


def render(template: str, context: dict) -> tuple[str, str, str]:
    """The subject, plain text and HTML of ``mail/<template>``, from its ``.subject.txt``,
    ``.txt`` and ``.html`` templates (the HTML one escapes what it is given; the others are
    plain text and escape nothing). Rendered without a request: a worker renders too."""
    env = current_app.jinja_env
    values = {"product_name": PRODUCT_NAME, "site_url": current_app.config["PUBLIC_URL"],
              **context}  # fmt: skip
    subject = env.get_template(f"mail/{template}.subject.txt").render(values)
    text = env.get_template(f"mail/{template}.txt").render(values)
    html = env.get_template(f"mail/{template}.html").render(values)
    # One line however the template wraps it: a header cannot hold a line break.
    return " ".join(subject.split()), text.strip() + "\n", html


def sender() -> str:
    """MAIL_SENDER, or the product's name at PUBLIC_URL's host."""
    configured = current_app.config["MAIL_SENDER"]
    if configured:
        return str(configured)
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    try:
        ipaddress.ip_address(host)
        host = "localhost"  # an address is not a mail domain (make run's 127.0.0.1)
    except ValueError:
        pass
    return str(Address(PRODUCT_NAME, "no-reply", host))


def build(message: OutgoingEmail) -> EmailMessage:
    """The message as sent: plain text with an HTML alternative, and a Message-ID fixed by the
    row, so a copy sent twice is recognisable as the same message."""
    mime = EmailMessage()
    mime["Subject"] = message.subject
    mime["From"] = sender()
    local, _, domain = message.to_address.rpartition("@")
    # A domain in other letters (bücher.de) goes in its ASCII form, as mail servers read it.
    ascii_domain = domain.encode("idna").decode("ascii")
    mime["To"] = Address(message.to_name or "", addr_spec=f"{local}@{ascii_domain}")
    mime["Date"] = format_datetime(message.created_at)
    domain = parseaddr(mime["From"])[1].rpartition("@")[2] or "localhost"
    mime["Message-ID"] = f"<portfolio-{message.id}-{message.created_at:%Y%m%d%H%M%S}@{domain}>"
    mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    mime.set_content(message.text_body or "")
    mime.add_alternative(message.html_body or "", subtype="html")
    return mime
