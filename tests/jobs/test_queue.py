"""Jobs: kept as rows, sent on commit, run by a worker from SQLite or Redis, tried again with
back-off when the failure is transient, failed with the error when it is not, and sent again
when their worker is lost."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portfolio.accounts.models import Role
from portfolio.db import db, utcnow
from portfolio.jobs import Job, JobState, Transient, enqueue, job
from portfolio.jobs import queue as job_queue
from tests import factories

CALLS: list = []


@job("test_echo")
def echo(run, value):
    run.progress(1, 2)
    CALLS.append(value)
    return {"value": value}


@job("test_flaky", retries=3, retry_delay=1)
def flaky(run, failures):
    CALLS.append(time.monotonic())
    if run.job.attempts <= failures:
        raise Transient(f"the server did not answer (attempt {run.job.attempts})")
    return {"attempts": run.job.attempts}


@job("test_broken", retries=3)
def broken(run, fail):
    if fail and not CALLS:
        CALLS.append("failed")
        raise ValueError("row 3 has no email address")
    return {"fixed": True}


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def wait_for(app, job_id, *states, seconds=30) -> Job:
    deadline = time.monotonic() + seconds
    while True:
        with app.app_context():
            record = db.session.get(Job, job_id)
            db.session.expunge_all()
            db.session.remove()
        if record.state in states or time.monotonic() > deadline:
            assert record.state in states, (record.state, record.last_error)
            return record
        time.sleep(0.05)


# Jobs run at once (the tests' immediate mode), on SQLite and PostgreSQL.


def test_a_job_reaches_the_queue_when_its_transaction_commits_and_not_before(app, provider):
    record = enqueue(echo, "hello", provider_id=provider.id, label="Echo")
    assert CALLS == [] and record.state is JobState.QUEUED
    db.session.commit()
    db.session.refresh(record)
    assert CALLS == ["hello"]
    assert record.state is JobState.DONE and record.result == {"value": "hello"}
    assert (record.attempts, record.progress_done, record.progress_total) == (1, 2, 2)


def test_a_job_of_a_transaction_rolled_back_never_runs(app, provider):
    db.session.commit()
    enqueue(echo, "never", provider_id=provider.id, label="Echo")
    db.session.rollback()
    enqueue(echo, "later", provider_id=provider.id, label="Echo")
    db.session.commit()
    assert CALLS == ["later"]


def test_a_job_that_fails_says_why_and_an_admin_tries_it_again(client, auth, people, provider):
    admin = people[Role.ADMIN]
    record = enqueue(broken, True, provider_id=provider.id, label="Import of learners.csv",
                     requested_by_id=admin.id)  # fmt: skip
    db.session.commit()
    db.session.refresh(record)
    assert record.state is JobState.FAILED and record.attempts == 1  # not transient: no retry
    assert record.last_error == "ValueError: row 3 has no email address"
    auth.sign_in(admin)
    listing = client.get("/jobs?state=failed").get_data(as_text=True)
    assert "Import of learners.csv" in listing and "row 3 has no email address" in listing
    page = client.get(f"/jobs/{record.id}").get_data(as_text=True)
    assert "The job failed" in page and "Try again" in page
    assert client.post(f"/jobs/{record.id}/retry").status_code == 303
    db.session.refresh(record)
    assert record.state is JobState.DONE and record.result == {"fixed": True}
    assert client.post(f"/jobs/{record.id}/retry").status_code == 303  # done: refused
    assert "Only a failed job" in client.get(f"/jobs/{record.id}").get_data(as_text=True)


def test_who_may_see_a_job(client, auth, people, provider):
    learner = people[Role.LEARNER]
    mine = enqueue(echo, 1, provider_id=provider.id, label="Mine", requested_by_id=learner.id)
    theirs = enqueue(echo, 2, provider_id=provider.id, label="Theirs")
    other = enqueue(echo, 3, provider_id=people["other_admin"].provider_id, label="Other's")
    db.session.commit()
    auth.sign_in(learner)
    assert client.get(f"/jobs/{mine.id}").status_code == 200
    status = client.get(f"/jobs/{mine.id}/status").get_json()
    assert status["state"] == "done" and status["finished"] and status["percent"] == 100
    assert client.get(f"/jobs/{theirs.id}").status_code == 404
    assert client.get("/jobs").status_code == 403
    auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    assert client.get(f"/jobs/{theirs.id}").status_code == 200
    for url in (f"/jobs/{other.id}", f"/jobs/{other.id}/status"):
        assert client.get(url).status_code == 404
    assert client.post(f"/jobs/{other.id}/retry").status_code == 404
    assert "Other&#39;s" not in client.get("/jobs").get_data(as_text=True)


def test_the_jobs_page_says_what_to_do_when_there_are_none(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    assert "No job yet" in client.get("/jobs").get_data(as_text=True)


# Jobs through a real queue (SQLite or Redis) to a worker.


def test_a_worker_runs_jobs_from_the_queue(queued_app, worker):
    with queued_app.app_context():
        provider = factories.make_provider()
        ids = [enqueue(echo, n, provider_id=provider.id, label=f"Echo {n}").id for n in range(5)]
        db.session.commit()
    for job_id in ids:
        assert wait_for(queued_app, job_id, JobState.DONE).result is not None
    assert sorted(CALLS) == list(range(5))


def test_a_transient_failure_is_tried_again_after_a_growing_wait(queued_app, worker):
    with queued_app.app_context():
        record = enqueue(flaky, 2, provider_id=None, label="Flaky")
        db.session.commit()
        job_id = record.id
    done = wait_for(queued_app, job_id, JobState.DONE)
    assert done.attempts == 3 and done.result == {"attempts": 3} and done.last_error is None
    first_wait, second_wait = CALLS[1] - CALLS[0], CALLS[2] - CALLS[1]
    assert first_wait >= 1 and second_wait >= 2  # 1 s, then twice as long


def test_a_failure_that_is_not_transient_fails_at_once_with_its_error(queued_app, worker):
    with queued_app.app_context():
        job_id = enqueue(broken, True, provider_id=None, label="Broken").id
        db.session.commit()
    failed = wait_for(queued_app, job_id, JobState.FAILED)
    assert failed.attempts == 1 and "row 3 has no email address" in failed.last_error


def test_jobs_a_lost_worker_left_are_sent_again_and_run_once(queued_app):
    """A job running when its worker died (its heart stopped) and a job committed but never
    sent (its process stopped first) are both found, sent and run once."""
    with queued_app.app_context():
        running = Job(kind="test_echo", label="Lost while running", arguments=["running"],
                      state=JobState.RUNNING, attempts=1, heartbeat_at=utcnow() - timedelta(minutes=5))  # fmt: skip
        unsent = Job(kind="test_echo", label="Never sent", arguments=["unsent"],
                     queued_at=utcnow() - timedelta(minutes=5))  # fmt: skip
        beating = Job(kind="test_echo", label="Still running", arguments=["beating"],
                      state=JobState.RUNNING, attempts=1, heartbeat_at=utcnow())  # fmt: skip
        db.session.add_all([running, unsent, beating])
        db.session.commit()
        ids = running.id, unsent.id, beating.id
        assert job_queue.recover() == 2
        assert job_queue.recover() == 0  # what it sent is in the queue now
        huey = job_queue.current().huey
        assert {t.args[0] for t in huey.pending()} == set(ids[:2])
        db.session.execute(update(Job).where(Job.id == ids[2]).values(state=JobState.DONE))
        db.session.commit()
    while huey.pending_count():  # as a worker does
        huey.execute(huey.dequeue())
    for job_id in ids[:2]:
        assert wait_for(queued_app, job_id, JobState.DONE).attempts in (1, 2)
    assert sorted(CALLS) == ["running", "unsent"]
    with queued_app.app_context():
        note = db.session.scalar(select(Job.last_error).where(Job.id == ids[0]))
    assert note is None  # cleared once it ran


def test_a_job_saved_while_the_queue_cannot_be_reached_stays_queued_and_is_sent_later(tmp_path):
    """Redis down when a job is committed: the job is kept, queued, and the person who asked
    sees no error; once Redis answers, recovery sends it."""
    from tests.conftest import make_app
    from tests.redis_server import RedisServer

    server = RedisServer()  # its port, with nothing listening yet
    app = make_app("sqlite:///" + str(tmp_path / "app.sqlite3"), JOBS_IMMEDIATE=False,
                   JOBS_HEARTBEAT_SECONDS=1, REDIS_URL=server.url)  # fmt: skip
    try:
        with app.app_context():
            record = enqueue(echo, "kept", provider_id=None, label="Kept")
            db.session.commit()  # no exception: the commit stands
            job_id = record.id
            db.session.expire_all()
            assert db.session.get(Job, job_id).state is JobState.QUEUED
            server.start()
            db.session.execute(update(Job).where(Job.id == job_id)
                               .values(queued_at=utcnow() - timedelta(minutes=1)))  # fmt: skip
            db.session.commit()
            assert job_queue.recover() == 1
            assert [t.args[0] for t in job_queue.current().huey.pending()] == [job_id]
            db.engine.dispose()
    finally:
        server.stop()
