"""Long lists: searched by text, and shown a page at a time."""

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, func, or_, select

from portfolio.db import INTEGER_MAX, db

PAGE_SIZE = 50


def whole_number(text: str | None) -> int | None:
    """``text`` as a whole number when it is one, written in ASCII digits, and fits the
    database's integer columns; None for anything else ("²", "-1", a thousand digits), so
    that a page or an id in a request can be refused instead of failing."""
    if text and text.isascii() and text.isdigit() and len(text) <= len(str(INTEGER_MAX)):
        number = int(text)
        return number if number <= INTEGER_MAX else None
    return None


def page_number() -> int:
    """The ``page`` argument of the request: 1 when it is missing or not a whole number."""
    return max(whole_number(request.args.get("page")) or 1, 1)


def paginate(query: Select, page: int | None = None, *, total: int | None = None) -> Pagination:
    """A page of ``query``'s rows, fifty to a page, by Flask-SQLAlchemy's ``paginate``: the
    request's ``page`` unless one is given, and the last page for a page past it. A caller
    that has counted the rows already gives ``total``, and they are not counted again."""
    asked = page or page_number()
    if total is not None:
        last = max(-(-total // PAGE_SIZE), 1)
        pagination = db.paginate(
            query, page=min(asked, last), per_page=PAGE_SIZE, error_out=False, count=False
        )
        pagination.total = total  # as Flask-SQLAlchemy's docs say to when count is off
        return pagination
    pagination = db.paginate(query, page=asked, per_page=PAGE_SIZE, error_out=False)
    if pagination.page > max(pagination.pages, 1):
        return paginate(query, pagination.pages, total=pagination.total)
    return pagination


def search_text() -> str:
    """The ``q`` argument of the request, trimmed and at most 100 characters."""
    return (request.args.get("q") or "").strip()[:100]


def matching(text: str, *columns) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``text``, ignoring case; % and _ in it match themselves."""
    wanted = text.lower()
    return or_(*(func.lower(column).contains(wanted, autoescape=True) for column in columns))


def count_of(query: Select) -> int:
    """How many rows ``query`` gives, counted in the database."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
