"""The one way views check access: by role, and by provider for every object they load."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portfolio.accounts.models import Role
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
