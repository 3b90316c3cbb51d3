"""Suggestion models kept up to date by the worker: every hour, each unit whose provider has
decided evidence on it since its model was trained (or that has no model yet) gets a job that
retrains it, so suggestions learn as decisions accumulate."""

from sqlalchemy import and_, func, or_, select

from portfolio.assessment.models import CriterionJudgement, Decision
from portfolio.db import db
from portfolio.evidence.models import SuggestionModel
from portfolio.evidence.suggestion_training import train_unit
from portfolio.jobs import Job, JobState, enqueue, job, periodic
from portfolio.units.models import Unit


@job("suggestion_training", retries=1)
def retrain(run, provider_id: int, unit_id: int) -> dict:
    """Retrain one unit's model for one provider from all its examples."""
    row = train_unit(provider_id, unit_id)
    return {"examples": row.examples if row else 0}


def stale_units(provider_id: int | None = None) -> list[tuple[int, int, str]]:
    """(provider id, unit id, unit title) of each unit with a decision judging a criterion
    met that is newer than the provider's model of the unit, or with no model yet."""
    latest = (
        select(
            Decision.provider_id,
            Decision.unit_id,
            func.max(Decision.decided_at).label("decided_at"),
        )
        .join(CriterionJudgement, CriterionJudgement.decision_id == Decision.id)
        .where(CriterionJudgement.met.is_(True), Decision.unit_id.is_not(None))
        .group_by(Decision.provider_id, Decision.unit_id)
    )
    if provider_id is not None:
        latest = latest.where(Decision.provider_id == provider_id)
    latest = latest.subquery()
    model = SuggestionModel
    rows = db.session.execute(
        select(latest.c.provider_id, latest.c.unit_id, Unit.title)
        .join(Unit, Unit.id == latest.c.unit_id)
        .outerjoin(
            model,
            and_(model.provider_id == latest.c.provider_id, model.unit_id == latest.c.unit_id),
        )
        .where(or_(model.id.is_(None), latest.c.decided_at > model.trained_at))
        .order_by(latest.c.provider_id, latest.c.unit_id)
    ).all()
    return [(row.provider_id, row.unit_id, row.title) for row in rows]


def enqueue_retraining(provider_id: int | None = None) -> int:
    """Queue a retraining job for every stale unit that has none waiting or running; returns
    how many were queued. Commits."""
    waiting = {
        tuple(arguments)
        for arguments in db.session.scalars(
            select(Job.arguments).where(
                Job.kind == retrain.kind, Job.state.in_([JobState.QUEUED, JobState.RUNNING])
            )
        )
    }
    queued = 0
    for provider, unit, title in stale_units(provider_id):
        if (provider, unit) in waiting:
            continue
        enqueue(retrain, provider, unit, provider_id=provider,
                label=f"Retrain suggestions for {title}")  # fmt: skip
        queued += 1
    db.session.commit()
    return queued


@periodic(minute="41")
def hourly_retraining() -> None:
    """Every hour: a retraining job for each unit with decisions its model has not seen."""
    enqueue_retraining()
