"""A delivery the receiver refuses is tried again by a real worker, with back-off, until it
is delivered or its retries run out."""

import time

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.jobs import Job, JobState
from portfolio.notifications.models import Notification
from portfolio.webhooks.models import WebhookDelivery
from portfolio.webhooks.subscriptions import create_subscription
from tests import factories


def submit_evidence(app, receiver) -> tuple[int, int, str]:
    """A learner submits evidence to a provider whose admin subscribed the receiver; returns
    the provider's and the admin's ids and the secret."""
    with app.app_context():
        provider = factories.make_provider()
        admin = factories.make_user(provider, Role.ADMIN)
        learner = factories.make_user(provider, Role.LEARNER)
        assessor = factories.make_user(provider, Role.ASSESSOR)
        _subscription, secret = create_subscription(admin, receiver.url, ["evidence.submitted"])
        enrolment = factories.make_enrolment(learner, body="SFJ", assessor=assessor)
        db.session.commit()
        factories.submitted(learner, enrolment)
        db.session.commit()  # the delivery's job reaches the queue
        ids = provider.id, admin.id
        db.session.remove()
    return *ids, secret


def wait_for_job(app, *states, seconds=30) -> Job:
    deadline = time.monotonic() + seconds
    while True:
        with app.app_context():
            record = db.session.scalar(select(Job).where(Job.kind == "webhook_delivery"))
            db.session.expunge_all()
            db.session.remove()
        if (record and record.state in states) or time.monotonic() > deadline:
            assert record and record.state in states, record and (record.state, record.last_error)
            return record
        time.sleep(0.05)


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_try(queued_app, worker, receiver):
    receiver.answer(503, 500)
    _provider_id, _admin_id, secret = submit_evidence(queued_app, receiver)
    job = wait_for_job(queued_app, JobState.DONE)
    assert job.attempts == 3
    first, second, third = receiver.received
    assert [r.headers["X-Portfolio-Event"] for r in receiver.received] == ["evidence.submitted"] * 3
    assert first.body == second.body == third.body  # the same event each time
    assert third.signed_with(secret)
    with queued_app.app_context():
        delivery = db.session.scalar(select(WebhookDelivery))
        assert delivery.attempts == 3 and delivery.last_status_code == 200
        assert delivery.delivered_at is not None and delivery.last_error is None


def test_a_receiver_that_never_answers_2xx_fails_the_job_and_admins_are_told(
    queued_app, worker, receiver
):
    receiver.answer(*[500] * 10)
    _provider_id, admin_id, _secret = submit_evidence(queued_app, receiver)
    job = wait_for_job(queued_app, JobState.FAILED, seconds=60)
    assert job.attempts == 6  # the first try and five retries
    assert len(receiver.received) == 6
    assert "The receiver answered 500" in job.last_error
    with queued_app.app_context():
        delivery = db.session.scalar(select(WebhookDelivery))
        assert delivery.attempts == 6 and delivery.delivered_at is None
        assert delivery.last_status_code == 500
    deadline = time.monotonic() + 10  # the admins are told just after the job is failed
    while True:
        with queued_app.app_context():
            told = db.session.scalars(
                select(Notification.kind).where(Notification.recipient_id == admin_id)
            ).all()
        if told or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert told == ["job_failed"]
