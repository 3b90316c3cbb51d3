"""``flask notifications``: the daily digest and the EQA access check, by hand."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portfolio.accounts.models import Provider
from portfolio.cli import Group
from portfolio.db import db
from portfolio.notifications import digest


@click.group("notifications", cls=Group)
def notifications_cli():
    """Send notification digests and run the daily checks."""


@notifications_cli.command("digest")
@click.option("--provider", "provider_ids", type=int, multiple=True,
              help="Only this provider's digest (an id; may be given again).")  # fmt: skip
@with_appcontext
def digest_command(provider_ids: tuple[int, ...]):
    """Queue the daily digest job of every provider (the worker runs it each morning)."""
    known = set(db.session.scalars(select(Provider.id).where(Provider.id.in_(provider_ids))))
    unknown = sorted(set(provider_ids) - known)
    if unknown:
        raise click.ClickException(f"No provider has the id {unknown[0]}: nothing was queued.")
    count = digest.enqueue_digests(list(provider_ids) or None)
    click.echo(f"Queued the digest of {count} provider{'' if count == 1 else 's'}.")


@notifications_cli.command("check-eqa")
@with_appcontext
def check_eqa_command():
    """Tell admins of EQA access ending within 14 days (once per EQA and end date)."""
    told = digest.check_eqa_access()
    db.session.commit()
    click.echo(f"Told {told} admin{'' if told == 1 else 's'}.")
