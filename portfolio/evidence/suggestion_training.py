"""Suggestions that learn from assessors: each unit's examples, its learned model, and how
the suggestions did on the latest decisions.

An example is an evidence text with the criteria it shows: every decision with a criterion
judged met (the version the assessor decided on, with the criteria judged met, claimed or
added by the assessor), and, for evidence not yet decided, the learner's own claims at half
the weight. Criteria are matched by number, so examples carry over to a unit's next version.
A model is per provider and unit: one provider's learners' writing never shapes another's
suggestions. The worker retrains a unit's model once it has new decisions
(``suggestion_jobs``); ``flask suggestions train`` retrains them all at once. The latest
decisions are ranked as the learner saw them: with the worker's reading of the decided text
where it has one (``suggestion_meaning``).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select, union

from portfolio.assessment.models import CriterionJudgement, Decision
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.item_suggestions import criteria_texts
from portfolio.evidence.kinds import plain_text
from portfolio.evidence.models import (
    CriterionClaim,
    EvidenceItem,
    EvidenceMeaning,
    EvidenceVersion,
    SuggestionModel,
)
from portfolio.evidence.sentence_meaning import Meaning, text_hash
from portfolio.evidence.suggest import CriterionText, suggest_criteria
from portfolio.evidence.suggestion_model import Example, LearnedSuggestions
from portfolio.units.models import Criterion, Unit

# How many of the latest decisions the provider's page reports on.
RECENT_DECISIONS = 100
CLAIM_WEIGHT = 0.5


@dataclass(frozen=True)
class Dated:
    at: datetime
    example: Example
    decided: bool
    version_id: int  # the version whose text the example is


def unit_examples(provider_id: int, unit_id: int) -> list[Dated]:
    """The unit's labelled examples in the provider: decisions oldest first, then claims."""
    decided = db.session.execute(
        select(
            Decision.id,
            Decision.decided_at,
            EvidenceVersion.id,
            EvidenceItem.kind,
            EvidenceItem.title,
            EvidenceVersion.content,
            Criterion.number,
        )  # fmt: skip
        .join(EvidenceItem, EvidenceItem.id == Decision.item_id)
        .join(
            EvidenceVersion,
            and_(
                EvidenceVersion.item_id == Decision.item_id,
                EvidenceVersion.number == Decision.version_number,
            ),
        )
        .join(CriterionJudgement, CriterionJudgement.decision_id == Decision.id)
        .join(Criterion, Criterion.id == CriterionJudgement.criterion_id)
        .where(
            Decision.provider_id == provider_id,
            Decision.unit_id == unit_id,
            CriterionJudgement.met.is_(True),
        )
        .order_by(Decision.decided_at, Decision.id)
    ).all()
    latest = (
        select(EvidenceVersion.item_id, func.max(EvidenceVersion.number).label("number"))
        .group_by(EvidenceVersion.item_id)
        .subquery()
    )
    claimed = db.session.execute(
        select(
            EvidenceItem.id,
            EvidenceItem.updated_at,
            EvidenceVersion.id,
            EvidenceItem.kind,
            EvidenceItem.title,
            EvidenceVersion.content,
            Criterion.number,
        )  # fmt: skip
        .join(Enrolment, Enrolment.id == EvidenceItem.enrolment_id)
        .join(latest, latest.c.item_id == EvidenceItem.id)
        .join(
            EvidenceVersion,
            and_(
                EvidenceVersion.item_id == EvidenceItem.id,
                EvidenceVersion.number == latest.c.number,
            ),
        )
        .join(CriterionClaim, CriterionClaim.item_id == EvidenceItem.id)
        .join(Criterion, Criterion.id == CriterionClaim.criterion_id)
        .where(
            EvidenceItem.provider_id == provider_id,
            Enrolment.unit_id == unit_id,
            ~exists().where(Decision.item_id == EvidenceItem.id),
        )
        .order_by(EvidenceItem.updated_at, EvidenceItem.id)
    ).all()
    return [*_group(decided, decided=True), *_group(claimed, decided=False)]


def _group(rows, *, decided: bool) -> Iterator[Dated]:
    """One example per decision (or item): its text and every criterion number of its rows."""
    texts: dict[int, tuple[datetime, int, str]] = {}
    numbers: dict[int, set[str]] = {}
    for key, at, version_id, kind, title, content, number in rows:
        if key not in texts:
            texts[key] = (at, version_id, plain_text(kind, title, content))
        numbers.setdefault(key, set()).add(number)
    for key, (at, version_id, text) in texts.items():
        weight = 1.0 if decided else CLAIM_WEIGHT
        yield Dated(at, Example(text, frozenset(numbers[key]), weight), decided, version_id)


def _current_criteria(unit_id: int) -> tuple[list[CriterionText], str]:
    """The criteria of the unit's newest version, with their outcomes, and its guidance."""
    newest = db.session.get(Unit, unit_id).current
    return criteria_texts(newest.id), newest.guidance


