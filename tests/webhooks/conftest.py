import uuid

import pytest

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.webhooks.subscriptions import create_subscription
from tests.conftest import make_app
from tests.jobs.conftest import worker  # noqa: F401  (a fixture, run with queued_app below)
from tests.webhooks.receiver import Receiver

RETRY_DELAY = 0.2  # seconds before the first retry, doubled each time after


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def loopback_allowed(app, monkeypatch):
    """The receiver's host allowed, as an operator allows one in WEBHOOK_ALLOWED_HOSTS."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", ["127.0.0.1"])


@pytest.fixture
def subscribe(loopback_allowed, receiver, people):
    """Subscribe the receiver to events as the provider's admin; returns the row and secret."""

    def make(*events, admin=None, url=None):
        made = create_subscription(admin or people[Role.ADMIN], url or receiver.url,
                                   list(events))  # fmt: skip
        db.session.commit()
        return made

    return make


@pytest.fixture(params=["sqlite", "postgresql"])
def queued_app(request, tmp_path):
    """An app whose jobs go through a real queue to a worker, on a database of its own (a
    worker's connections are its own), allowing the loopback receiver."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path / "app.sqlite3")
    else:
        url = request.getfixturevalue("postgres_cluster").create_database(
            f"hooks_{uuid.uuid4().hex[:16]}"
        )
    app = make_app(url, JOBS_IMMEDIATE=False, JOBS_HEARTBEAT_SECONDS=1,
                   JOBS_QUEUE_PATH=str(tmp_path / "jobs.sqlite3"),
                   WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"], WEBHOOK_RETRY_DELAY=RETRY_DELAY)  # fmt: skip
    app.extensions["portfolio.jobs"].huey.flush()
    yield app
    with app.app_context():
        db.engine.dispose()
