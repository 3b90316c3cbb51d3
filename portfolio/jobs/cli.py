"""``flask jobs``: run a worker, send lost jobs again, list a provider's jobs."""

import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portfolio.cli import Group
from portfolio.db import db
from portfolio.jobs import queue
from portfolio.jobs.models import Job


@click.group("jobs", cls=Group)
def jobs_cli():
    """Background jobs: PDFs, exports, email, imports."""


@jobs_cli.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Jobs run at once.")
@with_appcontext
def worker_command(workers: int):
    """Run jobs until stopped (Ctrl+C or SIGTERM finish the jobs at hand first)."""
    app = current_app._get_current_object()
    jobs = queue.current()
    if jobs.huey.immediate:
        raise click.UsageError("JOBS_IMMEDIATE is set: jobs run where they are started.")
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread")
    stop = threading.Event()

    def watch():
        # Now and every few heartbeats: send again what a stopped worker lost.
        while True:
            with app.app_context():
                try:
                    sent = queue.recover()
                    if sent:
                        app.logger.warning("sent %d lost job(s) to the queue again", sent)
                except Exception:  # noqa: BLE001  (the watch goes on; the next look may do)
                    app.logger.exception("looking for lost jobs failed")
                finally:
                    db.session.remove()
            if stop.wait(3 * app.config["JOBS_HEARTBEAT_SECONDS"]):
                return

    threading.Thread(target=watch, daemon=True, name="job-recovery").start()
    click.echo(f"Running jobs from {jobs.describe()} with {workers} worker thread(s).")
    try:
        consumer.run()
    finally:
        stop.set()


@jobs_cli.command("recover")
@with_appcontext
def recover_command():
    """Send again jobs whose worker stopped, or that never reached the queue."""
    click.echo(f"{queue.recover()} job(s) sent again.")


@jobs_cli.command("list")
@click.option("--state", type=click.Choice([s.value for s in queue.JobState]))
@with_appcontext
def list_command(state: str | None):
    """The latest 50 jobs, newest first."""
    query = select(Job).order_by(Job.id.desc()).limit(50)
    if state:
        query = query.where(Job.state == state)
    for record in db.session.scalars(query):
        error = f"  {record.last_error}" if record.last_error else ""
        click.echo(f"{record.id}\t{record.state.value}\t{record.kind}\t{record.label}{error}")
