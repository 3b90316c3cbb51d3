"""``flask users``: create accounts from the shell, such as a provider's first admin."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portfolio.accounts import invitations
from portfolio.accounts.models import Provider, Role, User
from portfolio.accounts.people import create_person
from portfolio.cli import Group
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.text import length_problem

PROVIDER_NAME_LIMIT = 200  # as its column holds


@click.group("users", cls=Group)
def users_cli():
    """Manage user accounts."""


@users_cli.command("create")
@click.option(
    "--provider", "provider_name", required=True, help="Training provider's name; created if new."
)
@click.option("--email", required=True)
@click.option("--name", required=True, help="The person's full name.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ADMIN.value,
    show_default=True,
)
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="EQAs only: last day of access (YYYY-MM-DD).",
)
@click.option(
    "--password", help="Prompted for, with confirmation, when neither it nor --invite is given."
)
@click.option(
    "--invite",
    is_flag=True,
    help="Email the person an invitation to choose their own password instead.",
)
@with_appcontext
def create_command(provider_name, email, name, role, expires, password, invite):
    """Create an account (by default a provider admin), with a password typed here or an
    emailed invitation to choose one."""
    if invite and password:
        raise click.ClickException("Give --password or --invite, not both.")
    if not invite and not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = length_problem(provider_name.strip(), PROVIDER_NAME_LIMIT, "The provider's name")
    if not provider_name.strip():
        problem = "Give the provider's name with --provider."
    if problem:
        raise click.ClickException(problem)
    provider = db.session.scalar(select(Provider).where(Provider.name == provider_name.strip()))
    if provider is None:
        provider = Provider(name=provider_name.strip())
        db.session.add(provider)
    try:
        user = create_person(
            provider,
            name=name,
            email=email,
            role=Role(role),
            password=password or None,
            access_expires_on=expires.date() if expires else None,
        )
        if invite:
            invitations.invite(user, by=None)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field or 'account'}: {error.message}") from None
    db.session.commit()
    click.echo(f"Created {user.role.label} {user.email} at {provider.name}.")
    if invite:
        click.echo(f"An invitation to choose a password has been emailed to {user.email}.")


@users_cli.command("list")
@with_appcontext
def list_command():
    """List every account with its provider and role."""
    rows = db.session.execute(
        select(User, Provider.name).join(Provider).order_by(Provider.name, User.role, User.email)
    )
    for user, provider_name in rows:
        state = "active" if user.is_active else "inactive"
        click.echo(f"{provider_name:30} {user.role.value:9} {state:8} {user.email}")
