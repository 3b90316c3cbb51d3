"""The quality record pages: the audit trail of a learner or of one object, and the IQA's
sampling record, limited to what the reader may see (assessment.permissions). EQAs read
them within their time-limited access, like the provider's staff."""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from portfolio import listing
from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role
from portfolio.assessment import quality_record, trail_reading
from portfolio.assessment.permissions import (
    TRAIL_READERS,
    readable_events,
    trail_learner_or_404,
)
from portfolio.audit.models import OBJECT_TYPES
from portfolio.audit.trail import events_for_learner, events_for_object

bp = Blueprint("audit", __name__)


@bp.get("/audit/learners/<int:learner_id>")
@roles_required(*TRAIL_READERS)
def learner_trail(learner_id: int):
    """A learner's trail: only the events of the enrolments the viewer may see."""
    learner = trail_learner_or_404(current_user, learner_id)
    events = events_for_learner(learner.id, current_user.provider_id, readable_events(current_user))
    return render_template(
        "audit/trail.html", title=f"Audit trail: {learner.name}", learner=learner,
        readings=trail_reading.read(events),
    )  # fmt: skip


@bp.get("/audit/<object_type>/<int:object_id>")
@roles_required(*TRAIL_READERS)
def object_trail(object_type: str, object_id: int):
    """An object's trail; 404 when the viewer may read none of it.

    An object with no events the viewer may read, another provider's included, is a 404,
    whether or not it exists.
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
        "audit/trail.html", title=f"Audit trail: {label}", label=label,
        readings=trail_reading.read(events),
    )  # fmt: skip


@bp.get("/quality/sampling")
@roles_required(Role.EQA, Role.ADMIN)
def sampling_record():
    """Every IQA sample of the learners the reader may see, read-only, fifty to a page."""
    samples = listing.paginate(quality_record.sampling_record(current_user))
    return render_template(
        "audit/sampling_record.html", samples=samples,
        plan=quality_record.plan_of(current_user.provider_id),
    )  # fmt: skip
