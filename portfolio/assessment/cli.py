"""``flask assessment``: repairs of assessment data."""

import click
from flask.cli import with_appcontext

from portfolio.assessment import signoff
from portfolio.cli import Group
from portfolio.db import db


@click.group("assessment", cls=Group)
def assessment_cli():
    """Marking, sign-off and IQA sampling."""


@assessment_cli.command("leave-out-unmarked")
@with_appcontext
def leave_out_unmarked_command():
    """Make items still awaiting marking in signed-off units drafts again, left out of the
    signed portfolio (they can never be marked while the sign-off stands)."""
    items = signoff.leave_out_unmarked()
    db.session.commit()
    for item in items:
        click.echo(f"Left out of the signed portfolio: evidence {item.id} '{item.title}' "
                   f"(enrolment {item.enrolment_id})")  # fmt: skip
    click.echo(f"{len(items)} item{'s' if len(items) != 1 else ''} left out of signed portfolios.")
