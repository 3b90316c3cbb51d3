"""Who may open an IQA sample, and who may read which audit trail: both follow the enrolments
a person may see (portfolio.enrolments.permissions)."""

from flask import abort
from sqlalchemy import ColumnElement, and_, or_, select, true

from portfolio.accounts.models import Role, User
from portfolio.assessment.models import Decision, Sample
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import visible_enrolment_ids
from portfolio.evidence.models import EvidenceItem

# Who reads audit trails at all: learners are refused (403). EQAs read those of the
# learners they may see, within their time-limited access (accounts.auth refuses it after).
TRAIL_READERS = (Role.ASSESSOR, Role.IQA, Role.ADMIN, Role.EQA)


def sample_or_404(user: User, sample_id: int) -> Sample:
    """The sample, if ``user`` drew it (an IQA) or made the decision it samples (an assessor);
    404 otherwise, another provider's sample included."""
    query = (
        select(Sample)
        .join(Decision, Decision.id == Sample.decision_id)
        .where(Sample.id == sample_id, Sample.provider_id == user.provider_id)
    )
    if user.role is Role.IQA:
        query = query.where(Sample.iqa_id == user.id)
    elif user.role is Role.ASSESSOR:
        query = query.where(Decision.assessor_id == user.id)
    sample = db.session.scalar(query)
    if sample is None:
        abort(404)
    return sample


def readable_events(user: User) -> ColumnElement[bool]:
    """The audit events ``user`` may read, as a condition on AuditEvent.

    An admin reads their provider's whole chain. Assessors, IQAs and EQAs read the events of
    the enrolments they may see (an EQA: every enrolment of the provider): about the
    enrolment, its evidence and the samples of that
    evidence's decisions; and the account events of a learner with such an enrolment. Taken
    off an enrolment, they no longer read its events.
    """
    if user.role is Role.ADMIN:
        return true()
    enrolments = visible_enrolment_ids(user)
    evidence = select(EvidenceItem.id).where(EvidenceItem.enrolment_id.in_(enrolments))
    samples = (
        select(Sample.id)
        .join(Decision, Decision.id == Sample.decision_id)
        .where(Decision.item_id.in_(evidence))
    )
    learners = select(Enrolment.learner_id).where(Enrolment.id.in_(enrolments))
    return or_(
        and_(AuditEvent.object_type == "enrolment", AuditEvent.object_id.in_(enrolments)),
        and_(AuditEvent.object_type == "evidence", AuditEvent.object_id.in_(evidence)),
        and_(AuditEvent.object_type == "sample", AuditEvent.object_id.in_(samples)),
        and_(AuditEvent.object_type == "user", AuditEvent.learner_id.in_(learners)),
    )


def trail_learner_or_404(user: User, learner_id: int) -> User:
    """A learner whose trail ``user`` may read: any learner of an admin's provider, or one
    with an enrolment an assessor, IQA or EQA may see; 404 otherwise."""
    query = select(User).where(
        User.id == learner_id, User.provider_id == user.provider_id, User.role == Role.LEARNER
    )
    if user.role is not Role.ADMIN:
        caseload = select(Enrolment.learner_id).where(Enrolment.id.in_(visible_enrolment_ids(user)))
        query = query.where(User.id.in_(caseload))
    learner = db.session.scalar(query)
    if learner is None:
        abort(404)
    return learner
