"""The provider's own settings, changed by its admin."""

from portfolio.accounts.models import Provider, Role, User
from portfolio.audit import trail as audit
from portfolio.dates import time_zone_problem
from portfolio.db import db
from portfolio.errors import DomainError


def change_time_zone(admin: User, time_zone: str) -> Provider:
    """Show the provider's times in another IANA time zone; a name that is not one is refused."""
    if admin.role is not Role.ADMIN:
        raise DomainError("Only a provider admin can change the provider's settings.")
    problem = time_zone_problem(time_zone)
    if problem:
        raise DomainError(problem, field="time_zone")
    provider = admin.provider
    before = {"time_zone": provider.time_zone}
    provider.time_zone = time_zone.strip()
    db.session.flush()
    audit.record(
        "provider.changed", provider_id=provider.id, actor=admin, object_type="provider",
        object_id=provider.id, before=before, after={"time_zone": provider.time_zone},
        summary=f"Time zone: {provider.time_zone}",
    )  # fmt: skip
    return provider
