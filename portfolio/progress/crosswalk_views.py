"""Pages showing how evidence would count towards the same unit of other awarding bodies."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from portfolio.accounts.access import get_in_provider_or_404, roles_required
from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.enrolments.permissions import enrolment_or_404, visible_enrolments
from portfolio.progress.crosswalk import CoverageState, cover, cover_cohort
from portfolio.units.crosswalk_file import CrosswalkFileError
from portfolio.units.crosswalks import crosswalk_for, load_crosswalks

bp = Blueprint("crosswalk", __name__)


def _unavailable(template: str, error: CrosswalkFileError, **context):
    """The crosswalk file is broken: say so (the details to provider admins only)."""
    current_app.logger.error("crosswalk refused: %s", error)
    details = str(error) if current_user.role is Role.ADMIN else None
    return render_template(template, unavailable=True, details=details, **context), 503


@bp.get("/enrolments/<int:enrolment_id>/crosswalk")
@login_required
def enrolment_crosswalk(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    template = "progress/crosswalk.html"
    try:
        crosswalks = load_crosswalks()
    except CrosswalkFileError as error:
        return _unavailable(template, error, enrolment=enrolment)
    crosswalk = crosswalk_for(crosswalks, enrolment.unit_id)
    coverage = cover(enrolment, crosswalks) if crosswalk else []
    source = crosswalk.unit_for(enrolment.unit_id) if crosswalk else None
    return render_template(
        template,
        enrolment=enrolment,
        crosswalk=crosswalk,
        coverage=coverage,
        older_version=source is not None and source.criteria_set.id != enrolment.criteria_set_id,
        anything=any(
            c.state is not CoverageState.NOT_COVERED for u in coverage for c in u.criteria
        ),
        States=CoverageState,
    )


@bp.get("/cohorts/<int:cohort_id>/crosswalk")
@roles_required(Role.ADMIN)
def cohort_crosswalk(cohort_id: int):
    cohort = get_in_provider_or_404(Cohort, cohort_id)
    template = "progress/cohort_crosswalk.html"
    enrolments = db.session.scalars(
        visible_enrolments(current_user).where(Enrolment.cohort_id == cohort.id)
    ).all()
    try:
        crosswalks = load_crosswalks()
    except CrosswalkFileError as error:
        return _unavailable(template, error, cohort=cohort, enrolments=enrolments)
    return render_template(
        template,
        cohort=cohort,
        enrolments=enrolments,
        coverage=cover_cohort(enrolments, crosswalks),
    )
