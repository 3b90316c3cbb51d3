"""Template filters and globals used across pages."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context, request, url_for
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context

from portfolio import dates
from portfolio.accounts.models import ROLE_LABELS, Role
from portfolio.forms import EmptyForm
from portfolio.text import in_sentence

ALL_ROLES = frozenset(Role)

# The main navigation: endpoint, label, who sees it, and what marks it as the current page:
# one endpoint, or a tuple of prefixes that the current endpoint starts with.
NAVIGATION = [
    ("home.index", "Home", ALL_ROLES, "home.index"),
    ("accounts.people_list", "People", {Role.ADMIN}, ("accounts.people_list", "accounts.person_")),
    ("enrolments.cohorts", "Cohorts", {Role.ADMIN}, ("enrolments.cohort",)),
    ("apprenticeships.employers", "Employers", {Role.ADMIN}, "apprenticeships.employer"),
    ("progress.caseload", "Caseload", {Role.ASSESSOR}, "progress.caseload"),
    ("assessment.queue", "Marking queue", {Role.ASSESSOR}, "assessment.queue"),
    ("progress.dashboard", "Dashboard", {Role.IQA, Role.ADMIN, Role.EQA}, ("progress.",)),
    ("assessment.sampling_page", "Sampling", {Role.IQA, Role.ADMIN},
     "assessment.sampling_page"),
    ("exports.eqa_export", "EQA export", {Role.ADMIN}, "exports.eqa_export"),
    ("enrolments.enrolment_list", "Enrolments", {Role.ADMIN, Role.EQA},
     "enrolments.enrolment_list"),
    ("audit.sampling_record", "Sampling record", {Role.EQA}, ("audit.",)),
    ("units.library", "Criteria", ALL_ROLES, ("units.",)),
    ("accounts.provider_settings", "Settings", {Role.ADMIN}, "accounts.provider_settings"),
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


def page_time_zone(context: Context) -> ZoneInfo:
    """The zone a page shows times in: the one it was given as ``time_zone`` (a PDF, /verify),
    else the signed-in person's provider's, else the default."""
    name = context.get("time_zone")
    if name is None and has_request_context() and current_user.is_authenticated:
        name = current_user.provider.time_zone
    return dates.zone(name)


@pass_context
def format_date(context: Context, value: date | datetime | str | None) -> str:
    if isinstance(value, str):  # a day kept as text in an evidence version's content
        value = date.fromisoformat(value) if value else None
    if not isinstance(value, datetime):  # a calendar date is the same day in every zone
        return dates.format_date(value)
    return dates.format_date(value, page_time_zone(context))


@pass_context
def format_datetime(context: Context, value: datetime | None, utc: bool = False) -> str:
    return dates.format_datetime(value, page_time_zone(context), utc=utc)


@pass_context
def time_zone_name(context: Context) -> str:
    return page_time_zone(context).key


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(dates.format_wall_time, "localtime")
    app.add_template_filter(dates.format_duration, "duration")
    app.add_template_filter(in_sentence, "in_sentence")
    app.add_template_global(time_zone_name, "time_zone_name")
    app.add_template_global(Role, "Role")
    app.add_template_global(ROLE_LABELS, "ROLE_LABELS")
    app.add_template_global(EmptyForm, "EmptyForm")
    app.add_template_global(navigation, "navigation")
