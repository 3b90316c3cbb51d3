"""Background jobs: Huey carries each job's id to a worker; the ``job`` table keeps the rest.

Huey stores its queue in SQLite beside the app's database (``instance/jobs.sqlite3``), or in
Redis when ``REDIS_URL`` is set, so that web and worker processes on several machines share
one queue. Huey takes a message off its queue before the job runs, so a worker killed with
SIGKILL would lose it; the ``job`` row is what makes a job durable. A running job's worker
beats a heart on its row, and every worker looks now and then (``recover``) for jobs whose
heart stopped or that never reached the queue, and sends them again. A job therefore runs at
least once, and each job is written to be safe to run twice.
"""

import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from portfolio.db import db, utcnow
from portfolio.jobs.models import Job, JobState

log = logging.getLogger(__name__)


class Transient(Exception):
    """A failure worth trying again later (a server that did not answer, say)."""


class Wait(Exception):
    """Raised by a job that waits on others (the PDFs an EQA's ZIP needs): it is put back on
    the queue to look again in ``seconds``, its worker free meanwhile; no attempt is counted."""

    def __init__(self, seconds: float = 2):
        super().__init__(f"waiting {seconds} s")
        self.seconds = seconds


# What counts as transient besides ``Transient``: the network and the mail server.
TRANSIENT = (Transient, OSError, smtplib.SMTPException)


@dataclass(frozen=True)
class JobKind:
    kind: str
    function: Callable
    retries: int
    retry_delay: int | str

    @property
    def max_attempts(self) -> int:
        return self.retries + 1


KINDS: dict[str, JobKind] = {}
PERIODIC: list[tuple[Any, Callable]] = []


class Queue:
    """An app's queue: its Huey, and the Huey task of each kind of job, made when first used
    (so that a command that sends no job, such as ``flask criteria list``, never loads Huey and
    the Redis and PostgreSQL clients it imports)."""

    def __init__(self, app: Flask):
        self.app = app

    @property
    def huey(self):
        return self._made[0]

    def task(self, kind: str):
        """The Huey task that runs jobs of this kind."""
        return self._made[1][kind]

    @cached_property
    def _made(self) -> tuple[Any, dict[str, Any]]:
        """Huey's immediate mode when JOBS_IMMEDIATE (the tests), Redis when REDIS_URL, else
        SQLite in the instance folder; with a task for every kind of job and every periodic
        task, each run in an app context of this app."""
        from huey import Huey, RedisHuey, SqliteHuey, crontab

        app = self.app
        if app.config["JOBS_IMMEDIATE"]:
            huey = Huey("portfolio", results=False, immediate=True)
        elif app.config.get("REDIS_URL"):
            huey = RedisHuey("portfolio", results=False, url=app.config["REDIS_URL"])
        else:
            path = app.config.get("JOBS_QUEUE_PATH") or Path(app.instance_path) / "jobs.sqlite3"
            huey = SqliteHuey("portfolio", results=False, filename=str(path))
        tasks = {}
        for kind in KINDS.values():
            delay = kind.retry_delay
            if isinstance(delay, str):  # the name of a setting
                delay = app.config[delay]
            tasks[kind.kind] = huey.task(
                retries=kind.retries, retry_delay=delay, retry_backoff=2, context=True,
                name=kind.kind,
            )(_task(app, kind.kind))  # fmt: skip
        for schedule, function in PERIODIC:
            huey.periodic_task(crontab(**schedule), name=function.__name__)(
                _periodic(app, function)
            )
        return huey, tasks

    def describe(self) -> str:
        if self.huey.immediate:
            return "nowhere (jobs run at once)"
        kwargs = self.huey.storage_kwargs
        return f"Redis at {kwargs['url']}" if "url" in kwargs else f"SQLite at {kwargs['filename']}"


def configure(app: Flask) -> None:
    """Give the app its queue, knowing every kind of job the modules in JOB_MODULES declare."""
    from portfolio.jobs import JOB_MODULES

    for name in JOB_MODULES:
        import_module(name)
    app.extensions["portfolio.jobs"] = Queue(app)


def current() -> Queue:
    return current_app.extensions["portfolio.jobs"]


