"""``flask audit``: check that no provider's audit chain has been tampered with."""

import click
from flask.cli import with_appcontext

from portfolio.audit.trail import ChainReport, verify
from portfolio.cli import Group


@click.group("audit", cls=Group)
def audit_cli():
    """Check the audit trail."""


def _line(report: ChainReport) -> str:
    events = f"{report.events} event{'' if report.events == 1 else 's'}"
    if report.ok:
        return f"{report.provider_name}: {events}, chain intact"
    where = f"event {report.broken_at_seq}"
    if report.broken_event_id is not None:
        where += f" (id {report.broken_event_id})"
    return f"{report.provider_name}: chain broken at {where}: {report.reason}"


@audit_cli.command("verify")
@click.option("--provider", "provider_id", type=int, help="Check only this provider (its id).")
@with_appcontext
def verify_command(provider_id: int | None):
    """Recompute every event's hash and link; exit non-zero if any chain is broken."""
    reports = verify(provider_id)
    if provider_id is not None and not reports:
        raise click.ClickException(f"no provider with id {provider_id}")
    if not any(report.events for report in reports):
        click.echo("No audit events yet.")
        return
    for report in reports:
        click.echo(_line(report))
    broken = sum(not report.ok for report in reports)
    if broken:
        raise click.ClickException(
            f"{broken} audit chain{' is' if broken == 1 else 's are'} broken"
        )
