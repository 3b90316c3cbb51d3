"""Domain errors and the error pages."""

import contextlib
import sqlite3
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule refused an action: the message says what, ``field`` says where."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # A refused step of the assessment process: the audit event to record once the
        # refused change has been rolled back.
        self.audit: dict | None = None
        # Every problem behind the refusal, when there are several to show as a list.
        self.problems: list[str] = []


class Conflict(DomainError):
    status = 409


TITLES = {
    400: "The request could not be understood",
    401: "Sign-in refused",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "This changed since you opened it",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Briefly unavailable",
}

EXPLANATIONS = {
    403: "Your role does not include this page. Go back to your home page to continue.",
    404: "There is nothing at this address, or it is not yours to see. "
    "Check the address, or go back to your home page.",
    405: "This address does not take that kind of request.",
    500: "The problem has been logged. Try again, and if it keeps happening tell your "
    "training provider's administrator.",
    503: "The database could not be reached just now, so nothing was saved. Try again in a "
    "minute; if it keeps happening, tell your training provider's administrator.",
}

# How long a client is asked to wait before trying again when the database is unavailable.
RETRY_AFTER_SECONDS = 30

# SQLite's operational errors that say the database was busy or could not be opened. Its
# others ("no such table", a syntax error) are faults of the app: a 500.
SQLITE_UNAVAILABLE = ("database is locked", "database is busy", "unable to open database",
                      "disk i/o error")  # fmt: skip


def unique_violation(error: IntegrityError) -> bool:
    """Whether a unique index refused the write: what two copies of one form sent at once
    meet, as the second finds the first's row (any other refusal is a fault of the app)."""
    if isinstance(error.orig, sqlite3.Error):
        return "UNIQUE constraint failed" in str(error.orig)
    return getattr(error.orig, "sqlstate", None) == "23505"  # PostgreSQL's unique_violation


def database_unavailable(error: OperationalError) -> bool:
    """Whether the database could not be reached or was too busy to answer, rather than
    refusing the statement: a connection lost or refused, a server shutting down, SQLite's
    write lock held past its wait. PostgreSQL's driver raises OperationalError for those
    alone (connection, shutdown, resources, a cancelled statement)."""
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.Error):
        return any(words in str(error.orig).lower() for words in SQLITE_UNAVAILABLE)
    return True


def register(app: Flask, on_refusal: Callable[[int], None] | None = None) -> None:
    """The error pages; ``on_refusal`` is called with the status of every 403 and 404, before
    the page is made."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = (
            "This form was not sent from this site or has expired. "
            "Go back, reload the page and send it again."
        )
        return _page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/api/"):
            # An address under the API that no route of it matches (404, 405) never reaches
            # the API blueprint's own handlers: answer as the API does.
            from portfolio.api import problems

            return problems.response(problems.from_http_error(error))
        if error.code == 413:
            limit = (current_app.config.get("EVIDENCE_FILE_LIMIT") or 0) // (1024 * 1024)
            message = (
                f"The upload is larger than the {limit} MB limit, so it was refused before it "
                "was read and nothing was saved. Make the file smaller or split it, then try again."
            )
        elif error.description != type(error).description:  # a message given to abort()
            message = error.description
        else:
            message = EXPLANATIONS.get(error.code) or error.description
        if error.code in (403, 404) and on_refusal is not None:
            on_refusal(error.code)
        return _page(error.code, message)

    @app.errorhandler(StaleDataError)
    def stale(error):
        from portfolio.db import db

        db.session.rollback()
        return _page(
            409,
            "Someone else changed this at the same moment, so your change was not saved. "
            "Go back, reload the page to see their change, and try again.",
        )

    @app.errorhandler(IntegrityError)
    def clashed(error: IntegrityError):
        # The operations check for duplicates first; this is the moment between two requests
        # that both passed the check, where the unique index lets one win.
        from portfolio.db import db

        db.session.rollback()
        if not unique_violation(error):
            raise error  # a fault of the app: logged, and the 500 page
        message = ("The same change was saved a moment ago, by you in another tab or by someone "
                   "else, so this one was not. Reload the page to see what is there now.")  # fmt: skip
        if request.path.startswith("/api/"):
            from portfolio.api import problems

            return problems.response(problems.Problem(409, message))
        return _page(409, message)

    @app.errorhandler(OperationalError)
    def unavailable(error: OperationalError):
        from portfolio.db import db

        with contextlib.suppress(Exception):  # the connection may be gone
            db.session.rollback()
        if not database_unavailable(error):
            raise error  # a fault of the app: logged, and the 500 page
        current_app.logger.warning("The database was unavailable: %s", error.orig)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.path.startswith("/api/"):
            from portfolio.api import problems

            return problems.response(problems.Problem(503, EXPLANATIONS[503], headers=headers))
        if request.accept_mimetypes.best == "application/json":
            return {"error": TITLES[503], "message": EXPLANATIONS[503]}, 503, headers
        # A page of its own, made without the context processors: they, and the usual page,
        # read the signed-in person and their notifications from the database that failed.
        page = current_app.jinja_env.get_template("unavailable.html")
        return page.render(title=TITLES[503], message=EXPLANATIONS[503]), 503, headers

    @app.errorhandler(500)
    def server_error(error):
        return _page(500, EXPLANATIONS[500])


def _page(status: int, message: str):
    if request.accept_mimetypes.best == "application/json":
        return {"error": TITLES.get(status, "Error"), "message": message}, status
    title = TITLES.get(status, "Error")
    return render_template("error.html", status=status, title=title, message=message), status
