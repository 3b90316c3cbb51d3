"""``flask demo``: load the demonstration provider, and a large one for measuring pages."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portfolio.accounts.models import Provider, User
from portfolio.cli import Command
from portfolio.db import db
from portfolio.demo import PASSWORD, PROVIDER, build_demo, sign_ins
from portfolio.enrolments.models import Enrolment


@click.command("demo", cls=Command)
@click.option("--if-empty", is_flag=True, help="Only when the database has no provider yet.")
@click.option("--learners", type=click.IntRange(min=1), help="Also build a large provider.")
@click.option("--cohorts", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--items", type=click.IntRange(min=0), default=100, show_default=True)
@with_appcontext
def demo_command(if_empty: bool, learners: int | None, cohorts: int, items: int):
    """Load the demonstration provider (running it again changes nothing)."""
    demo_present = db.session.scalar(select(Provider.id).where(Provider.name == PROVIDER))
    if if_empty and db.session.scalar(select(func.count(Provider.id))):
        click.echo("The database already has data; demo not loaded.")
        if not demo_present:
            return
    else:
        created = build_demo()
        db.session.commit()
        click.echo(
            "Demo data loaded." if created else "Demo data already present; nothing changed."
        )
    counts = db.session.execute(
        select(User.role, func.count())
        .join(Provider)
        .where(Provider.name == PROVIDER)
        .group_by(User.role)
    ).all()
    enrolled = db.session.scalar(
        select(func.count(Enrolment.id)).join(Provider).where(Provider.name == PROVIDER)
    )
    click.echo(", ".join(f"{n} {role.value}" for role, n in counts) + f"; {enrolled} enrolments.")
    click.echo(f"\nDemo sign-ins (password for all: {PASSWORD}):")
    for label, email in sign_ins():
        click.echo(f"  {label:45} {email}")
    if learners:  # the large provider, after the demo
        try:
            from bench.large_demo import large_demo_command
        except ModuleNotFoundError as error:
            if error.name not in ("bench", "bench.large_demo"):
                raise
            raise click.ClickException(
                "the large provider is built by bench/large_demo.py, which is in the "
                "repository, not in the installed package: run flask in the repository's folder"
            ) from None
        click.echo()
        click.get_current_context().invoke(
            large_demo_command, learners=learners, cohorts=cohorts, items=items
        )
