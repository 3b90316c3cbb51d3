"""The one way views check access: by role, and by provider for every object they load; and
every refusal kept in the provider's audit trail."""

import time
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from portfolio.accounts.models import Role
from portfolio.audit import trail as audit
from portfolio.db import db


def roles_required(*roles: Role):
    """Allow only signed-in users in one of these roles; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def provider_scoped(model):
    """A select() of ``model`` limited to the signed-in user's provider."""
    return db.select(model).where(model.provider_id == current_user.provider_id)


def get_in_provider_or_404(model, object_id: int):
    """The object with this id in the signed-in user's provider; 404 if it is another's."""
    obj = db.session.scalar(provider_scoped(model).where(model.id == object_id))
    if obj is None:
        abort(404)
    return obj


def record_refusal(status: int) -> None:
    """A signed-in person refused a page or an object (403 or 404): kept in their provider's
    audit trail.

    Written in a short transaction of its own, after whatever the request did is rolled
    back, and tried again if the database is busy; if it still cannot be written, the
    failure is logged and the person gets their 403 or 404 all the same.
    """
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
