"""``flask criteria``: import and list the criteria library, and check the crosswalks."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portfolio.cli import Group
from portfolio.db import db
from portfolio.units.criteria_file import CRITERIA_PATH, CriteriaFileError
from portfolio.units.crosswalk_file import CROSSWALKS_PATH, CrosswalkFileError
from portfolio.units.crosswalks import load_crosswalks
from portfolio.units.library import import_criteria
from portfolio.units.models import Unit


@click.group("criteria", cls=Group)
def criteria_cli():
    """Manage the criteria library."""


@criteria_cli.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def import_command(path: Path | None):
    """Check and load criteria files (a file or a folder; default: criteria/) in one transaction."""
    try:
        results = import_criteria(path or CRITERIA_PATH)
    except CriteriaFileError as error:
        db.session.rollback()
        raise click.ClickException(f"nothing was imported.\n{error}") from None
    db.session.commit()
    for result in results:
        click.echo(result.describe())
    changed = sum(r.changed for r in results)
    click.echo(f"{changed} of {len(results)} files changed the library.")


@criteria_cli.command("list")
@with_appcontext
def list_command():
    """List units with their current version and number of criteria."""
    units = db.session.scalars(select(Unit).order_by(Unit.awarding_body_id, Unit.code))
    for unit in units:
        current = unit.current
        click.echo(
            f"{unit.awarding_body.code:10} {unit.code:20} v{current.version} "
            f"{len(current.criteria):3} criteria  {unit.title} (Level {unit.level})"
        )


@criteria_cli.command("crosswalk-check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def crosswalk_check_command(path: Path | None):
    """Check crosswalk files (a file or a folder; default: criteria/crosswalks/) against the
    criteria library's current criteria."""
    try:
        crosswalks = load_crosswalks(path or CROSSWALKS_PATH, strict=True)
    except CrosswalkFileError as error:
        raise click.ClickException(f"the crosswalk is refused.\n{error}") from None
    for crosswalk in crosswalks:
        criteria = sum(len(u.criteria) for u in crosswalk.units)
        click.echo(
            f"{crosswalk.source}: '{crosswalk.title}' is valid: {len(crosswalk.units)} units, "
            f"{criteria} criteria, {len(crosswalk.concepts)} concepts."
        )
