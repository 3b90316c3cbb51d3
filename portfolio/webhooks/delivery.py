"""Sending events to webhooks: ``publish`` makes a delivery per subscription and queues a job
for each; the job POSTs the event, signed, and records how the receiver answered
(docs/webhooks.md)."""

import hashlib
import hmac
import json
import socket
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.accounts.sso import decrypt_secret
from portfolio.audit import trail as audit
from portfolio.db import db, utcnow
from portfolio.errors import DomainError
from portfolio.jobs import Transient, enqueue, job
from portfolio.webhooks.models import EVENTS, WebhookDelivery, WebhookEvent, WebhookSubscription
from portfolio.webhooks.subscriptions import allowed_hosts, is_public_address, url_problem

# Seconds to wait for the receiver to connect, and again to answer.
TIMEOUT = 5
# Tried again 5 times after the first, waiting WEBHOOK_RETRY_DELAY seconds (60), then twice
# as long each time: the last try is about half an hour after the first. The delay is the
# app's setting, applied to this kind when the app starts (webhooks.views).
RETRIES = 5
USER_AGENT = "Portfolio-Webhooks/1"


class DeliveryRefused(Exception):
    """A delivery that trying again would not help: the address is no longer allowed, or
    the secret cannot be read. The job fails at once and the provider's admins are told."""


