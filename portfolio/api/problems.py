"""Errors as RFC 9457 problem details (``application/problem+json``).

Each problem has a ``type`` naming what kind it is (``urn:portfolio:problem:<kind>``, listed in
docs/api.md), a ``title`` that is the same for every problem of that kind, the HTTP
``status``, and a ``detail`` saying what went wrong this time; a request refused for its
values also lists each value's problem in ``errors``, naming the field.
"""

import json

from flask import Response
from werkzeug.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"

KINDS = {
    400: ("bad-request", "The request could not be understood"),
    401: ("unauthorized", "A valid API token is needed"),
    403: ("forbidden", "The token may not do this"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "That method is not allowed here"),
    409: ("conflict", "The request conflicts with what is there"),
    413: ("too-large", "The request is too large"),
    415: ("unsupported-media-type", "The body must be JSON"),
    422: ("validation", "The values sent are not valid"),
    429: ("rate-limited", "Too many requests"),
    500: ("server-error", "Something went wrong"),
    503: ("unavailable", "Briefly unavailable"),
}


class Problem(Exception):
    """Raised by the API's views; the blueprint answers it as problem details."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[dict] | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail)
        self.status, self.detail, self.kind = status, detail, kind
        self.errors, self.headers = errors, headers or {}


def field_error(field: str | None, message: str) -> dict:
    """One entry of a problem's ``errors``: which field (when one is to blame) and what."""
    return {"field": field, "message": message} if field else {"message": message}


def invalid(errors: list[dict], detail: str | None = None) -> Problem:
    """A 422 for values that cannot be accepted, each with its field."""
    return Problem(422, detail or " ".join(e["message"] for e in errors), errors=errors)


def response(problem: Problem) -> Response:
    default_kind, title = KINDS.get(problem.status, ("error", "Error"))
    body = {
        "type": f"urn:portfolio:problem:{problem.kind or default_kind}",
        "title": title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    return Response(
        json.dumps(body, ensure_ascii=False), problem.status, problem.headers, mimetype=MEDIA_TYPE
    )


# What an HTTP error raised outside the API's own code (Werkzeug, Flask-Limiter, abort())
# says, when it says nothing of its own.
DETAILS = {
    404: "There is nothing at this address, or it is not your provider's.",
    405: "This address does not take that method.",
    413: "The request body is larger than the largest accepted.",
    429: "This token has made too many requests. Wait for the number of seconds in the "
    "Retry-After header, then try again.",
}


def from_http_error(error: HTTPException) -> Problem:
    code = error.code or 500
    if error.description != type(error).description:  # a message given to abort()
        detail = error.description
    else:
        detail = DETAILS.get(code) or error.description or KINDS.get(code, ("", "Error"))[1]
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return Problem(code, detail, headers=headers)
