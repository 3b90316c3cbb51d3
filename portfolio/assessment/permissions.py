"""Who may open an IQA sample: the IQA who drew it and the assessor whose decision it samples."""

from flask import abort
from sqlalchemy import select

from portfolio.accounts.models import Role, User
from portfolio.assessment.models import Decision, Sample
from portfolio.db import db


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
