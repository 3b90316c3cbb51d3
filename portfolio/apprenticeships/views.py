"""Pages of apprenticeships: the admin's employers and line managers, an enrolment's
apprenticeship with its breaks in learning, and what an employer sees of an apprentice."""


from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portfolio import listing
from portfolio.accounts.access import get_in_provider_or_404, roles_required
from portfolio.accounts.models import LEARNER, Role, User
from portfolio.apprenticeships import breaks, operations
from portfolio.apprenticeships.forms import (
    ApprenticeshipForm,
    BreakForm,
    EmployerForm,
    EndBreakForm,
    LineManagerForm,
)
from portfolio.apprenticeships.models import Apprenticeship, BreakInLearning, Employer
from portfolio.dates import format_date, local_today
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import enrolment_or_404
from portfolio.errors import DomainError
from portfolio.forms import attach_error, form_status
from portfolio.progress.models import EnrolmentProgress

bp = Blueprint("apprenticeships", __name__)


@bp.route("/employers", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def employers():
    form = EmployerForm()
    if form.validate_on_submit():
        try:
            employer = operations.create_employer(current_user, **form.details())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Added {employer.name}. Now add its line managers.", "success")
            return redirect(url_for("apprenticeships.employer", employer_id=employer.id))
    apprentices = (
        select(func.count(Apprenticeship.id))
        .where(Apprenticeship.employer_id == Employer.id)
        .scalar_subquery()
    )
    managers = (
        select(func.count(User.id))
        .where(User.employer_id == Employer.id, User.role == Role.EMPLOYER)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Employer, apprentices.label("apprentices"), managers.label("managers"))
        .where(Employer.provider_id == current_user.provider_id)
        .order_by(Employer.name)
    ).all()
    return render_template("apprenticeships/employers.html", form=form, rows=rows), form_status(
        form
    )


