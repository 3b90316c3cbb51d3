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


def change_two_factor_policy(admin: User, roles: set[Role], *, for_sso: bool) -> Provider:
    """Require two-factor authentication of people in these roles (each sets it up at their
    next sign-in; a session without it ends), and say whether an SSO sign-in needs it too.

    An admin who has not set it up cannot require it of admins: they would be signed out at
    once. They set up their own first."""
    if admin.role is not Role.ADMIN:
        raise DomainError("Only a provider admin can change the provider's settings.")
    provider = admin.provider
    newly_admins = Role.ADMIN in roles and Role.ADMIN not in provider.two_factor_role_set
    if newly_admins and not admin.two_factor_enabled:
        raise DomainError(
            "Set up two-factor authentication for your own account first (Account security), "
            "then require it of provider admins.",
            field="require_admin",
        )
    before = {"roles": provider.two_factor_roles, "for_sso": provider.two_factor_for_sso}
    provider.two_factor_roles = ",".join(role.value for role in Role if role in roles)
    provider.two_factor_for_sso = for_sso
    db.session.flush()
    after = {"roles": provider.two_factor_roles, "for_sso": provider.two_factor_for_sso}
    if after != before:
        named = ", ".join(role.label for role in Role if role in roles) or "no one"
        audit.record(
            "provider.two_factor_policy", provider_id=provider.id, actor=admin,
            object_type="provider", object_id=provider.id, before=before, after=after,
            summary=f"Two-factor authentication required of: {named}"
            + ("; after SSO sign-ins too" if for_sso else ""),
        )  # fmt: skip
    return provider
