"""Single sign-on through a provider's OpenID Connect identity provider: its settings, and
which account (if any) a verified identity signs in to (docs/sso.md)."""

import base64
import contextlib
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portfolio.accounts.models import Role, User, normalise_email
from portfolio.accounts.people import create_person
from portfolio.accounts.sso_models import SsoConnection, SsoDomain, SsoIdentity
from portfolio.audit import trail as audit
from portfolio.db import db, utcnow
from portfolio.errors import DomainError

# Roles an account may be made in on first sign-in: an admin's or an EQA's account is
# always made by an admin (an EQA's needs the day their access ends).
NEW_ACCOUNT_ROLES = (Role.LEARNER, Role.ASSESSOR, Role.IQA)
MAX_DOMAINS = 50
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SsoRefused(Exception):
    """An identity the provider vouched for that may not sign in here: ``message`` says why to
    the person, ``reason`` to the audit trail."""

    def __init__(self, message: str, reason: str, user: User | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.user = user


# Settings


def _fernet():
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    # A key of its own, derived from SECRET_KEY, so the secret is not readable from a copy
    # of the database alone; a new SECRET_KEY means entering the client secret again.
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"portfolio sso client secret"
    ).derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str) -> str | None:
    """The client secret, or None when it was encrypted under another SECRET_KEY."""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def issuer_problem(issuer: str, production: bool) -> str | None:
    """What is wrong with an issuer address, or None: HTTPS, or plain HTTP on this machine
    outside production (a test identity provider)."""
    try:
        parts = urlsplit(issuer)
        host = parts.hostname
    except ValueError:
        host = None
    if not host or parts.scheme not in ("https", "http") or parts.query or parts.fragment:
        return (
            "Enter the issuer as a whole address without ? or #, such as "
            "https://login.microsoftonline.com/<tenant id>/v2.0."
        )
    if parts.username or parts.password:
        return "The issuer's address cannot hold a user name or password."
    if parts.scheme == "http" and not (_is_loopback(host) and not production):
        return "The issuer's address must start with https://."
    return None


def parse_domains(text: str) -> list[str]:
    """Email domains, one a line or separated by commas or spaces, lower-cased and without
    "@"; raises DomainError naming the first that is not a domain."""
    found = []
    for word in re.split(r"[\s,;]+", text or ""):
        domain = word.strip().lstrip("@").rstrip(".").lower()
        if not domain:
            continue
        with contextlib.suppress(UnicodeError):  # an internationalised name, as ASCII
            domain = domain.encode("idna").decode("ascii")
        if not DOMAIN.match(domain):
            raise DomainError(
                f"“{word[:60]}” is not an email domain: enter the part after the @, such as "
                "northgate.ac.uk.",
                field="domains",
            )
        if domain not in found:
            found.append(domain)
    if len(found) > MAX_DOMAINS:
        raise DomainError(f"Enter at most {MAX_DOMAINS} domains.", field="domains")
    return found


def connection_of(provider_id: int) -> SsoConnection | None:
    return db.session.scalar(
        select(SsoConnection)
        .where(SsoConnection.provider_id == provider_id)
        .options(selectinload(SsoConnection.domains))
    )


def save_settings(
    admin: User,
    *,
    enabled: bool,
    display_name: str,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    domains: str,
    new_account_role: Role | None,
) -> SsoConnection:
    """Set up or change the admin's provider's single sign-on; a blank secret keeps the one
    stored. Raises DomainError naming the field at fault, with nothing saved."""
    if admin.role is not Role.ADMIN:
        raise DomainError("Only a provider admin can change single sign-on.")
    issuer = issuer.strip()
    problem = issuer_problem(issuer, current_app.config["PRODUCTION"])
    if problem:
        raise DomainError(problem, field="issuer")
    names = parse_domains(domains)
    if enabled and not names:
        raise DomainError(
            "Enter at least one email domain whose people may sign in, such as northgate.ac.uk.",
            field="domains",
        )
    if new_account_role is not None and new_account_role not in NEW_ACCOUNT_ROLES:
        raise DomainError(
            "Accounts made on first sign-in can be learners, assessors or IQAs.",
            field="new_account_role",
        )
    connection = connection_of(admin.provider_id)
    if connection is None and not client_secret:
        raise DomainError("Enter the client secret.", field="client_secret")
    before = _settings_state(connection) if connection else None
    if connection is None:
        connection = SsoConnection(provider_id=admin.provider_id)
        db.session.add(connection)
    connection.enabled = enabled
    connection.display_name = " ".join(display_name.split())
    connection.issuer = issuer
    connection.client_id = client_id.strip()
    if client_secret:
        connection.client_secret_encrypted = encrypt_secret(client_secret)
    connection.new_account_role = new_account_role
    connection.updated_at = utcnow()
    kept = {d.domain: d for d in connection.domains}
    connection.domains = [kept.get(name) or SsoDomain(domain=name) for name in names]
    db.session.flush()
    after = {**_settings_state(connection), "client_secret_changed": bool(client_secret)}
    audit.record(
        "sso.settings_changed", provider_id=admin.provider_id, actor=admin,
        object_type="sso_connection", object_id=connection.id, before=before, after=after,
        summary=f"Single sign-on {'on' if enabled else 'off'}: {connection.display_name}",
    )  # fmt: skip
    return connection


def _settings_state(connection: SsoConnection) -> dict:
    state = audit.snapshot(
        connection, "enabled", "display_name", "issuer", "client_id", "new_account_role"
    )
    return {**state, "domains": connection.domain_names}


# Signing in


