"""Cohorts and enrolments: the provider admin's pages, and an enrolment's own page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portfolio import listing
from portfolio.accounts.access import get_in_provider_or_404, provider_scoped, roles_required
from portfolio.accounts.models import Role
from portfolio.apprenticeships.operations import apprenticeship_of
from portfolio.db import db
from portfolio.enrolments import operations
from portfolio.enrolments.caseload import UNASSIGNED, enrolment_page
from portfolio.enrolments.forms import CohortForm, EnrolmentDetailsForm, EnrolmentForm
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.enrolments.permissions import PEOPLE_LOADED, UNIT_LOADED, enrolment_or_404
from portfolio.errors import DomainError
from portfolio.forms import EmptyForm, attach_error, form_status

bp = Blueprint("enrolments", __name__)


@bp.route("/cohorts", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def cohorts():
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = operations.create_cohort(
                current_user, form.name.data, form.starts_on.data, form.ends_on.data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Cohort '{cohort.name}' created. Now enrol learners into it.", "success")
            return redirect(url_for("enrolments.cohorts"))
    rows = db.session.execute(
        select(Cohort, func.count(Enrolment.id))
        .outerjoin(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Cohort.provider_id == current_user.provider_id)
        .group_by(Cohort.id)
        .order_by(Cohort.name)
    ).all()
    return render_template("enrolments/cohorts.html", form=form, rows=rows), form_status(form)


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def cohort_edit(cohort_id: int):
    """Rename a cohort or change its dates; remove it while no enrolment is in it."""
    cohort = get_in_provider_or_404(Cohort, cohort_id)
    form = CohortForm(obj=cohort if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.update_cohort(
                current_user, cohort, form.name.data, form.starts_on.data, form.ends_on.data
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Saved the cohort '{cohort.name}'.", "success")
            return redirect(url_for("enrolments.cohorts"))
    enrolled = db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort.id))
    return render_template("enrolments/cohort_edit.html", form=form, cohort=cohort, enrolled=enrolled,
                           remove_form=EmptyForm()), form_status(form)  # fmt: skip


@bp.post("/cohorts/<int:cohort_id>/remove")
@roles_required(Role.ADMIN)
def cohort_remove(cohort_id: int):
    cohort = get_in_provider_or_404(Cohort, cohort_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form has expired: reload the page and try again.")
    name = cohort.name
    try:
        operations.remove_cohort(current_user, cohort)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("enrolments.cohort_edit", cohort_id=cohort_id))
    db.session.commit()
    flash(f"Removed the cohort '{name}'.", "success")
    return redirect(url_for("enrolments.cohorts"))


@bp.get("/enrolments")
@roles_required(Role.ADMIN, Role.EQA)
def enrolment_list():
    """The provider's enrolments by learner, fifty a page; filtered by cohort and searched by
    the learner's name or email."""
    cohort_id = request.args.get("cohort", type=listing.whole_number)
    cohort = get_in_provider_or_404(Cohort, cohort_id) if cohort_id else None
    search = listing.search_text()
    # ?assessor=none or ?iqa=none: the enrolments still without one.
    without = next((name for name in UNASSIGNED if request.args.get(name) == "none"), None)
    enrolments, paging = enrolment_page(
        current_user, listing.page_number(), cohort.id if cohort else None, search, without,
        shown=(*PEOPLE_LOADED, UNIT_LOADED, joinedload(Enrolment.cohort)),
    )  # fmt: skip
    cohorts = db.session.scalars(provider_scoped(Cohort).order_by(Cohort.name)).all()
    return render_template(
        "enrolments/list.html", enrolments=enrolments, cohorts=cohorts, cohort=cohort,
        search=search, paging=paging, without=without,
    )  # fmt: skip


@bp.route("/enrolments/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def enrolment_new():
    form = EnrolmentForm()
    search = listing.search_text()
    source = request.args if request.method == "GET" else request.form
    chosen = source.get("learner" if request.method == "GET" else "learner_id", type=listing.whole_number)
    form.fill_choices(current_user.provider_id, search, chosen)
    if request.method == "GET":
        form.learner_id.data = chosen
        form.cohort_id.data = request.args.get("cohort", type=listing.whole_number)
        form.default_dates(form.cohort_id.data)
    if form.validate_on_submit():
        qualification_id, unit_id = form.qualification_and_unit()
        try:
            enrolment = operations.enrol_learner(
                current_user,
                learner_id=form.learner_id.data,
                qualification_id=qualification_id,
                unit_id=unit_id,
                starts_on=form.starts_on.data,
                planned_end_on=form.planned_end_on.data,
                cohort_id=form.cohort_id.data,
                assessor_id=form.assessor_id.data,
                iqa_id=form.iqa_id.data,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{enrolment.learner.name} is enrolled on {enrolment.unit.title}.", "success")
            return redirect(url_for("enrolments.enrolment_list"))
    return render_template("enrolments/new.html", form=form, search=search), form_status(form)


@bp.route("/enrolments/<int:enrolment_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def enrolment_edit(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    form = EnrolmentDetailsForm(obj=enrolment if request.method == "GET" else None)
    form.fill_choices(current_user.provider_id)
    if form.validate_on_submit():
        try:
            operations.update_enrolment(
                current_user,
                enrolment,
                cohort_id=form.cohort_id.data,
                assessor_id=form.assessor_id.data,
                iqa_id=form.iqa_id.data,
                starts_on=form.starts_on.data,
                planned_end_on=form.planned_end_on.data,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Saved {enrolment.learner.name}'s enrolment.", "success")
            return redirect(url_for("enrolments.enrolment", enrolment_id=enrolment.id))
    return (
        render_template("enrolments/edit.html", form=form, enrolment=enrolment),
        form_status(form),
    )


@bp.get("/enrolments/<int:enrolment_id>")
@login_required
def enrolment(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    return render_template(
        "enrolments/enrolment.html",
        enrolment=enrolment,
        apprenticeship=apprenticeship_of(enrolment.id),
    )
