"""``flask progress``: rebuild the per-enrolment progress rows."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.progress.models import EnrolmentProgress
from portfolio.progress.refresh import refresh_enrolment


@click.group("progress")
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
    for done, enrolment_id in enumerate(ids, start=1):
        refresh_enrolment(db.session, enrolment_id)
        if done % 500 == 0:
            db.session.commit()
            click.echo(f"{done} of {len(ids)} enrolments refreshed", err=True)
    db.session.commit()
    click.echo(f"Progress refreshed for {len(ids)} enrolment{'s' if len(ids) != 1 else ''}.")