def _readings(dated: list[Dated], criteria: list[CriterionText]) -> dict[int, list]:
    """The worker's readings of these examples' texts (``suggestion_meaning.py``), by version,
    one for each criterion (None where it has none), where it read the very text: the ranking
    the learner saw once it had."""
    rows = db.session.execute(
        select(
            EvidenceMeaning.version_id, EvidenceMeaning.criterion_id, EvidenceMeaning.text_hash,
            EvidenceMeaning.closeness, EvidenceMeaning.sentence_start, EvidenceMeaning.sentence_end,
        )  # fmt: skip
        .where(EvidenceMeaning.version_id.in_([d.version_id for d in dated]))
    ).all()
    hashes = {d.version_id: text_hash(d.example.text) for d in dated}
    read: dict[int, dict[int | str, Meaning]] = {}
    for row in rows:
        if row.text_hash == hashes[row.version_id]:
            meaning = Meaning(row.closeness, row.sentence_start, row.sentence_end)
            read.setdefault(row.version_id, {})[row.criterion_id] = meaning
    return {
        version_id: [by_criterion.get(criterion.id) for criterion in criteria]
        for version_id, by_criterion in read.items()
    }


def _top3_hits(
    dated: list[Dated],
    criteria: list[CriterionText],
    guidance: str,
    learned: LearnedSuggestions | None,
    readings: dict[int, list],
) -> int:
    hits = 0
    for one in dated:
        ranked = suggest_criteria(
            one.example.text, criteria, guidance=guidance, learned=learned,
            meaning=readings.get(one.version_id), limit=3,
        )  # fmt: skip
        hits += any(s.number in one.example.numbers for s in ranked)
    return hits


def train_unit(provider_id: int, unit_id: int) -> SuggestionModel | None:
    """Retrain the provider's model for the unit from all its examples, and measure on its
    latest decisions how the suggestions do with a model learned from the decisions before
    them, and with none. None when the unit has no example yet."""
    examples = unit_examples(provider_id, unit_id)
    if not examples:
        return None
    criteria, guidance = _current_criteria(unit_id)
    numbers = [criterion.number for criterion in criteria]
    decided = [dated for dated in examples if dated.decided]
    recent = decided[-RECENT_DECISIONS:]
    earlier = [dated.example for dated in decided[: len(decided) - len(recent)]]
    before = LearnedSuggestions.train(earlier, numbers) if earlier else None
    readings = _readings(recent, criteria)
    row = db.session.scalar(
        select(SuggestionModel).where(
            SuggestionModel.provider_id == provider_id, SuggestionModel.unit_id == unit_id
        )
    )
    if row is None:
        row = SuggestionModel(provider_id=provider_id, unit_id=unit_id)
        db.session.add(row)
    row.examples = len(examples)
    row.trained_at = utcnow()
    row.evaluated = len(recent)
    row.top3_hits = _top3_hits(recent, criteria, guidance, before, readings)
    row.cold_top3_hits = _top3_hits(recent, criteria, guidance, None, readings)
    row.model = LearnedSuggestions.train([d.example for d in examples], numbers).as_json()
    db.session.flush()
    return row


def units_with_examples(provider_id: int | None = None) -> list[tuple[int, int]]:
    """(provider id, unit id) of every unit with a decision or a claim, in order."""
    decided = select(Decision.provider_id, Decision.unit_id).where(Decision.unit_id.is_not(None))
    claimed = (
        select(EvidenceItem.provider_id, Enrolment.unit_id)
        .join(Enrolment, Enrolment.id == EvidenceItem.enrolment_id)
        .join(CriterionClaim, CriterionClaim.item_id == EvidenceItem.id)
    )
    if provider_id is not None:
        decided = decided.where(Decision.provider_id == provider_id)
        claimed = claimed.where(EvidenceItem.provider_id == provider_id)
    both = union(decided, claimed).subquery()
    return [(p, u) for p, u in db.session.execute(select(both).order_by(*both.c)).all()]


def provider_overview(provider_id: int) -> list[dict]:
    """For each unit the provider enrols learners on: its decisions with a criterion met, and
    its model's training time, examples and latest-decisions figures if it has one."""
    units = db.session.execute(
        select(
            Unit.id,
            Unit.title,
            Unit.level,
            SuggestionModel.examples,
            SuggestionModel.trained_at,
            SuggestionModel.evaluated,
            SuggestionModel.top3_hits,
            SuggestionModel.cold_top3_hits,
        )  # fmt: skip
        .outerjoin(
            SuggestionModel,
            and_(
                SuggestionModel.unit_id == Unit.id,
                SuggestionModel.provider_id == provider_id,
            ),
        )
        .where(exists().where(Enrolment.unit_id == Unit.id, Enrolment.provider_id == provider_id))
        .order_by(Unit.title, Unit.id)
    ).all()
    decided = dict(
        db.session.execute(
            select(Decision.unit_id, func.count())
            .where(
                Decision.provider_id == provider_id,
                Decision.judgements.any(CriterionJudgement.met.is_(True)),
            )
            .group_by(Decision.unit_id)
        ).all()
    )
    return [
        {
            "unit_id": unit_id,
            "title": title,
            "level": level,
            "decided_now": decided.get(unit_id, 0),
            "examples": examples,
            "trained_at": trained_at,
            "evaluated": evaluated or 0,
            "top3": top3 / evaluated if evaluated else None,
            "cold_top3": cold / evaluated if evaluated else None,
        }
        for unit_id, title, level, examples, trained_at, evaluated, top3, cold in units
    ]
