"""A provider's webhook subscriptions: which addresses may be sent events, making one (its
secret shown once), a new secret, turning one off and on, and removing it (docs/webhooks.md)."""

import ipaddress
import re
import secrets
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portfolio.accounts.models import Role, User
from portfolio.accounts.sso import encrypt_secret
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.webhooks.models import EVENTS, WebhookDelivery, WebhookEvent, WebhookSubscription

SECRET_PREFIX = "whsec_"  # noqa: S105  (what a secret starts with, not one)
URL_LIMIT = 2000
# Most subscriptions a provider may have: each event is a request to each of them.
MAX_SUBSCRIPTIONS = 20


def allowed_hosts() -> set[str]:
    """WEBHOOK_ALLOWED_HOSTS: hosts that may be sent events over plain HTTP, or that are on
    this machine or a private network (a list, or a string separated by commas)."""
    hosts = current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or []
    if isinstance(hosts, str):
        hosts = hosts.replace(",", " ").split()
    return {str(host).strip().strip("[]").lower() for host in hosts}


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, link-local...)."""
    return ipaddress.ip_address(address.split("%")[0]).is_global


def url_problem(url: str) -> str | None:
    """What is wrong with an address to send events to, or None: HTTPS to a public host, or
    any address on a host the operator allows (WEBHOOK_ALLOWED_HOSTS)."""
    whole_address = (
        "Enter the whole address your system receives events at, starting with https://, "
        "such as https://mis.example.ac.uk/portfolio/events."
    )
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return whole_address
    if parts.scheme not in ("https", "http") or not host:
        return whole_address
    if parts.username or parts.password:
        return (
            "The address cannot hold a user name or password: your system checks each "
            "event's signature instead."
        )
    if parts.fragment:
        return "The address cannot hold a # part."
    if host in allowed_hosts():
        return None
    if parts.scheme == "http":
        return (
            "The address must start with https://: events are sent only over HTTPS, so that "
            "no one on the way can read or change them."
        )
    if host == "localhost" or host.endswith(".localhost") or _private_literal(host):
        return (
            "The address is on this server or a private network, which events are not sent "
            "to. Use your system's public HTTPS address."
        )
    if not _is_ip_literal(host) and not _is_host_name(host):
        # Not a name a DNS could hold, such as "0x7f000001" or "127.1", which some resolvers
        # read as an address on this server.
        return (f"“{host[:60]}” is not a host name such as mis.example.ac.uk, nor a public IP "
                "address written in full.")  # fmt: skip
    return None


# A DNS name: labels of letters, digits and hyphens, the last one (the top-level domain)
# starting with a letter, so that no run of digits passes for one.
HOST_NAME = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                       r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")  # fmt: skip


def _is_host_name(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii")  # "bücher.de" as "xn--bcher-kva.de"
    except UnicodeError:
        return False
    return HOST_NAME.fullmatch(ascii_host) is not None


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def _private_literal(host: str) -> bool:
    try:
        return not is_public_address(host)
    except ValueError:  # a name, not an address
        return False


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _check_admin(admin: User) -> None:
    if admin.role is not Role.ADMIN:
        raise DomainError("Only a provider admin can change webhooks.")


def create_subscription(
    admin: User, url: str, event_types: list[str]
) -> tuple[WebhookSubscription, str]:
    """A new subscription of the admin's provider, flushed, and its signing secret, which
    is shown to the admin once. Raises DomainError naming the field at fault."""
    _check_admin(admin)
    url = url.strip()
    if len(url) > URL_LIMIT:
        raise DomainError(f"The address is longer than {URL_LIMIT} characters.", field="url")
    problem = url_problem(url)
    if problem:
        raise DomainError(problem, field="url")
    # The scheme and host are the same in any capitals: kept in small letters, so that an
    # address given twice is found, however it was typed.
    parts = urlsplit(url)
    url = parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()
    chosen = [event for event in EVENTS if event in set(event_types)]
    if not chosen or len(chosen) != len(set(event_types)):
        raise DomainError("Choose at least one of the events listed.", field="events")
    if db.session.scalar(select(WebhookSubscription.id).where(
            WebhookSubscription.provider_id == admin.provider_id, WebhookSubscription.url == url)):  # fmt: skip
        # Two would send each event twice; one address's events are changed on its page.
        raise DomainError("A webhook to this address exists already: to send it other events, "
                          "remove it from the list and add it again.", field="url")  # fmt: skip
    count = db.session.scalar(
        select(func.count(WebhookSubscription.id)).where(
            WebhookSubscription.provider_id == admin.provider_id
        )
    )
    if count >= MAX_SUBSCRIPTIONS:
        raise DomainError(
            f"A provider can have at most {MAX_SUBSCRIPTIONS} webhooks: remove one first."
        )
    secret = _new_secret()
    subscription = WebhookSubscription(
        provider_id=admin.provider_id, url=url, secret_encrypted=encrypt_secret(secret),
        created_by_id=admin.id, events=[WebhookEvent(event_type=e) for e in chosen],
    )  # fmt: skip
    db.session.add(subscription)
    db.session.flush()
    audit.record(
        "webhook.created", provider_id=admin.provider_id, actor=admin,
        object_type="webhook_subscription", object_id=subscription.id,
        after={"url": url, "events": chosen},
        summary=f"Added the webhook {url} for {', '.join(chosen)}"[:300],
    )  # fmt: skip
    return subscription, secret


def new_secret(admin: User, subscription: WebhookSubscription) -> str:
    """Replace the subscription's secret; the old one no longer signs anything. Returns the
    new one, to be shown to the admin once."""
    _check_admin(admin)
    secret = _new_secret()
    subscription.secret_encrypted = encrypt_secret(secret)
    db.session.flush()
    audit.record(
        "webhook.secret_changed", provider_id=admin.provider_id, actor=admin,
        object_type="webhook_subscription", object_id=subscription.id,
        after={"url": subscription.url},
        summary=f"Made a new signing secret for the webhook {subscription.url}"[:300],
    )  # fmt: skip
    return secret


def set_active(admin: User, subscription: WebhookSubscription, active: bool) -> None:
    """Turn a subscription off (nothing more is sent to it, deliveries waiting included) or
    on again."""
    _check_admin(admin)
    if subscription.active is active:
        raise DomainError(f"This webhook is already {'on' if active else 'off'}.")
    subscription.active = active
    db.session.flush()
    audit.record(
        "webhook.turned_on" if active else "webhook.turned_off", provider_id=admin.provider_id,
        actor=admin, object_type="webhook_subscription", object_id=subscription.id,
        before={"active": not active}, after={"active": active, "url": subscription.url},
        summary=f"Turned the webhook {subscription.url} {'on' if active else 'off'}"[:300],
    )  # fmt: skip


def remove(admin: User, subscription: WebhookSubscription) -> None:
    """Remove a subscription and the record of its deliveries."""
    _check_admin(admin)
    audit.record(
        "webhook.removed", provider_id=admin.provider_id, actor=admin,
        object_type="webhook_subscription", object_id=subscription.id,
        before={"url": subscription.url, "events": subscription.event_types},
        summary=f"Removed the webhook {subscription.url}"[:300],
    )  # fmt: skip
    db.session.delete(subscription)
    db.session.flush()


def provider_subscriptions(provider_id: int) -> list[WebhookSubscription]:
    """The provider's subscriptions, oldest first, with their events and who made them."""
    return db.session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.provider_id == provider_id)
        .options(selectinload(WebhookSubscription.events), joinedload(WebhookSubscription.created_by))
        .order_by(WebhookSubscription.id)
    ).all()  # fmt: skip


def recent_deliveries(subscription: WebhookSubscription, limit: int = 50) -> list[WebhookDelivery]:
    """The subscription's latest deliveries, newest first."""
    return db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    ).all()
