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
    app.add_template_global(Role, "Role")
    app.add_template_global(ROLE_LABELS, "ROLE_LABELS")
    app.add_template_global(EmptyForm, "EmptyForm")
