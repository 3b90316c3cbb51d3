"""The suggestions for an item: its unit's criteria and guidance, with what the job worker's
sentence model read in its text (``suggestion_meaning.py``) and the model learned from the
provider's assessors (``suggestion_training.py`` trains it) blended in."""

from dataclasses import dataclass

from sqlalchemy import and_, exists, select

from portfolio.db import db
from portfolio.evidence.models import EvidenceItem, EvidenceMeaning, SuggestionModel
from portfolio.evidence.sentence_meaning import Meaning, text_hash
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


@dataclass(frozen=True)
class ItemSuggestions:
    suggestions: list[Suggestion]
    read: bool  # whether the worker's reading of this very text was blended in


def suggest_for_item(item: EvidenceItem, text: str, *, limit: int | None = 5) -> ItemSuggestions:
    """Suggestions for the item's current text from its unit's criteria, guidance, the
    sentence model's reading of that text once the worker has made it, and the learned
    model."""
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
    rows = db.session.execute(
        select(
            Criterion.id, Criterion.number, Criterion.text, LearningOutcome.text.label("outcome"),
            EvidenceMeaning.closeness, EvidenceMeaning.sentence_start, EvidenceMeaning.sentence_end,
        )  # fmt: skip
        .join(LearningOutcome, Criterion.outcome_id == LearningOutcome.id)
        .outerjoin(
            EvidenceMeaning,
            and_(
                EvidenceMeaning.criterion_id == Criterion.id,
                EvidenceMeaning.version_id == item.current.id,
                EvidenceMeaning.text_hash == text_hash(text),
            ),
        )
        .where(Criterion.criteria_set_id == enrolment.criteria_set_id)
        .order_by(Criterion.position)
    ).all()
    meaning = [
        None if row.closeness is None
        else Meaning(row.closeness, row.sentence_start, row.sentence_end)
        for row in rows
    ]  # fmt: skip
    read = any(meaning)
    suggestions = suggest_criteria(
        text,
        [CriterionText(r.id, r.number, r.text, r.outcome) for r in rows],
        guidance=guidance or "",
        learned=LearnedSuggestions.from_json(model) if model else None,
        meaning=meaning if read else None,
        limit=limit,
    )
    return ItemSuggestions(suggestions, read)


def is_read(item: EvidenceItem, text: str) -> bool:
    """Whether the worker has read the item's current text (``text``) with the sentence model."""
    return db.session.scalar(
        select(
            exists().where(
                EvidenceMeaning.version_id == item.current.id,
                EvidenceMeaning.text_hash == text_hash(text),
            )
        )
    )
