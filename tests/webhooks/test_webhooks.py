"""Webhooks: an admin subscribes an address to events; each event is POSTed there signed,
its answer recorded; redirects are not followed; plain HTTP only to hosts the operator allows;
another provider's webhooks answer 404; a delivery can be sent again."""

import re
import time

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.jobs import Job, JobState
from portfolio.jobs import queue as job_queue
from portfolio.webhooks import publish
from portfolio.webhooks.models import EVENTS, WebhookDelivery, WebhookSubscription
from tests.evidence.helpers import INCIDENT
from tests.statements import counting
from tests.stories import Cycle, complete

ALL = list(EVENTS)


@pytest.fixture
def cycle(client, auth, people):
    return Cycle(client, auth, people, "SFJ")


def deliveries(subscription) -> list[WebhookDelivery]:
    return db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id)
    ).all()


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(
    client, auth, people, receiver, loopback_allowed
):
    auth.sign_in(people[Role.ADMIN])
    assert "No webhook has been added yet" in client.get("/webhooks").get_data(as_text=True)
    response = client.post(
        "/webhooks", data={"url": receiver.url, "events": ["evidence.submitted", "unit.signed_off"]}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    secret = re.search(r'id="webhook-secret" class="hash" type="text" value="(whsec_[\w-]+)"', page).group(1)
    assert "This is the only time it is shown" in page
    subscription = db.session.scalar(select(WebhookSubscription))
    assert subscription.event_types == ["evidence.submitted", "unit.signed_off"]
    assert subscription.active and subscription.created_by_id == people[Role.ADMIN].id
    assert secret not in subscription.secret_encrypted  # kept encrypted
    listing = client.get("/webhooks").get_data(as_text=True)
    assert receiver.url in listing and secret not in listing
    assert secret not in client.get(f"/webhooks/{subscription.id}").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "webhook.created"))
    assert event.after == {"url": receiver.url, "events": ["evidence.submitted", "unit.signed_off"]}
    assert secret not in str(event.after)


def test_a_learners_submission_reaches_the_receiver_signed(cycle, subscribe, receiver, people):
    subscription, secret = subscribe("evidence.submitted")
    learner = people[Role.LEARNER]
    learner.mis_id = "MIS-0042"
    db.session.commit()
    item = cycle.add("incident_log", INCIDENT, ["1.1"])

    (request,) = receiver.received
    assert request.path == "/portfolio/events"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Portfolio-Event"] == "evidence.submitted"
    assert request.signed_with(secret)
    assert not request.signed_with("whsec_another")
    assert abs(int(request.headers["X-Portfolio-Timestamp"]) - time.time()) < 60
    event = request.event
    (delivery,) = deliveries(subscription)
    assert request.headers["X-Portfolio-Delivery"] == str(delivery.id)
    assert event["id"] == delivery.event_id and event["type"] == "evidence.submitted"
    assert event["provider"] == {"id": learner.provider_id}
    data = event["data"]
    assert data["evidence"] == {"id": item.id, "version": 1, "kind": "incident_log"}
    assert data["learner"] == {"id": learner.id, "mis_id": "MIS-0042"}
    assert data["enrolment"] == {"id": cycle.enrolment.id}
    assert data["unit"] == {"id": cycle.enrolment.unit_id, "code": cycle.enrolment.unit.code}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["submitted_at"])
    assert item.title not in request.body.decode()  # ids and facts, never the evidence
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 200, None)
    assert delivery.delivered_at is not None


def test_each_event_of_the_cycle_reaches_those_subscribed_to_it(cycle, subscribe, receiver, people):
    _everything, secret = subscribe(*ALL)
    countersigned_only, other_secret = subscribe("unit.countersigned",
                                                 url=receiver.url.replace("events", "iqa"))  # fmt: skip
    theirs, _ = subscribe(*ALL, admin=people["other_admin"], url=receiver.url.replace("events", "theirs"))  # fmt: skip
    complete(cycle)
    assert cycle.post(f"/enrolments/{cycle.enrolment.id}/sign-off/withdraw",
                      {"reason": "The log named a customer; anonymise it."}).status_code == 302  # fmt: skip
    assert cycle.post(f"/enrolments/{cycle.enrolment.id}/sign-off").status_code == 302
    cycle.be(Role.IQA)
    assert cycle.post(f"/enrolments/{cycle.enrolment.id}/countersign").status_code == 302

    assert receiver.events() == [
        "evidence.submitted", "decision.recorded", "unit.signed_off", "signoff.withdrawn",
        "unit.signed_off", "unit.countersigned",
    ]  # fmt: skip
    assert receiver.events("/portfolio/iqa") == ["unit.countersigned"]
    assert receiver.events("/portfolio/theirs") == []
    assert all(r.signed_with(secret) for r in receiver.received if r.path == "/portfolio/events")
    (to_iqa,) = [r for r in receiver.received if r.path == "/portfolio/iqa"]
    assert to_iqa.signed_with(other_secret) and not to_iqa.signed_with(secret)
    # One event sent to two subscriptions: one event id, two deliveries.
    countersigned = [r for r in receiver.received if r.headers["X-Portfolio-Event"] == "unit.countersigned"]  # fmt: skip
    assert len({r.event["id"] for r in countersigned}) == 1
    assert len({r.headers["X-Portfolio-Delivery"] for r in countersigned}) == 2

    by_type = {r.event["type"]: r.event["data"] for r in receiver.received}
    enrolment = {"id": cycle.enrolment.id}
    assert all(data["enrolment"] == enrolment for data in by_type.values())
    decision = by_type["decision.recorded"]["decision"]
    assert decision["outcome"] == "accepted" and decision["assessor_id"] == people[Role.ASSESSOR].id
    withdrawn = by_type["signoff.withdrawn"]["sign_off"]
    assert withdrawn["withdrawn_at"] and "reason" not in withdrawn
    countersign = by_type["unit.countersigned"]["sign_off"]
    assert countersign["iqa_id"] == people[Role.IQA].id and countersign["countersigned_at"]
    assert len(by_type["unit.signed_off"]["sign_off"]["manifest_sha256"]) == 64
    assert (
        db.session.scalar(
            select(func.count(WebhookDelivery.id)).where(WebhookDelivery.delivered_at.is_(None))
        )
        == 0
    )


