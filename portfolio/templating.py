"""Template filters and globals used across pages."""

from datetime import date, datetime

from flask import Flask, request, url_for
from flask_login import current_user

from portfolio.accounts.models import ROLE_LABELS, Role
from portfolio.forms import EmptyForm

ALL_ROLES = frozenset(Role)

# The main navigation: endpoint, label, who sees it, and what marks it as the current page:
# one endpoint, or a tuple of prefixes that the current endpoint starts with.
NAVIGATION = [
    ("home.index", "Home", ALL_ROLES, "home.index"),
    ("accounts.people_list", "People", {Role.ADMIN}, ("accounts.people_list", "accounts.person_")),
    ("enrolments.cohorts", "Cohorts", {Role.ADMIN}, "enrolments.cohorts"),
    ("progress.caseload", "Caseload", {Role.ASSESSOR}, "progress.caseload"),
    ("assessment.queue", "Marking queue", {Role.ASSESSOR}, "assessment.queue"),
    ("progress.dashboard", "Dashboard", {Role.IQA, Role.ADMIN, Role.EQA}, ("progress.",)),
    ("assessment.sampling_page", "Sampling", {Role.IQA, Role.ADMIN},
     "assessment.sampling_page"),
    ("exports.eqa_export", "EQA export", {Role.ADMIN}, "exports.eqa_export"),
    ("enrolments.enrolment_list", "Enrolments", {Role.ADMIN, Role.EQA},
     "enrolments.enrolment_list"),
    ("units.library", "Criteria", ALL_ROLES, ("units.",)),
]  # fmt: skip


def navigation() -> list[tuple[str, str, bool]]:
    """The signed-in person's navigation links: address, label, and whether it is the current
    page."""
    endpoint = request.endpoint or ""
    return [
        (
            url_for(target),
            label,
            endpoint.startswith(match) if isinstance(match, tuple) else endpoint == match,
        )
        for target, label, roles, match in NAVIGATION
        if current_user.role in roles
    ]


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y, %H:%M} UTC"


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_local_time, "localtime")
    app.add_template_global(Role, "Role")
    app.add_template_global(ROLE_LABELS, "ROLE_LABELS")
    app.add_template_global(EmptyForm, "EmptyForm")
    app.add_template_global(navigation, "navigation")


def format_local_time(value: str | datetime | None) -> str:
    """An incident time as the learner entered it (local time, no zone)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.day} {value:%b %Y, %H:%M}"
