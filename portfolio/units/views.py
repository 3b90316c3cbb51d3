"""The criteria browser: awarding body, qualification, unit, learning outcomes, criteria."""

from flask import Blueprint, abort, render_template, request
from flask_login import login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portfolio.db import db
from portfolio.listing import whole_number
from portfolio.units.models import (
    AwardingBody,
    CriteriaSet,
    Criterion,
    LearningOutcome,
    Qualification,
    Unit,
)

bp = Blueprint("units", __name__)


@bp.get("/criteria")
@login_required
def library():
    bodies = db.session.scalars(
        select(AwardingBody)
        .order_by(AwardingBody.name)
        .options(selectinload(AwardingBody.qualifications).selectinload(Qualification.units))
    ).all()
    # Criteria in each unit's newest version, counted in one query.
    newest = (
        select(CriteriaSet.unit_id, func.max(CriteriaSet.version).label("version"))
        .group_by(CriteriaSet.unit_id)
        .subquery()
    )
    counts = dict(
        db.session.execute(
            select(CriteriaSet.unit_id, func.count(Criterion.id))
            .join(
                newest,
                (newest.c.unit_id == CriteriaSet.unit_id)
                & (newest.c.version == CriteriaSet.version),
            )
            .join(Criterion, Criterion.criteria_set_id == CriteriaSet.id)
            .group_by(CriteriaSet.unit_id)
        ).all()
    )
    return render_template("units/library.html", bodies=bodies, counts=counts)


@bp.get("/criteria/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    unit = db.session.scalar(
        select(Unit)
        .where(Unit.id == unit_id)
        .options(selectinload(Unit.criteria_sets), selectinload(Unit.qualifications))
    )
    if unit is None or not unit.criteria_sets:
        abort(404)
    version = request.args.get("version", type=whole_number)
    if version is None:
        criteria_set = unit.current
    else:
        criteria_set = next((s for s in unit.criteria_sets if s.version == version), None)
        if criteria_set is None:
            abort(404)
    outcomes = db.session.scalars(
        select(LearningOutcome)
        .where(LearningOutcome.criteria_set_id == criteria_set.id)
        .order_by(LearningOutcome.number)
        .options(selectinload(LearningOutcome.criteria))
    ).all()
    return render_template(
        "units/unit.html", unit=unit, criteria_set=criteria_set, outcomes=outcomes
    )