def _task(app: Flask, kind: str):
    # A job runs in an app context of its own (its own session, even when run at once by the
    # process that committed it), as if asked for at the app's public address, so that what
    # it renders (a PDF's links, an email's) can build links with url_for, as a page would.
    def execute(job_id: int, task=None):
        with app.app_context(), app.test_request_context(base_url=app.config.get("PUBLIC_URL")):
            return _execute(kind, job_id, task)

    execute.__name__ = execute.__qualname__ = kind
    return execute


def _periodic(app: Flask, function: Callable):
    def execute():
        with app.app_context():
            try:
                return function()
            finally:
                db.session.remove()

    execute.__name__ = execute.__qualname__ = function.__name__
    return execute


def job(kind: str, *, retries: int = 3, retry_delay: int | str = 10):
    """Declare a kind of job. The function is called as ``function(run, *arguments)`` in an
    app context in a worker; transient failures (``TRANSIENT``) are tried again ``retries``
    times, waiting ``retry_delay`` seconds (or the app's setting of that name) and twice as
    long each time after."""

    def declare(function: Callable) -> JobKind:
        declared = KINDS[kind] = JobKind(kind, function, retries, retry_delay)
        return declared

    return declare


def periodic(**schedule):
    """A task the worker runs on a schedule, given as ``huey.crontab``'s arguments (minute,
    hour, day, month, day_of_week), in an app context. It keeps no row of its own; work worth
    watching it should ``enqueue`` as jobs."""

    def declare(function: Callable):
        PERIODIC.append((schedule, function))
        return function

    return declare


def enqueue(
    kind: JobKind, *arguments, provider_id: int | None, label: str, requested_by_id=None
) -> Job:
    """Add a job to the session; it reaches the queue once the session commits (and not at
    all if it rolls back), so a worker never looks for a row that is not there yet."""
    record = Job(
        provider_id=provider_id, requested_by_id=requested_by_id, kind=kind.kind,
        label=label[:200], arguments=list(arguments), max_attempts=kind.max_attempts,
    )  # fmt: skip
    db.session.add(record)
    db.session.flush()
    _to_send(db.session()).append((record.kind, record.id))
    return record


def retry(record: Job) -> None:
    """Queue a failed job again, with its attempts counted afresh."""
    if record.state is not JobState.FAILED:
        raise ValueError("only a failed job is tried again")
    record.state, record.attempts, record.queued_at = JobState.QUEUED, 0, utcnow()
    record.progress_done, record.finished_at = 0, None
    _to_send(db.session()).append((record.kind, record.id))


def _to_send(session: Session) -> list[tuple[str, int]]:
    return session.info.setdefault("portfolio.jobs", [])


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    waiting = session.info.pop("portfolio.jobs", None)
    queue = current()
    for kind, job_id in waiting or ():
        if queue.huey.immediate:  # the job runs here and now: its own failures are its own
            send(kind, job_id)
            continue
        try:
            send(kind, job_id)
        except Exception:  # noqa: BLE001  (Redis or the queue's file refused: any error)
            # The job is saved, queued: the page that asked for it shows it so, and a
            # worker's ``recover`` sends it once the queue answers again.
            log.exception("job %s is saved but could not be put on the queue; a worker "
                          "sends it once the queue can be reached", job_id)  # fmt: skip


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop("portfolio.jobs", None)


def send(kind: str, job_id: int) -> None:
    current().task(kind)(job_id)


class Run:
    """What a job's function is given: its row, and a way to report progress."""

    def __init__(self, record: Job):
        self.job = record

    def progress(self, done: int, total: int | None = None) -> None:
        """Record how far the job has got, and commit: call it between whole steps."""
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        self.job.heartbeat_at = utcnow()
        db.session.commit()


