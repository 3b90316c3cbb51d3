"""Cursor pagination: a page of rows after the last one seen, in id order.

The cursor is opaque to callers: the last id of the page before, in URL-safe base64. Rows
added meanwhile appear on a later page, and no row is shown twice.
"""

import base64
import binascii

from flask import request, url_for
from sqlalchemy import Select

from portfolio.api.problems import field_error, invalid
from portfolio.db import INTEGER_MAX, db
from portfolio.listing import whole_number

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    """The id a cursor continues after; a 422 problem for one this API did not make."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, number = text.partition(":")
    last_id = whole_number(number) if prefix == "after" else None
    if last_id is None:
        raise invalid([field_error("cursor", "The cursor is not one this API gave: use the "
                                   "“next” link of the page before, as it is.")])  # fmt: skip
    return last_id


def limit() -> int:
    text = request.args.get("limit")
    if text is None:
        return DEFAULT_LIMIT
    number = whole_number(text)
    if number is None or not 1 <= number <= MAX_LIMIT:
        raise invalid(
            [field_error("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.")]
        )
    return number


def page(query: Select, id_column, endpoint: str, **values) -> tuple[list, str | None]:
    """The rows of ``query`` (ordered here by ``id_column``) after the request's cursor, at
    most ``limit`` of them, and the address of the next page (None on the last). Each row's
    first element is the entity ``id_column`` belongs to."""
    size = limit()
    cursor = request.args.get("cursor")
    after = decode(cursor) if cursor else 0
    rows = db.session.execute(
        query.where(id_column > min(after, INTEGER_MAX)).order_by(id_column).limit(size + 1)
    ).all()
    more = len(rows) > size
    rows = rows[:size]
    next_url = None
    if more:
        last_id = getattr(rows[-1][0], id_column.key)
        arguments = {k: v for k, v in request.args.items() if k not in ("cursor", "limit")}
        next_url = url_for(endpoint, **values, **arguments, limit=size, cursor=encode(last_id),
                           _external=False)  # fmt: skip
    return rows, next_url