def test_a_redirect_is_not_followed_and_counts_as_a_failure(app, subscribe, receiver, people):
    subscription, _ = subscribe("unit.signed_off")
    receiver.answer(302)
    publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 1}})
    db.session.commit()

    assert [r.path for r in receiver.received] == ["/portfolio/events"]  # not /elsewhere
    (delivery,) = deliveries(subscription)
    assert delivery.delivered_at is None and delivery.attempts == 1
    assert delivery.last_status_code == 302
    assert "a redirect to http://127.0.0.1:" in delivery.last_error
    assert "which is not followed" in delivery.last_error
    job = db.session.scalar(select(Job).where(Job.kind == "webhook_delivery"))
    assert job.state is JobState.QUEUED and "302" in job.last_error  # to be tried again


def test_a_receiver_error_is_recorded_and_an_admin_sends_it_again(
    client, auth, subscribe, receiver, people
):
    subscription, secret = subscribe("unit.signed_off")
    receiver.answer(500)
    publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 7}})
    db.session.commit()
    (delivery,) = deliveries(subscription)
    assert (delivery.last_status_code, delivery.delivered_at) == (500, None)

    auth.sign_in(people[Role.ADMIN])
    page = client.get(f"/webhooks/{subscription.id}").get_data(as_text=True)
    assert "Not delivered" in page and "The receiver answered 500 Internal Server Error." in page
    response = client.post(f"/webhooks/deliveries/{delivery.id}/send-again")
    assert response.status_code == 302
    db.session.refresh(delivery)
    assert delivery.last_status_code == 200 and delivery.delivered_at is not None
    assert delivery.attempts == 2 and delivery.last_error is None
    first, again = receiver.received
    assert again.event == first.event  # the same event, the same delivery id
    assert again.headers["X-Portfolio-Delivery"] == first.headers["X-Portfolio-Delivery"]
    assert again.signed_with(secret)
    page = client.get(f"/webhooks/{subscription.id}").get_data(as_text=True)
    assert "Delivered" in page and "is being sent again" in page

    # Delivered, it can still be sent again (the receiver lost it).
    assert client.post(f"/webhooks/deliveries/{delivery.id}/send-again").status_code == 302
    assert len(receiver.received) == 3
    resent = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "webhook.delivery_resent")
        .order_by(AuditEvent.seq)
    ).all()
    assert len(resent) == 2 and resent[0].actor_id == people[Role.ADMIN].id


