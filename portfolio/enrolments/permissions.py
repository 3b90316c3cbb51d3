"""Who may see which enrolment: the one rule every page about an enrolment, its evidence, its
sign-off, its PDF and its audit trail starts from.

A learner sees their own enrolments, an assessor and an IQA those they are named on, an
employer (a line manager) the apprenticeships that name them, and a provider admin or an EQA
every enrolment of their provider. Nobody sees another provider's:
to them it is a 404, as if it did not exist.
"""

from collections.abc import Sequence

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, false, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from portfolio.accounts.models import Role, User

# The one model read against the package order (apprenticeships build on enrolments): which
# apprenticeships name an employer account as line manager is part of this rule.
from portfolio.apprenticeships.models import Apprenticeship
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.units.models import Unit


def may_see(user: User) -> ColumnElement[bool]:
    """The rule, as a condition on Enrolment."""
    at_provider = Enrolment.provider_id == user.provider_id
    if user.role is Role.LEARNER:
        return and_(at_provider, Enrolment.learner_id == user.id)
    if user.role is Role.ASSESSOR:
        return and_(at_provider, Enrolment.assessor_id == user.id)
    if user.role is Role.IQA:
        return and_(at_provider, Enrolment.iqa_id == user.id)
    if user.role is Role.EMPLOYER:
        managed = select(Apprenticeship.enrolment_id).where(
            Apprenticeship.line_manager_id == user.id
        )
        return and_(at_provider, Enrolment.id.in_(managed))
    if user.role in (Role.ADMIN, Role.EQA):
        return at_provider
    return false()


# What a page loads with an enrolment, in the same statement: the relations it shows.
UNIT_LOADED = joinedload(Enrolment.unit).joinedload(Unit.awarding_body)
LEARNER_LOADED = joinedload(Enrolment.learner)
PEOPLE_LOADED = (LEARNER_LOADED, joinedload(Enrolment.assessor), joinedload(Enrolment.iqa))
ALL_LOADED = (
    *PEOPLE_LOADED, UNIT_LOADED, joinedload(Enrolment.qualification),
    joinedload(Enrolment.cohort), joinedload(Enrolment.criteria_set),
)  # fmt: skip


def visible_enrolments(user: User, shown: Sequence[ORMOption] = ALL_LOADED) -> Select:
    """The enrolments this user may see, loaded with the relations ``shown``: by default
    their people, unit, qualification, cohort and criteria version."""
    return select(Enrolment).where(may_see(user)).options(*shown)


def visible_enrolment_ids(user: User) -> Select:
    """The ids of the enrolments this user may see, for use inside other queries."""
    return select(Enrolment.id).where(may_see(user))


def is_line_manager(user: User, enrolment: Enrolment) -> bool:
    """Whether ``user`` is the line manager the enrolment's apprenticeship names."""
    if user.role is not Role.EMPLOYER:
        return False
    manager_id = db.session.scalar(
        select(Apprenticeship.line_manager_id).where(Apprenticeship.enrolment_id == enrolment.id)
    )
    return manager_id == user.id and enrolment.provider_id == user.provider_id


def enrolment_or_404(user: User, enrolment_id: int) -> Enrolment:
    """The enrolment, if this user may see it; 404 otherwise."""
    enrolment = db.session.scalar(visible_enrolments(user).where(Enrolment.id == enrolment_id))
    if enrolment is None:
        abort(404)
    return enrolment
