"""``flask progress``: rebuild the per-enrolment progress rows."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portfolio.cli import Group
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.progress import refresh
from portfolio.progress.models import EnrolmentProgress

BATCH = 500  # enrolments refreshed per transaction


@click.group("progress", cls=Group)
def progress_cli():
    """Progress summaries behind the dashboards."""


@progress_cli.command("refresh")
@click.option("--missing", is_flag=True, help="Only enrolments that have no progress row yet.")
@with_appcontext
def refresh_command(missing: bool):
    """Recompute enrolments' progress from their evidence and decisions."""
    query = select(Enrolment.id)
    if missing:
        query = query.where(~Enrolment.id.in_(select(EnrolmentProgress.enrolment_id)))
    ids = db.session.scalars(query).all()
    for start in range(0, len(ids), BATCH):
        refresh.enrolments(ids[start : start + BATCH])
        db.session.commit()
        done = min(start + BATCH, len(ids))
        if done < len(ids):
            click.echo(f"{done} of {len(ids)} enrolments refreshed", err=True)
    click.echo(f"Progress refreshed for {len(ids)} enrolment{'s' if len(ids) != 1 else ''}.")
