"""The IQA's sampling record as an EQA reads it: every sample of the enrolments the reader
may see, with the decision sampled, the review and the assessor's answer."""

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from portfolio.accounts.models import User
from portfolio.assessment.models import Decision, Sample, SamplingPlan
from portfolio.db import db
from portfolio.enrolments.permissions import visible_enrolment_ids
from portfolio.evidence.models import EvidenceItem


def sampling_record(user: User) -> Select:
    """The samples of the enrolments ``user`` may see, newest first, with their people."""
    decision = joinedload(Sample.decision)
    return (
        select(Sample)
        .join(Decision, Decision.id == Sample.decision_id)
        .where(
            Sample.provider_id == user.provider_id,
            Decision.enrolment_id.in_(visible_enrolment_ids(user)),
        )
        .order_by(Sample.created_at.desc(), Sample.id.desc())
        .options(
            joinedload(Sample.iqa),
            decision.joinedload(Decision.assessor),
            decision.joinedload(Decision.item).joinedload(EvidenceItem.learner),
        )
    )


def plan_of(provider_id: int) -> SamplingPlan | None:
    """The provider's sampling plan as it stands, without making one (a reader changes nothing)."""
    return db.session.scalar(select(SamplingPlan).where(SamplingPlan.provider_id == provider_id))
