"""Who may see and write which evidence: a person sees exactly the evidence of the enrolments
they may see (portfolio.enrolments.permissions), and changes only what they wrote."""

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portfolio.accounts.models import Role, User
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import is_line_manager, visible_enrolment_ids
from portfolio.evidence.models import EMPLOYER_KINDS, CriterionClaim, EvidenceItem, EvidenceKind


def item_or_404(user: User, item_id: int) -> EvidenceItem:
    """The evidence item, with its versions, files and claims, if ``user`` may see its
    enrolment; 404 otherwise."""
    item = db.session.scalar(
        select(EvidenceItem)
        .where(
            EvidenceItem.id == item_id, EvidenceItem.enrolment_id.in_(visible_enrolment_ids(user))
        )
        .options(
            selectinload(EvidenceItem.versions),
            selectinload(EvidenceItem.files),
            selectinload(EvidenceItem.claims).selectinload(CriterionClaim.criterion),
        )
    )
    if item is None:
        abort(404)
    return item


def own_item_or_404(user: User, item_id: int) -> EvidenceItem:
    """An item this user wrote (a learner's own, or an assessor's record); 404 otherwise."""
    item = item_or_404(user, item_id)
    if item.created_by_id != user.id:
        abort(404)
    return item


def author_or_403(user: User, item: EvidenceItem) -> None:
    """403 unless this user wrote the item they can see: only its author claims criteria."""
    if item.created_by_id != user.id:
        abort(403)


def kind_for_author_or_404(user: User, kind: str, enrolment: Enrolment) -> EvidenceKind:
    """The kind of evidence ``user`` may start on this enrolment: the learner writes their own
    kinds, the enrolment's assessor the assessor's kinds, the apprentice's line manager
    witness testimony. 404 for a kind that does not exist, 403 for one this user does not
    write."""
    try:
        found = EvidenceKind(kind)
    except ValueError:
        abort(404)
    if user.role is Role.EMPLOYER:
        if found not in EMPLOYER_KINDS or not is_line_manager(user, enrolment):
            abort(403)
        return found
    author = enrolment.assessor_id if found.by_assessor else enrolment.learner_id
    if user.id != author:
        abort(403)
    return found
