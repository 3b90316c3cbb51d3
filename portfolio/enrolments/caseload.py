"""The enrolments a person may see, a page at a time: their home page and the provider's list."""

from collections.abc import Sequence

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func
from sqlalchemy.orm.interfaces import ORMOption

from portfolio import listing
from portfolio.accounts.models import LEARNER, User
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import (
    ALL_LOADED,
    visible_enrolment_ids,
    visible_enrolments,
)

# The people an enrolment may be without, as the list's filter names them.
UNASSIGNED = {"assessor": Enrolment.assessor_id, "iqa": Enrolment.iqa_id}


def enrolment_page(user: User, asked: int, cohort_id: int | None = None, search: str = "",
                   without: str | None = None, *, shown: Sequence[ORMOption] = ALL_LOADED,
                   ) -> tuple[list[Enrolment], Pagination]:  # fmt: skip
    """One page of the enrolments this user may see, by learner's name: only those of
    ``cohort_id`` when given, of learners whose name or email contains ``search``, and
    without an assessor or an IQA when ``without`` names one (UNASSIGNED). The page's ids
    are chosen first, sorted on the names alone; then only those enrolments are read, with
    the relations the page shows (``shown``, as for ``visible_enrolments``)."""
    learner = LEARNER.c
    ids = visible_enrolment_ids(user).join(LEARNER, Enrolment.learner_id == learner.id)
    if cohort_id is not None:
        ids = ids.where(Enrolment.cohort_id == cohort_id)
    if without in UNASSIGNED:
        ids = ids.where(UNASSIGNED[without].is_(None))
    if search:
        ids = ids.where(listing.matching(search, learner.name, learner.email))
    paging = listing.paginate(ids.order_by(func.lower(learner.name), Enrolment.id), asked)
    ids_shown = paging.items
    loaded = db.session.scalars(visible_enrolments(user, shown).where(Enrolment.id.in_(ids_shown)))
    by_id = {enrolment.id: enrolment for enrolment in loaded}
    return [by_id[enrolment_id] for enrolment_id in ids_shown], paging
