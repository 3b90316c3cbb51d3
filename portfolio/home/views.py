"""The home page: what each role needs first, and what to do next when there is nothing yet."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portfolio import listing
from portfolio.accounts.models import Role, User
from portfolio.assessment.marking import queue_summary
from portfolio.db import db
from portfolio.enrolments.caseload import enrolment_page
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.evidence.models import EvidenceItem, EvidenceStatus
from portfolio.units.models import Unit

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    if current_user.role is Role.ADMIN:
        return admin_home()
    enrolments, paging = enrolment_page(current_user, listing.page_number())
    notices = []
    if current_user.role is Role.LEARNER:
        notices = db.session.scalars(
            select(EvidenceItem)
            .where(
                EvidenceItem.learner_id == current_user.id,
                EvidenceItem.status == EvidenceStatus.RETURNED,
            )
            .order_by(EvidenceItem.updated_at.desc())
        ).all()
    waiting = overdue = 0
    if current_user.role is Role.ASSESSOR:
        waiting, overdue = queue_summary(current_user)
    template = {
        Role.LEARNER: "home/learner.html",
        Role.ASSESSOR: "home/assessor.html",
        Role.IQA: "home/iqa.html",
        Role.EQA: "home/eqa.html",
    }[current_user.role]
    return render_template(template, enrolments=enrolments, paging=paging, notices=notices,
                           waiting=waiting, overdue=overdue)  # fmt: skip


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
    unassigned = db.session.scalar(
        select(func.count()).where(
            Enrolment.provider_id == provider_id,
            (Enrolment.assessor_id.is_(None)) | (Enrolment.iqa_id.is_(None)),
        )
    )
    units = db.session.scalar(select(func.count(Unit.id)))
    return render_template(
        "home/admin.html",
        people=people,
        cohorts=cohorts,
        enrolments=enrolments,
        unassigned=unassigned,
        units=units,
    )
