"""Domain errors and the error pages."""

import time

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
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


class Conflict(DomainError):
    status = 409


TITLES = {
    400: "The request could not be understood",
    401: "Sign-in refused",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "Someone else changed this first",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
}

EXPLANATIONS = {
    403: "Your role does not include this page. Go back to your home page to continue.",
    404: "There is nothing at this address, or it is not yours to see. "
    "Check the address, or go back to your home page.",
    405: "This address does not take that kind of request.",
    500: "The problem has been logged. Try again, and if it keeps happening tell your "
    "training provider's administrator.",
}


def register(app: Flask) -> None:
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
        if error.code == 413:
            limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
            message = (
                f"The upload is larger than the {limit} MB limit, so it was refused before it "
                "was read and nothing was saved. Make the file smaller or split it, then try again."
            )
        elif error.description != type(error).description:  # a message given to abort()
            message = error.description
        else:
            message = EXPLANATIONS.get(error.code) or error.description
        if error.code in (403, 404):
            _record_refused_access(error.code)
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

    @app.errorhandler(500)
    def server_error(error):
        return _page(500, EXPLANATIONS[500])


def _record_refused_access(status: int) -> None:
    """A signed-in person refused a page or an object: kept in their provider's audit trail.

    Written in a short transaction of its own, after whatever the request did is rolled
    back, and tried again if the database is busy; if it still cannot be written, the
    failure is logged and the person gets their 403 or 404 all the same.
    """
    from flask_login import current_user

    from portfolio.audit import trail as audit
    from portfolio.db import db

    if not current_user.is_authenticated or request.endpoint in (None, "static"):
        return
    db.session.rollback()
    for attempt in range(1, REFUSAL_WRITE_ATTEMPTS + 1):
        try:
            audit.record(
                "access.refused", provider_id=current_user.provider_id, actor=current_user,
                object_type="page", summary=f"{status} for {request.method} {request.path}",
                after={"status": status, "endpoint": request.endpoint,
                       "arguments": request.view_args or {}},
            )  # fmt: skip
            db.session.commit()
            return
        except SQLAlchemyError:
            db.session.rollback()
            if attempt == REFUSAL_WRITE_ATTEMPTS:
                current_app.logger.exception(
                    "the refused %s for %s could not be written to the audit trail",
                    status, request.path,
                )  # fmt: skip
                return
            time.sleep(0.05 * 2**attempt)


# How often a refusal's audit event is tried before it is given up (and logged).
REFUSAL_WRITE_ATTEMPTS = 3


def _page(status: int, message: str):
    if request.accept_mimetypes.best == "application/json":
        return {"error": TITLES.get(status, "Error"), "message": message}, status
    title = TITLES.get(status, "Error")
    return render_template("error.html", status=status, title=title, message=message), status
