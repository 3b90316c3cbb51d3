"""``flask exports``: the upkeep of the stored portfolio PDFs."""

from datetime import timedelta

import click
from flask.cli import with_appcontext

from portfolio.cli import Group
from portfolio.exports import service


@click.group("exports", cls=Group)
def exports_cli():
    """Work with the stored portfolio PDFs."""


@exports_cli.command("sweep")
@click.option("--older-than", default=60, show_default=True, type=click.IntRange(0),
              help="Minutes: a younger file may belong to a PDF being made.")  # fmt: skip
@with_appcontext
def sweep_command(older_than: int):
    """Remove partly written PDFs and PDFs no portfolio document refers to (left by faults)."""
    swept = service.sweep(timedelta(minutes=older_than))
    click.echo(
        f"Removed {swept.partial} partial PDF{'' if swept.partial == 1 else 's'} and "
        f"{swept.unrecorded} PDF{'' if swept.unrecorded == 1 else 's'} no portfolio document "
        "refers to "
        f"from {service.storage_dir()}."
    )
