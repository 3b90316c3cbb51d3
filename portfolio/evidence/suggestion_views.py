"""The provider's view of its suggestions, ``flask suggestions train`` and
``flask suggestions read``."""

import click
from flask import Blueprint, render_template
from flask_login import current_user

from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.evidence import suggestion_meaning, suggestion_training
from portfolio.evidence.suggestion_training import RECENT_DECISIONS

bp = Blueprint("suggestions", __name__, cli_group="suggestions")


@bp.get("/suggestions")
@roles_required(Role.ADMIN)
def overview():
    units = suggestion_training.provider_overview(current_user.provider_id)
    waiting = suggestion_meaning.waiting(current_user.provider_id)
    return render_template("evidence/suggestions.html", units=units, recent=RECENT_DECISIONS,
                           waiting=waiting)  # fmt: skip


@bp.cli.command("train")
@click.option("--provider", "provider_id", type=int, help="Only this provider (its id).")
def train_command(provider_id: int | None):
    """Retrain every unit's suggestion model from its assessors' decisions."""
    trained = 0
    for provider, unit in suggestion_training.units_with_examples(provider_id):
        row = suggestion_training.train_unit(provider, unit)
        if row is None:
            continue
        trained += 1
        figures = (
            f"{row.top3_hits}/{row.evaluated} of the latest decisions with a met criterion in "
            f"the first three ({row.cold_top3_hits} without learning)"
            if row.evaluated
            else "no decision yet"
        )
        click.echo(f"provider {provider}, unit {unit}: {row.examples} examples; {figures}")
    db.session.commit()
    click.echo(f"Trained {trained} unit model{'' if trained == 1 else 's'}.")


@bp.cli.command("read")
def read_command():
    """Read every draft and returned item saved since it was last read with the sentence
    model now, as the job worker does every minute (loading the model first)."""
    read = 0
    while done := suggestion_meaning.read_versions():
        read += done
        click.echo(f"Read {read} so far.")
    click.echo(f"Read {read} text{'' if read == 1 else 's'}; none is waiting.")
