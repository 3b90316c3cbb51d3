import signal

import pytest

from portfolio.db import db
from tests.conftest import make_app
from tests.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "redis"])
def queued_app(request, tmp_path):
    """An app whose jobs go through a real queue, in SQLite or in Redis, to a worker: its own
    SQLite database, as a worker's connections are its own."""
    config = {"JOBS_IMMEDIATE": False, "JOBS_HEARTBEAT_SECONDS": 1,
              "JOBS_QUEUE_PATH": str(tmp_path / "jobs.sqlite3")}  # fmt: skip
    if request.param == "redis":
        config["REDIS_URL"] = request.getfixturevalue("redis_server").url
    app = make_app("sqlite:///" + str(tmp_path / "app.sqlite3"), **config)
    app.extensions["portfolio.jobs"].huey.flush()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def worker(queued_app):
    """Huey's consumer for ``queued_app``, with two worker threads, in this process."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = queued_app.extensions["portfolio.jobs"].huey.create_consumer(
        workers=2, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.2
    )
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)
    for number, handler in handlers.items():
        signal.signal(number, handler)