def _execute(kind: str, job_id: int, task) -> None:
    app = current_app._get_current_object()
    try:
        if not _claim(job_id):
            return  # done, failed for good, or running in another worker
        record = db.session.get(Job, job_id)
        with _heartbeat(app, job_id):
            result = KINDS[kind].function(Run(record), *record.arguments)
        record.state, record.finished_at, record.result = JobState.DONE, utcnow(), result
        if record.progress_total:
            record.progress_done = record.progress_total
        record.last_error = None
        db.session.commit()
    except Wait as waiting:
        db.session.rollback()
        db.session.execute(
            update(Job).where(Job.id == job_id)
            .values(state=JobState.QUEUED, attempts=Job.attempts - 1, queued_at=utcnow())
        )  # fmt: skip
        db.session.commit()
        from huey.exceptions import RetryTask

        raise RetryTask(delay=waiting.seconds) from None
    except Exception as error:
        db.session.rollback()
        again = isinstance(error, TRANSIENT) and task is not None and task.retries > 0
        _record_failure(job_id, error, again)
        if again:
            raise  # Huey tries it again after its back-off
    finally:
        db.session.remove()


def _claim(job_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, attempts=Job.attempts + 1, started_at=now,
                heartbeat_at=now)
    ).rowcount  # fmt: skip
    db.session.commit()
    return claimed == 1


def _record_failure(job_id: int, error: Exception, again: bool) -> None:
    log.error("job %s failed%s", job_id, ", to be tried again" if again else "", exc_info=error)
    message = str(getattr(error, "message", None) or error) or type(error).__name__
    record = db.session.get(Job, job_id)
    record.last_error = f"{type(error).__name__}: {message}"[:2000]
    if again:
        record.state, record.queued_at = JobState.QUEUED, utcnow()
    else:
        record.state, record.finished_at = JobState.FAILED, utcnow()
    db.session.commit()
    if not again and record.provider_id is not None:
        _tell_admins(record)


def _tell_admins(record: Job) -> None:
    try:
        from portfolio.notifications import notify_admins
    except ImportError:
        return
    # An email that failed is not followed by another email at once: were an admin's own
    # address the one that cannot be sent to, each notice would fail in turn and tell again.
    notify_admins(record.provider_id, "job_failed", job_id=record.id, label=record.label,
                  email=record.kind != "email")  # fmt: skip
    db.session.commit()


class _heartbeat:
    """While a job runs in a worker, a thread stamps its row every JOBS_HEARTBEAT_SECONDS, on
    a connection of its own. Jobs run at once (immediate mode) need none."""

    def __init__(self, app: Flask, job_id: int):
        self.app, self.job_id = app, job_id
        self.stop = threading.Event()
        self.thread = None

    def __enter__(self):
        if not self.app.extensions["portfolio.jobs"].huey.immediate:
            self.thread = threading.Thread(target=self.beat, daemon=True, name="job-heartbeat")
            self.thread.start()
        return self

    def beat(self):
        seconds = self.app.config["JOBS_HEARTBEAT_SECONDS"]
        while not self.stop.wait(seconds):
            with self.app.app_context():
                try:
                    with db.engine.begin() as connection:
                        connection.execute(
                            update(Job).where(Job.id == self.job_id).values(heartbeat_at=utcnow())
                        )
                except Exception:  # noqa: BLE001  (a missed beat is tried again next time)
                    log.warning("job %s: heartbeat not recorded", self.job_id, exc_info=True)

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


def recover() -> int:
    """Send again the jobs a worker lost: running ones whose heart stopped (the worker was
    killed) and queued ones the queue does not hold (a process that stopped between commit and
    send). Returns how many were sent."""
    seconds = current_app.config["JOBS_HEARTBEAT_SECONDS"]
    huey = current().huey
    now = utcnow()
    stopped = db.session.execute(
        update(Job)
        .where(Job.state == JobState.RUNNING, Job.heartbeat_at < now - timedelta(seconds=3 * seconds))
        .values(state=JobState.QUEUED, queued_at=now,
                last_error="Its worker stopped while running it, so it was run again.")
        .returning(Job.id, Job.kind)
    ).all()  # fmt: skip
    db.session.commit()
    held = {task.args[0] for task in huey.pending() + huey.scheduled() if task.args}
    unsent = db.session.execute(
        select(Job.id, Job.kind).where(
            Job.state == JobState.QUEUED, Job.queued_at < now - timedelta(seconds=seconds)
        )
    ).all()
    lost = dict(stopped) | {job_id: kind for job_id, kind in unsent if job_id not in held}
    for job_id, kind in lost.items():
        if kind in KINDS:
            send(kind, job_id)
    return len(lost)
