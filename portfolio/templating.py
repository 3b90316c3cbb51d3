"""Template filters and globals used across pages."""

from datetime import date, datetime

from flask import Flask

from portfolio.accounts.models import ROLE_LABELS, Role
from portfolio.forms import EmptyForm


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


def format_local_time(value: str | datetime | None) -> str:
    """An incident time as the learner entered it (local time, no zone)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.day} {value:%b %Y, %H:%M}"
