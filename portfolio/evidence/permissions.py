"""Which evidence a person may see: exactly the evidence of enrolments they may see."""

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portfolio.accounts.models import User
from portfolio.db import db
from portfolio.enrolments.caseload import visible_enrolment_ids
from portfolio.evidence.models import CriterionClaim, EvidenceItem


def visible_item_or_404(user: User, item_id: int) -> EvidenceItem:
    enrolment_ids = visible_enrolment_ids(user)
    item = db.session.scalar(
        select(EvidenceItem)
        .where(EvidenceItem.id == item_id, EvidenceItem.enrolment_id.in_(enrolment_ids))
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
    """An item this user wrote (a learner's own, or an assessor's record); else 404."""
    item = visible_item_or_404(user, item_id)
    if item.created_by_id != user.id:
        abort(404)
    return item