@dataclass
class Identity:
    """What the identity provider said about the person, from its validated ID token."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None

    @classmethod
    def from_claims(cls, claims: dict) -> "Identity":
        email = claims.get("email")
        name = claims.get("name") or " ".join(
            part for part in (claims.get("given_name"), claims.get("family_name")) if part
        )
        verified = claims.get("email_verified")
        if verified is None:
            # Microsoft Entra ID says the email domain's owner verified the address as
            # xms_edov (an optional claim to turn on: docs/sso.md).
            verified = claims.get("xms_edov")
        return cls(
            issuer=str(claims.get("iss") or ""),
            subject=str(claims.get("sub") or ""),
            email=normalise_email(email) if isinstance(email, str) and email.strip() else None,
            email_verified=verified is True or verified == "true",
            name=name if isinstance(name, str) and name.strip() else None,
        )


def connections_for_email(email: str) -> list[SsoConnection]:
    """The enabled connections that take people with this email address, by display name."""
    domain = normalise_email(email).rpartition("@")[2]
    if not domain:
        return []
    return list(
        db.session.scalars(
            select(SsoConnection)
            .join(SsoDomain)
            .where(SsoDomain.domain == domain, SsoConnection.enabled)
            .order_by(SsoConnection.display_name, SsoConnection.id)
        )
    )


def sign_in(connection: SsoConnection, identity: Identity, address: str | None) -> User:
    """The account this identity signs in to, linking it or making it when the rules allow,
    and recording the sign-in; raises SsoRefused saying why not.

    Found by the identity's subject at this issuer; else, the first time, by its verified
    email address among the provider's accounts (then the subject is kept); else made in the
    connection's role for new accounts, if it has one. The address's domain must be one of
    the connection's, and the account active."""
    provider_id = connection.provider_id
    if not identity.subject:
        raise SsoRefused("The sign-in service did not say who you are.", "no subject")
    if identity.email is None:
        raise SsoRefused(
            f"{connection.display_name} did not share your email address, which is needed to "
            "sign in here. Ask your training provider's administrator.",
            "no email address",
        )
    domain = identity.email.rpartition("@")[2]
    if domain not in connection.domain_names:
        raise SsoRefused(
            f"Accounts at {domain} cannot sign in here through {connection.display_name}. Sign "
            "in with the account your training provider gave you, or ask its administrator.",
            "email domain not allowed",
        )
    linked = db.session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.provider_id == provider_id,
            SsoIdentity.issuer == connection.issuer,
            SsoIdentity.subject == identity.subject,
        )
    )
    how = "subject"
    if linked is not None:
        user = db.session.get(User, linked.user_id)
    else:
        user, how = _first_sign_in(connection, identity)
    if not user.is_active:
        raise SsoRefused(
            "Your account here is not active. Ask your training provider's administrator.",
            "account not active",
            user,
        )
    user.last_signed_in_at = utcnow()
    audit.record(
        "sign_in.succeeded", provider_id=provider_id, actor=user, object_type="user",
        object_id=user.id, after={"address": address, "via": "sso", "found_by": how},
        summary=f"{user.name} signed in through {connection.display_name}",
    )  # fmt: skip
    return user


def _first_sign_in(connection: SsoConnection, identity: Identity) -> tuple[User, str]:
    if not identity.email_verified:
        raise SsoRefused(
            f"{connection.display_name} has not verified your email address, so it cannot be "
            "matched to an account here. Verify it there, or ask your administrator.",
            "email address not verified",
        )
    user = db.session.scalar(select(User).where(User.email == identity.email))
    if user is not None and user.provider_id != connection.provider_id:
        raise SsoRefused(
            "This email address belongs to an account that cannot sign in here.",
            "email address of another provider's account",
        )
    how = "verified email"
    if user is None:
        role = connection.new_account_role
        if role is None:
            raise SsoRefused(
                f"There is no account for {identity.email} here. Ask your training provider's "
                "administrator to add you.",
                "no account",
            )
        try:
            user = create_person(
                connection.provider,
                name=(identity.name or identity.email.partition("@")[0])[:200],
                email=identity.email,
                role=role,
            )
        except DomainError as error:
            raise SsoRefused(error.message, "account could not be made") from error
        how = "new account"
    previous = db.session.scalar(select(SsoIdentity).where(SsoIdentity.user_id == user.id))
    if previous is not None and previous.issuer == connection.issuer:
        # Another identity at the same issuer already signs in to this account: the
        # address has changed hands there, or two identities share it.
        raise SsoRefused(
            "Your account here is linked to another identity at "
            f"{connection.display_name}. Ask your training provider's administrator.",
            "account linked to another subject",
            user,
        )
    if previous is not None:  # the provider has moved to another identity provider
        db.session.delete(previous)
        db.session.flush()
    db.session.add(
        SsoIdentity(
            user_id=user.id,
            provider_id=connection.provider_id,
            issuer=connection.issuer,
            subject=identity.subject,
        )
    )
    db.session.flush()
    audit.record(
        "sso.linked", provider_id=connection.provider_id, actor=None, object_type="user",
        object_id=user.id, after={"issuer": connection.issuer, "subject": identity.subject,
                                  "found_by": how},
        summary=f"{user.name}'s account is linked to their {connection.display_name} identity",
    )  # fmt: skip
    return user, how


def record_refusal(
    connection: SsoConnection,
    reason: str,
    address: str | None,
    email: str | None = None,
    user: User | None = None,
) -> None:
    """Keep a refused single sign-on in the provider's audit trail; the caller commits."""
    audit.record(
        "sign_in.failed", provider_id=connection.provider_id, actor=None, object_type="user",
        object_id=user.id if user else None,
        after={"address": address, "via": "sso", "reason": reason, "email": email},
        summary=f"Refused sign-in through {connection.display_name}: {reason}",
    )  # fmt: skip
