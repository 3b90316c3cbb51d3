"""What the app's ``flask`` commands share: a clear message, not a traceback, when the
database has no tables yet (a new instance before ``flask db upgrade``)."""

import click
from flask.cli import ScriptInfo
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from portfolio.db import db


class _NeedsTables:
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DBAPIError:
            with ctx.ensure_object(ScriptInfo).load_app().app_context():
                if inspect(db.engine).has_table("alembic_version"):
                    raise
                where = db.engine.url.render_as_string(hide_password=True)
            raise click.ClickException(
                f"the database at {where} has no tables yet: run 'flask db upgrade' to make "
                "them ('make run' does), then this command again."
            ) from None


class Group(_NeedsTables, click.Group):
    """A group of commands that read or write the database."""


class Command(_NeedsTables, click.Command):
    """A command that reads or writes the database."""
