"""The home page: each role's to-do list, every entry linked to where the work is done, and
what to do next when there is nothing to do yet."""


from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portfolio import listing
from portfolio.accounts.models import Role, User
from portfolio.apprenticeships import reviews
from portfolio.apprenticeships.listing import apprentice_figures
from portfolio.assessment.marking import queue_summary
from portfolio.dates import local_today
from portfolio.db import db
from portfolio.enrolments.caseload import enrolment_page
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.enrolments.permissions import LEARNER_LOADED, PEOPLE_LOADED, UNIT_LOADED
from portfolio.home import todo
from portfolio.progress import reviews_overdue, workload
from portfolio.units.models import Unit

bp = Blueprint("home", __name__)

TEMPLATES = {
    Role.LEARNER: "home/learner.html",
    Role.ASSESSOR: "home/assessor.html",
    Role.IQA: "home/iqa.html",
    Role.EQA: "home/eqa.html",
    Role.EMPLOYER: "home/employer.html",
}

# What each home page shows of the enrolments it lists, loaded with them.
SHOWN = {
    Role.LEARNER: (UNIT_LOADED, joinedload(Enrolment.assessor), joinedload(Enrolment.qualification),
                   joinedload(Enrolment.criteria_set)),
    Role.ASSESSOR: (*PEOPLE_LOADED, UNIT_LOADED),
    Role.IQA: (*PEOPLE_LOADED, UNIT_LOADED),
    Role.EQA: (*PEOPLE_LOADED, UNIT_LOADED),
    Role.EMPLOYER: (LEARNER_LOADED, UNIT_LOADED),
}  # fmt: skip


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    if current_user.role is Role.ADMIN:
        return admin_home()
    user = current_user._get_current_object()
    enrolments, paging = enrolment_page(user, listing.page_number(), shown=SHOWN[user.role])
    today = local_today(user.provider.time_zone)
    extra = {"today": today}  # for what a break in learning pauses
    if user.role is Role.LEARNER:
        extra["todo"] = todo.learner(user, [e.id for e in enrolments])
    elif user.role is Role.ASSESSOR:
        extra["waiting"], extra["overdue"] = queue_summary(user)
        extra["todo"] = todo.assessor(user)
    elif user.role is Role.IQA:
        extra["todo"] = todo.iqa(user)
    elif user.role is Role.EMPLOYER:
        extra["figures"] = apprentice_figures(e.id for e in enrolments)
    if user.role in (Role.LEARNER, Role.ASSESSOR, Role.EMPLOYER):
        extra["reviews_overdue"] = reviews_overdue.overdue_for(user, today)
    if user.role in (Role.LEARNER, Role.EMPLOYER):
        extra["reviews_to_sign"] = reviews.to_sign(user)
    return render_template(TEMPLATES[user.role], enrolments=enrolments, paging=paging, **extra)


def admin_home():
    provider_id = current_user.provider_id
    people = dict(
        db.session.execute(
            select(User.role, func.count())
            .where(User.provider_id == provider_id)
            .group_by(User.role)
        ).all()
    )
    cohorts = db.session.scalar(select(func.count()).where(Cohort.provider_id == provider_id))
    enrolments = db.session.scalar(select(func.count()).where(Enrolment.provider_id == provider_id))
    without_iqa = db.session.scalar(
        select(func.count()).where(Enrolment.provider_id == provider_id, Enrolment.iqa_id.is_(None))
    )
    units = db.session.scalar(select(func.count(Unit.id)))
    plan = workload.settings(provider_id)
    today = local_today(current_user.provider.time_zone)
    return render_template(
        "home/admin.html",
        people=people,
        cohorts=cohorts,
        enrolments=enrolments,
        without_iqa=without_iqa,
        units=units,
        todo=todo.admin(current_user, today, plan.inactive_days),
        reviews_overdue=reviews_overdue.overdue_for(current_user, today),
    )
