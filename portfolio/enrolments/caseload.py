"""Who may see which enrolment: the query every enrolment and evidence page starts from."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portfolio import listing
from portfolio.accounts.models import Role, User
from portfolio.db import Reads, db
from portfolio.enrolments.models import Enrolment
from portfolio.units.models import AwardingBody, CriteriaSet, Qualification, Unit


def _visible_to(query: Select, user: User) -> Select:
    """Limit a query on Enrolment to what this user may see."""
    return _visible_to_role(query, user.role, user.provider_id, user.id)


def _visible_to_role(query: Select, role: Role, provider_id, user_id) -> Select:
    """The rule for a role; the provider and user may be values or bound parameters."""
    query = query.where(Enrolment.provider_id == provider_id)
    if role is Role.LEARNER:
        return query.where(Enrolment.learner_id == user_id)
    if role is Role.ASSESSOR:
        return query.where(Enrolment.assessor_id == user_id)
    if role is Role.IQA:
        return query.where(Enrolment.iqa_id == user_id)
    return query  # provider admins and EQAs see the whole provider


def visible_to_viewer(viewer) -> ColumnElement[bool]:
    """The rule of ``_visible_to`` as one SQL condition on a viewer that is part of the query
    (User or an alias of it), for a query that must check who is asking in the same statement.
    tests/enrolments/test_visibility.py holds the two to the same answers."""
    return and_(
        Enrolment.provider_id == viewer.provider_id,
        or_(
            viewer.role == Role.ADMIN,
            viewer.role == Role.EQA,
            and_(viewer.role == Role.LEARNER, Enrolment.learner_id == viewer.id),
            and_(viewer.role == Role.ASSESSOR, Enrolment.assessor_id == viewer.id),
            and_(viewer.role == Role.IQA, Enrolment.iqa_id == viewer.id),
        ),
    )


def visible_enrolments(user: User) -> Select:
    """Enrolments this user may see: their own, their caseload, or all of their provider's."""
    return _visible_to(select(Enrolment), user).options(*_WITH_PEOPLE_AND_UNIT)


_WITH_PEOPLE_AND_UNIT = (
    joinedload(Enrolment.learner),
    joinedload(Enrolment.assessor),
    joinedload(Enrolment.iqa),
    joinedload(Enrolment.unit).joinedload(Unit.awarding_body),
    joinedload(Enrolment.qualification),
    joinedload(Enrolment.cohort),
    joinedload(Enrolment.criteria_set),
)


@cache
def _one_visible(role: Role) -> Select:
    """The query for one enrolment a user of this role may see, built once per role."""
    query = select(Enrolment).where(Enrolment.id == bindparam("enrolment"))
    query = _visible_to_role(query, role, bindparam("provider"), bindparam("user"))
    return query.options(*_WITH_PEOPLE_AND_UNIT)


@dataclass(frozen=True)
class EnrolmentView:
    """An enrolment as a page about it shows it: its people's ids, the learner's name, the
    unit and qualification, and the criteria version with its evidence requirements."""

    id: int
    learner_id: int
    assessor_id: int | None
    iqa_id: int | None
    criteria_set_id: int
    locked: bool
    learner_name: str
    unit_title: str
    qualification_title: str
    awarding_body_name: str
    criteria_version: int
    evidence_requirements: list[dict]


def visible_enrolment_view(user: User, enrolment_id: int,
                           reads: Reads | None = None) -> Callable[[], EnrolmentView]:  # fmt: skip
    """``visible_enrolment_or_404`` for a page that only shows the enrolment: one statement,
    no ORM objects, that joins ``reads``. The function returned gives the enrolment, or
    answers 404 when the user may not see it; read nothing else of it before calling it."""
    parameters = {"enrolment": enrolment_id, "provider": user.provider_id, "user": user.id}
    rows = (reads or Reads()).add(_one_view(user.role), parameters)

    def enrolment() -> EnrolmentView:
        found = rows()
        if not found:
            abort(404)
        return EnrolmentView(*found[0])

    return enrolment


@cache
def _one_view(role: Role) -> Select:
    learner = aliased(User)
    query = (
        select(Enrolment.id, Enrolment.learner_id, Enrolment.assessor_id, Enrolment.iqa_id,
               Enrolment.criteria_set_id, Enrolment.locked, learner.name, Unit.title,
               Qualification.title, AwardingBody.name, CriteriaSet.version,
               CriteriaSet.evidence_requirements)
        .join(learner, learner.id == Enrolment.learner_id)
        .join(Unit, Unit.id == Enrolment.unit_id)
        .join(AwardingBody, AwardingBody.id == Unit.awarding_body_id)
        .join(Qualification, Qualification.id == Enrolment.qualification_id)
        .join(CriteriaSet, CriteriaSet.id == Enrolment.criteria_set_id)
        .where(Enrolment.id == bindparam("enrolment"))
    )  # fmt: skip
    return _visible_to_role(query, role, bindparam("provider"), bindparam("user"))


def visible_enrolment_ids(user: User) -> Select:
    """The ids of the same enrolments, for use inside other queries."""
    return _visible_to(select(Enrolment.id), user)


def enrolment_page(user: User, asked: int, cohort_id: int | None = None,
                   search: str = "") -> tuple[list[Enrolment], listing.Paging]:  # fmt: skip
    """One page of the enrolments this user may see, by learner's name, with their people and
    unit: only those of ``cohort_id`` when given, and of learners whose name or email contains
    ``search``. The page's ids are chosen first, sorted on the names alone; then only those
    enrolments are read with their people and unit."""
    learner = aliased(User)
    ids = visible_enrolment_ids(user).join(learner, Enrolment.learner_id == learner.id)
    if cohort_id is not None:
        ids = ids.where(Enrolment.cohort_id == cohort_id)
    if search:
        ids = ids.where(listing.matching(search, learner.name, learner.email))
    paging = listing.Paging(asked, listing.count_of(ids))
    shown = db.session.scalars(
        ids.order_by(func.lower(learner.name), Enrolment.id).limit(paging.size).offset(paging.offset)
    ).all()
    loaded = db.session.scalars(visible_enrolments(user).where(Enrolment.id.in_(shown)))
    by_id = {enrolment.id: enrolment for enrolment in loaded}
    return [by_id[enrolment_id] for enrolment_id in shown], paging


def visible_enrolment_or_404(user: User, enrolment_id: int) -> Enrolment:
    parameters = {"enrolment": enrolment_id, "provider": user.provider_id, "user": user.id}
    enrolment = db.session.scalar(_one_visible(user.role), parameters)
    if enrolment is None:
        abort(404)
    return enrolment
