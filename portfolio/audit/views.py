"""The audit trail pages: everything concerning a learner, and everything about one object."""

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role, User
from portfolio.audit.access import readable_events
from portfolio.audit.models import OBJECT_TYPES
from portfolio.audit.trail import events_for_learner, events_for_object
from portfolio.db import db
from portfolio.enrolments.caseload import visible_enrolment_ids
from portfolio.enrolments.models import Enrolment

bp = Blueprint("audit", __name__)

TRAIL_READERS = (Role.ASSESSOR, Role.IQA, Role.ADMIN)


def _caseload_learner_ids(user: User):
    """The learners with an enrolment this assessor or IQA may see."""
    return select(Enrolment.learner_id).where(Enrolment.id.in_(visible_enrolment_ids(user)))


def _learner_or_404(learner_id: int) -> User:
    """A learner at the viewer's provider, and in their caseload unless they are an admin."""
    query = select(User).where(
        User.id == learner_id,
        User.provider_id == current_user.provider_id,
        User.role == Role.LEARNER,
    )
    if current_user.role is not Role.ADMIN:
        query = query.where(User.id.in_(_caseload_learner_ids(current_user)))
    learner = db.session.scalar(query)
    if learner is None:
        abort(404)
    return learner


@bp.get("/audit/learners/<int:learner_id>")
@roles_required(*TRAIL_READERS)
def learner_trail(learner_id: int):
    """A learner's trail: only the events of the enrolments the viewer may see."""
    learner = _learner_or_404(learner_id)
    events = events_for_learner(learner.id, current_user.provider_id, readable_events(current_user))
    return render_template(
        "audit/trail.html", title=f"Audit trail: {learner.name}", learner=learner, events=events
    )


@bp.get("/audit/<object_type>/<int:object_id>")
@roles_required(*TRAIL_READERS)
def object_trail(object_type: str, object_id: int):
    """An object's trail; 404 when the viewer may read none of it.

    An object with no events the viewer may read, another provider's included, is a 404,
    whether or not it exists: assessors and IQAs read only the events of the enrolments the
    enrolment pages show them.
    """
    if object_type not in OBJECT_TYPES:
        abort(404)
    events = events_for_object(
        object_type, object_id, current_user.provider_id, readable_events(current_user)
    )
    if not events:
        abort(404)
    label = f"{OBJECT_TYPES[object_type]} {object_id}"
    return render_template(
        "audit/trail.html", title=f"Audit trail: {label}", label=label, events=events
    )