@bp.route("/employers/<int:employer_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def employer(employer_id: int):
    employer = get_in_provider_or_404(Employer, employer_id)
    form = EmployerForm(obj=employer, prefix="details")
    manager_form = LineManagerForm(prefix="manager")
    if form.validate_on_submit():
        try:
            operations.update_employer(current_user, employer, **form.details())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Saved the details of {employer.name}.", "success")
            return redirect(url_for("apprenticeships.employer", employer_id=employer.id))
    return _employer_page(employer, form, manager_form)


def _employer_page(employer, form, manager_form):
    # The employer's apprentices by name, fifty a page.
    apprentices = listing.paginate(
        select(Apprenticeship)
        .join(Enrolment, Enrolment.id == Apprenticeship.enrolment_id)
        .join(LEARNER, LEARNER.c.id == Enrolment.learner_id)
        .where(Apprenticeship.employer_id == employer.id)
        .options(
            joinedload(Apprenticeship.enrolment).joinedload(Enrolment.learner),
            joinedload(Apprenticeship.line_manager),
        )
        .order_by(func.lower(LEARNER.c.name), Apprenticeship.id)
    )
    status = 400 if form.errors or form.form_errors or manager_form.errors else 200
    return (
        render_template(
            "apprenticeships/employer.html",
            employer=employer,
            form=form,
            manager_form=manager_form,
            managers=operations.line_managers(employer.id),
            apprentices=apprentices,
        ),
        status,
    )


@bp.post("/employers/<int:employer_id>/line-managers")
@roles_required(Role.ADMIN)
def add_line_manager(employer_id: int):
    employer = get_in_provider_or_404(Employer, employer_id)
    manager_form = LineManagerForm(prefix="manager")
    if manager_form.validate_on_submit():
        try:
            user = operations.add_line_manager(
                current_user, employer, name=manager_form.name.data, email=manager_form.email.data
            )
        except DomainError as error:
            db.session.rollback()
            employer = get_in_provider_or_404(Employer, employer_id)
            attach_error(manager_form, error)
        else:
            db.session.commit()
            flash(
                f"Added {user.name} as a line manager at {employer.name}; an invitation to "
                f"choose their password has been emailed to {user.email}.",
                "success",
            )
            return redirect(url_for("apprenticeships.employer", employer_id=employer.id))
    elif not manager_form.errors:
        abort(400)
    return _employer_page(employer, EmployerForm(obj=employer, prefix="details"), manager_form)


@bp.get("/enrolments/<int:enrolment_id>/apprenticeship")
@login_required
def apprenticeship(enrolment_id: int):
    """The apprenticeship of an enrolment, its progress and its breaks: for everyone who may
    see the enrolment (an employer their apprentices'), with the admin's forms."""
    enrolment = enrolment_or_404(current_user, enrolment_id)
    return _apprenticeship_page(enrolment)


def _apprenticeship_page(enrolment, *, form=None, break_form=None, end_form=None, status=200):
    today = local_today(current_user.provider.time_zone)
    progress = db.session.get(EnrolmentProgress, enrolment.id)
    is_admin = current_user.role is Role.ADMIN
    if is_admin and form is None:
        current = operations.apprenticeship_of(enrolment.id)
        form = ApprenticeshipForm(obj=current)
        form.fill_choices(current_user.provider_id)
    return (
        render_template(
            "apprenticeships/apprenticeship.html",
            enrolment=enrolment,
            apprenticeship=operations.apprenticeship_of(enrolment.id),
            progress=progress,
            expected=breaks.expected_share(progress, today) if progress else None,
            paused=breaks.paused_days(enrolment, today),
            breaks=operations.breaks_of(enrolment.id),
            form=form,
            break_form=(break_form or BreakForm(prefix="break")) if is_admin else None,
            end_form=(end_form or EndBreakForm(prefix="end", ends_on=today)) if is_admin else None,
            today=today,
        ),
        status,
    )


@bp.post("/enrolments/<int:enrolment_id>/apprenticeship")
@roles_required(Role.ADMIN)
def apprenticeship_save(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    form = ApprenticeshipForm()
    form.fill_choices(current_user.provider_id)
    if form.validate_on_submit():
        try:
            operations.set_apprenticeship(
                current_user,
                enrolment,
                programme=form.programme.data,
                employer_id=form.employer_id.data,
                line_manager_id=form.line_manager_id.data,
                planned_otj_hours=form.planned_otj_hours.data,
            )
        except DomainError as error:
            db.session.rollback()
            enrolment = enrolment_or_404(current_user, enrolment_id)
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Saved {enrolment.learner.name}'s apprenticeship.", "success")
            return redirect(url_for("apprenticeships.apprenticeship", enrolment_id=enrolment.id))
    return _apprenticeship_page(enrolment, form=form, status=400)


@bp.post("/enrolments/<int:enrolment_id>/breaks")
@roles_required(Role.ADMIN)
def record_break(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    form = BreakForm(prefix="break")
    if form.validate_on_submit():
        try:
            operations.record_break(
                current_user,
                enrolment,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                reason=form.reason.data,
                today=local_today(current_user.provider.time_zone),
            )
        except DomainError as error:
            db.session.rollback()
            enrolment = enrolment_or_404(current_user, enrolment_id)
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                f"Recorded the break in learning of {enrolment.learner.name}: expected progress "
                "leaves out its days.",
                "success",
            )
            return redirect(
                url_for(
                    "apprenticeships.apprenticeship", enrolment_id=enrolment.id, _anchor="breaks-h"
                )
            )
    return _apprenticeship_page(enrolment, break_form=form, status=400)


@bp.post("/breaks/<int:break_id>/end")
@roles_required(Role.ADMIN)
def end_break(break_id: int):
    pause = db.session.get(BreakInLearning, break_id)
    if pause is None:
        abort(404)
    # Found through the one rule: another provider's break is a 404.
    enrolment = enrolment_or_404(current_user, pause.enrolment_id)
    back = url_for("apprenticeships.apprenticeship", enrolment_id=enrolment.id, _anchor="breaks-h")
    if pause.ends_on is not None:  # ended meanwhile, in another tab or by another admin
        flash(f"That break ended already, on {format_date(pause.ends_on)}.", "error")
        return redirect(back, 303)
    form = EndBreakForm(prefix="end")
    if form.validate_on_submit():
        try:
            today = local_today(current_user.provider.time_zone)
            operations.end_break(current_user, pause, ends_on=form.ends_on.data, today=today)
        except DomainError as error:
            db.session.rollback()
            enrolment = enrolment_or_404(current_user, pause.enrolment_id)
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Ended the break in learning of {enrolment.learner.name}.", "success")
            return redirect(back, 303)
    return _apprenticeship_page(enrolment, end_form=form, status=400)
