"""A real SMTP server on loopback for the tests (aiosmtpd), keeping what it is sent.

``mail_server`` points the app at it for one test; ``mail_server.messages`` are the
messages that arrived, parsed by the standard library. ``start_server`` starts others, with
STARTTLS or TLS from the first byte, under a certificate made here.
"""

import email
import email.policy
import re
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
USERNAME, PASSWORD = "portfolio", "smtp-secret-9"


# Addresses starting so are refused at RCPT with 550, as a server refuses an unknown mailbox.
REFUSED = "no-such-user@"


@dataclass
class Mailbox:
    """The aiosmtpd handler: keeps each message with its envelope."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith(REFUSED):  # a mailbox this server does not have, as a bounce
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (USERNAME, PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    def clear(self) -> None:
        self.messages.clear()
        self.envelopes.clear()
        self.logins.clear()


@dataclass
class MailServer:
    controller: Controller
    mailbox: Mailbox
    port: int

    @property
    def messages(self) -> list[EmailMessage]:
        return self.mailbox.messages

    def stop(self) -> None:
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(*, tls: ssl.SSLContext | None = None, starttls: bool = False) -> MailServer:
    """An SMTP server on a free loopback port: plain; with STARTTLS required (and AUTH offered)
    when ``starttls``; or speaking TLS from the start when given ``tls`` alone."""
    mailbox = Mailbox()
    port = free_port()
    options = {}
    if starttls:
        options = {"tls_context": tls, "require_starttls": True,
                   "authenticator": mailbox.authenticate}  # fmt: skip
    elif tls is not None:
        options = {"ssl_context": tls}
    controller = Controller(mailbox, hostname=HOST, port=port, **options)
    controller.start()
    return MailServer(controller, mailbox, port)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files; the certificate is its own
    authority, for the app to trust through MAIL_CA_FILE."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test mail server")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address(HOST))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "mail-cert.pem", folder / "mail-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def link(message: EmailMessage, path_start: str) -> str:
    """The one absolute link in the plain text whose path starts with ``path_start``."""
    text, _ = parts(message)
    found = set(re.findall(r"https?://\S+" + re.escape(path_start) + r"\S+", text))
    assert len(found) == 1, found
    return found.pop()


@pytest.fixture(scope="session")
def _smtp_server():
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def mail_server(app, _smtp_server):
    """The app sends by SMTP to a loopback server for this test; read ``.messages``."""
    _smtp_server.mailbox.clear()
    settings = {"MAIL_HOST": HOST, "MAIL_PORT": _smtp_server.port, "MAIL_SECURITY": "none"}
    saved = {name: app.config[name] for name in settings}
    app.config.update(settings)
    yield _smtp_server
    app.config.update(saved)