def _json_default(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    raise TypeError(f"{type(value).__name__} is not JSON")


def body_of(payload: dict) -> bytes:
    """The bytes sent, and signed: the same for every attempt of a delivery."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_default).encode("utf-8")  # fmt: skip


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256, keyed with the secret, of ``<timestamp>.<body>``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def enrolment_facts(enrolment) -> dict:
    """Who and what an event is about, by id: the enrolment, its learner (with their MIS id,
    when the provider's MIS gave one), the unit and the qualification."""
    return {
        "enrolment": {"id": enrolment.id},
        "learner": {"id": enrolment.learner_id, "mis_id": enrolment.learner.mis_id},
        "unit": {"id": enrolment.unit_id, "code": enrolment.unit.code},
        "qualification": {"id": enrolment.qualification_id},
    }


def publish(provider_id: int, event_type: str, data: dict) -> list[WebhookDelivery]:
    """Queue the event for each of the provider's subscriptions that chose it, one statement
    to find them; each delivery is sent by a job once the caller's transaction commits."""
    if event_type not in EVENTS:
        raise ValueError(f"no webhook event {event_type!r}")
    subscriptions = db.session.execute(
        select(WebhookSubscription.id, WebhookSubscription.url)
        .join(WebhookEvent, WebhookEvent.subscription_id == WebhookSubscription.id)
        .where(
            WebhookSubscription.provider_id == provider_id,
            WebhookSubscription.active.is_(True),
            WebhookEvent.event_type == event_type,
        )
        .order_by(WebhookSubscription.id)
    ).all()
    if not subscriptions:
        return []
    event = {
        "id": str(uuid.uuid4()), "type": event_type, "created_at": utcnow(),
        "provider": {"id": provider_id}, "data": data,
    }  # fmt: skip
    payload = json.loads(body_of(event))  # datetimes as ISO 8601 text, as stored and sent
    deliveries = [
        WebhookDelivery(
            provider_id=provider_id,
            subscription_id=subscription.id,
            event_id=payload["id"],
            event_type=event_type,
            payload=payload,
        )  # fmt: skip
        for subscription in subscriptions
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    for delivery, subscription in zip(deliveries, subscriptions, strict=True):
        _queue(delivery, subscription.url)
    return deliveries


def _queue(delivery: WebhookDelivery, url: str, requested_by_id: int | None = None) -> None:
    enqueue(webhook_delivery, delivery.id, provider_id=delivery.provider_id,
            label=f"Webhook {delivery.event_type} to {url}", requested_by_id=requested_by_id)  # fmt: skip


def send_again(admin: User, delivery: WebhookDelivery) -> None:
    """An admin sends a delivery again (a receiver lost it, or was down past the last
    retry): a new job for the same delivery, with the same event id."""
    subscription = delivery.subscription
    if not subscription.active:
        raise DomainError("This webhook is off: turn it on before sending anything again.")
    _queue(delivery, subscription.url, requested_by_id=admin.id)
    audit.record(
        "webhook.delivery_resent", provider_id=admin.provider_id, actor=admin,
        object_type="webhook_delivery", object_id=delivery.id,
        after={"event": delivery.event_id, "type": delivery.event_type, "url": subscription.url},
        summary=f"Sent the {delivery.event_type} event again to {subscription.url}"[:300],
    )  # fmt: skip


@job("webhook_delivery", retries=RETRIES, retry_delay="WEBHOOK_RETRY_DELAY")
def webhook_delivery(run, delivery_id: int) -> dict:
    """POST a delivery's event to its subscription's address: a 2xx answer delivers it; any
    other answer, a redirect included, or none within TIMEOUT is recorded and tried again."""
    import requests

    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return {"sent": False, "why": "the webhook was removed"}
    # Run twice (a worker lost after sending): not sent again. A later job ("Send again")
    # was made after the last delivery, so it sends.
    if delivery.delivered_at is not None and delivery.delivered_at >= run.job.created_at:
        return {"sent": True, "status": delivery.last_status_code}
    subscription = delivery.subscription
    if not subscription.active:
        return {"sent": False, "why": "the webhook is off"}
    delivery.attempts += 1
    delivery.last_attempt_at = utcnow()
    secret = decrypt_secret(subscription.secret_encrypted)
    if secret is None:
        _refuse(delivery, "The signing secret cannot be read (the app's SECRET_KEY changed): "
                          "make a new secret on the webhook's page.")  # fmt: skip
    try:
        problem = url_problem(subscription.url) or _resolves_privately(subscription.url)
    except OSError as error:
        _failed(delivery, None, f"The address's host could not be found ({error}).")
    if problem:
        _refuse(delivery, problem)
    body = body_of(delivery.payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portfolio-Event": delivery.event_type,
        "X-Portfolio-Delivery": str(delivery.id),
        "X-Portfolio-Timestamp": timestamp,
        "X-Portfolio-Signature": signature(secret, timestamp, body),
    }
    try:
        # The answer's body is never read: stream, then close.
        with requests.post(subscription.url, data=body, headers=headers, timeout=TIMEOUT,
                           allow_redirects=False, stream=True) as response:  # fmt: skip
            status, reason = response.status_code, response.reason
            location = response.headers.get("Location")
    except requests.Timeout:
        _failed(delivery, None, f"No answer within {TIMEOUT} seconds.")
    except requests.RequestException as error:
        _failed(delivery, None, f"Could not reach the address: {type(error).__name__}.")
    if 200 <= status < 300:
        delivery.last_status_code, delivery.last_error = status, None
        delivery.delivered_at = utcnow()
        db.session.commit()
        return {"sent": True, "status": status}
    answer = f"The receiver answered {status} {reason or ''}".rstrip()
    if 300 <= status < 400:
        answer += (f", a redirect{' to ' + location[:500] if location else ''}, which is not "
                   "followed: subscribe the address it names instead")  # fmt: skip
    _failed(delivery, status, answer + ".")


def _failed(delivery: WebhookDelivery, status: int | None, error: str) -> None:
    """Record a failed attempt (committed: the job's failure rolls back the rest) and raise
    Transient, so that the job is tried again after its back-off."""
    delivery.last_status_code, delivery.last_error = status, error
    db.session.commit()
    raise Transient(error)


def _refuse(delivery: WebhookDelivery, error: str) -> None:
    delivery.last_status_code, delivery.last_error = None, error
    db.session.commit()
    raise DeliveryRefused(error)


def _resolves_privately(url: str) -> str | None:
    """For a host not allowed in WEBHOOK_ALLOWED_HOSTS: a problem when its name resolves to an
    address on this machine or a private network. A name that could not be resolved raises
    OSError, a failure tried again."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in allowed_hosts():
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    if any(not is_public_address(info[4][0]) for info in found):
        return (
            f"{host} resolves to an address on this server or a private network, which "
            "events are not sent to; the operator can allow the host in WEBHOOK_ALLOWED_HOSTS."
        )
    return None
