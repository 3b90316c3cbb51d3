"""The suggestions for an item: its unit's criteria and guidance, with the model learned from
the provider's assessors blended in (``suggestion_training.py`` trains it)."""

from sqlalchemy import and_, select

from portfolio.db import db
from portfolio.evidence.models import EvidenceItem, SuggestionModel
from portfolio.evidence.suggest import CriterionText, Suggestion, suggest_criteria
from portfolio.evidence.suggestion_model import LearnedSuggestions
from portfolio.units.models import CriteriaSet, Criterion, LearningOutcome


def criteria_texts(criteria_set_id: int) -> list[CriterionText]:
    """The criteria of one version of a unit, in order, with their learning outcomes' texts."""
    rows = db.session.execute(
        select(Criterion.id, Criterion.number, Criterion.text, LearningOutcome.text)
        .join(LearningOutcome, Criterion.outcome_id == LearningOutcome.id)
        .where(Criterion.criteria_set_id == criteria_set_id)
        .order_by(Criterion.position)
    ).all()
    return [CriterionText(id=i, number=n, text=t, outcome=o) for i, n, t, o in rows]


def suggest_for_item(item: EvidenceItem, text: str, *, limit: int | None = 5) -> list[Suggestion]:
    """Suggestions for the item's text from its unit's criteria, guidance and learned model."""
    enrolment = item.enrolment
    guidance, model = db.session.execute(
        select(CriteriaSet.document["guidance"].as_string(), SuggestionModel.model)
        .select_from(CriteriaSet)
        .outerjoin(
            SuggestionModel,
            and_(
                SuggestionModel.provider_id == item.provider_id,
                SuggestionModel.unit_id == CriteriaSet.unit_id,
            ),
        )
        .where(CriteriaSet.id == enrolment.criteria_set_id)
    ).one()
    return suggest_criteria(
        text,
        criteria_texts(enrolment.criteria_set_id),
        guidance=guidance or "",
        learned=LearnedSuggestions.from_json(model) if model else None,
        limit=limit,
    )