def test_a_delivery_job_run_twice_sends_once(app, subscribe, receiver):
    subscription, _ = subscribe("unit.signed_off")
    publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 1}})
    db.session.commit()
    job = db.session.scalar(select(Job).where(Job.kind == "webhook_delivery"))
    assert job.state is JobState.DONE
    job.state = JobState.QUEUED  # as if its worker was lost after sending
    db.session.commit()
    job_queue.send(job.kind, job.id)
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mis.example.org/events", "The address must start with https://"),
        ("https://127.0.0.1/events", "on this server or a private network"),
        ("https://10.1.2.3/events", "on this server or a private network"),
        ("https://localhost/events", "on this server or a private network"),
        ("https://[::1]/events", "on this server or a private network"),
        # Loopback written in the forms some resolvers read, and names no DNS could hold.
        ("https://0x7f000001/events", "is not a host name"),
        ("https://2130706433/events", "is not a host name"),
        ("https://127.1/events", "is not a host name"),
        ("https://a b.example.org/events", "is not a host name"),
        ("ftp://mis.example.org/events", "Enter the whole address"),
        ("mis.example.org/events", "Enter the whole address"),
        ("https://user:pass@mis.example.org/", "cannot hold a user name or password"),
        ("https://mis.example.org:port/", "Enter the whole address"),
    ],
)
def test_an_address_events_may_not_go_to_is_refused(client, auth, people, url, message):
    auth.sign_in(people[Role.ADMIN])
    response = client.post("/webhooks", data={"url": url, "events": ["unit.signed_off"]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'href="#url"' in page
    assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 0


def test_the_form_says_what_is_missing(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    response = client.post("/webhooks", data={"url": "https://mis.example.org/events"})
    assert response.status_code == 400
    assert "Choose at least one event to send." in response.get_data(as_text=True)
    response = client.post("/webhooks", data={"url": "https://mis.example.org/e",
                                              "events": ["evidence.deleted"]})  # fmt: skip
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 0


def test_an_https_address_on_a_public_host_is_accepted_without_being_allowed(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    response = client.post("/webhooks", data={"url": "https://mis.example.org/events",
                                              "events": ["unit.signed_off"]})  # fmt: skip
    assert response.status_code == 200 and "whsec_" in response.get_data(as_text=True)
    # The same address again would send each event twice.
    for same in (" https://mis.example.org/events", "HTTPS://MIS.Example.org/events"):
        again = client.post("/webhooks", data={"url": same, "events": ["unit.countersigned"]})
        assert again.status_code == 400
        assert "A webhook to this address exists already" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 1


def test_an_address_no_longer_allowed_is_not_sent_to_and_admins_are_told(
    app, subscribe, receiver, monkeypatch
):
    subscription, _ = subscribe("unit.signed_off")
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", [])
    publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 1}})
    db.session.commit()
    assert receiver.received == []
    (delivery,) = deliveries(subscription)
    assert "must start with https://" in delivery.last_error
    job = db.session.scalar(select(Job).where(Job.kind == "webhook_delivery"))
    assert job.state is JobState.FAILED  # trying again would not help


def test_turned_off_nothing_is_sent_and_removed_its_deliveries_go(
    client, auth, subscribe, receiver, people
):
    subscription, _ = subscribe("unit.signed_off")
    auth.sign_in(people[Role.ADMIN])
    assert client.post(f"/webhooks/{subscription.id}/off").status_code == 302
    assert "The webhook is off" in client.get(f"/webhooks/{subscription.id}").get_data(as_text=True)
    assert publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 1}}) == []
    assert client.post(f"/webhooks/{subscription.id}/on").status_code == 302
    publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 1}})
    db.session.commit()
    assert len(receiver.received) == 1
    assert client.post(f"/webhooks/{subscription.id}/remove").status_code == 302
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0
    assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 0
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("webhook.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["webhook.created", "webhook.turned_off", "webhook.turned_on",
                       "webhook.removed"]  # fmt: skip


def test_a_new_secret_signs_from_then_on(client, auth, subscribe, receiver, people):
    subscription, old = subscribe("unit.signed_off")
    auth.sign_in(people[Role.ADMIN])
    response = client.post(f"/webhooks/{subscription.id}/secret")
    assert response.status_code == 200
    new = re.search(r'value="(whsec_[\w-]+)"', response.get_data(as_text=True)).group(1)
    assert new != old
    publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 1}})
    db.session.commit()
    (request,) = receiver.received
    assert request.signed_with(new) and not request.signed_with(old)


def test_another_providers_webhooks_answer_404_and_only_admins_may_open_them(
    client, auth, subscribe, people
):
    subscription, _ = subscribe("unit.signed_off")
    publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 1}})
    db.session.commit()
    (delivery,) = deliveries(subscription)
    auth.sign_in(people["other_admin"])
    assert subscription.url not in client.get("/webhooks").get_data(as_text=True)
    assert client.get(f"/webhooks/{subscription.id}").status_code == 404
    for url in (f"/webhooks/{subscription.id}/off", f"/webhooks/{subscription.id}/secret",
                f"/webhooks/{subscription.id}/remove",
                f"/webhooks/deliveries/{delivery.id}/send-again"):  # fmt: skip
        assert client.post(url).status_code == 404, url
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    assert client.get("/webhooks").status_code == 403
    assert client.get(f"/webhooks/{subscription.id}").status_code == 403
    assert db.session.get(WebhookSubscription, subscription.id).active


def test_finding_who_is_sent_an_event_is_one_statement(app, subscribe, people, receiver):
    provider_id = people[Role.ADMIN].provider_id
    with counting(db.engine) as none_subscribed:
        assert publish(provider_id, "evidence.submitted", {"evidence": {"id": 1}}) == []
    assert len(none_subscribed) == 1
    for n in range(3):  # three addresses (one address is subscribed once)
        subscribe("evidence.submitted", url=f"{receiver.url}?n={n}")
    with counting(db.engine) as found:
        assert len(publish(provider_id, "evidence.submitted", {"evidence": {"id": 1}})) == 3
    assert sum("FROM webhook_subscription" in s for s in found) == 1
