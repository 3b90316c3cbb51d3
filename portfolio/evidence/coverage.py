"""The learner's portfolio: criteria against evidence, gaps first, and evidence requirements."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import CriterionClaim, EvidenceItem, EvidenceKind, EvidenceStatus
from portfolio.units.models import Criterion, LearningOutcome

NOT_STARTED, CLAIMED, MET = "not started", "claimed", "met"

# What kind of evidence usually shows a criterion, judged from its wording.
EVIDENCE_HINTS = [
    (("colleague", "support"), "a STAR account of how you supported a colleague"),
    (
        (
            "evaluat",
            "review",
            "lessons",
            "improve",
            "root cause",
            "rationale",
            "explain",
            "understand",
        ),
        "a STAR reflective account that evaluates an incident",
    ),  # fmt: skip
    (
        ("deploy", "dispatch", "resource", "communication tool", "channel", "alert"),
        "an incident log with resources deployed and its communications log",
    ),  # fmt: skip
    (
        ("empath", "customer", "inform", "update", "stakeholder"),
        "anonymised call notes, or an incident log with customer updates",
    ),  # fmt: skip
    (
        ("polic", "regulat", "data protection", "confidential", "procedure"),
        "a STAR account saying which procedure you followed and how",
    ),  # fmt: skip
    (
        ("log", "record", "detail", "document", "prioriti", "severity", "type"),
        "an incident log",
    ),  # fmt: skip
]

KIND_NAMES = {
    "incident_log": "incident log",
    "call_note": "anonymised call note",
    "star_account": "STAR reflective account",
    "any": "evidence item",
}


def evidence_hint(criterion_text: str) -> str:
    text = criterion_text.lower()
    for words, hint in EVIDENCE_HINTS:
        if any(w in text for w in words):
            return hint
    return "an incident log or a STAR reflective account"


@dataclass
class CriterionRow:
    criterion: Criterion
    claims: list[CriterionClaim] = field(default_factory=list)
    met: bool = False

    @property
    def state(self) -> str:
        if self.met:
            return MET
        return CLAIMED if self.claims else NOT_STARTED

    @property
    def hint(self) -> str:
        return evidence_hint(self.criterion.text)


@dataclass(frozen=True)
class RequirementState:
    text: str
    needed: int
    have: int
    detail: str

    @property
    def met(self) -> bool:
        return self.have >= self.needed


@dataclass
class Portfolio:
    enrolment: Enrolment
    outcomes: list[LearningOutcome]
    rows: list[CriterionRow]
    items: list[EvidenceItem]
    requirements: list[RequirementState]

    @property
    def gaps(self) -> list[CriterionRow]:
        return [r for r in self.rows if r.state == NOT_STARTED]

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)


def requirement_states(requirements: list[dict], items: list[EvidenceItem],
                       statuses: set[EvidenceStatus] | None = None) -> list[RequirementState]:  # fmt: skip
    """How far the items go towards each evidence requirement of the unit."""
    counted = [i for i in items if statuses is None or i.status in statuses]
    states = []
    for requirement in requirements:
        kind = requirement["evidence"]
        matching = [i for i in counted if kind == "any" or i.kind.value == kind]
        name = KIND_NAMES.get(kind, kind.replace("_", " "))
        if requirement.get("distinct_by") == "incident_type":
            types = {i.current.content.get("incident_type") for i in matching}
            have = len(types - {None, ""})
            detail = f"{have} different incident type{'s' if have != 1 else ''} so far"
        else:
            have = len(matching)
            detail = f"{have} {name}{'s' if have != 1 else ''} so far"
        states.append(RequirementState(requirement["text"], requirement["min"], have, detail))
    return states


def build_portfolio(enrolment: Enrolment, met_ids: set[int] | None = None) -> Portfolio:
    """Everything the portfolio page shows, in a fixed number of queries.

    ``met_ids`` are the criteria an assessor has judged met on accepted evidence.
    """
    outcomes = db.session.scalars(
        select(LearningOutcome)
        .where(LearningOutcome.criteria_set_id == enrolment.criteria_set_id)
        .order_by(LearningOutcome.number)
        .options(selectinload(LearningOutcome.criteria))
    ).all()
    items = db.session.scalars(
        select(EvidenceItem)
        .where(EvidenceItem.enrolment_id == enrolment.id)
        .order_by(EvidenceItem.created_at)
        .options(
            selectinload(EvidenceItem.versions),
            selectinload(EvidenceItem.claims).selectinload(CriterionClaim.criterion),
            selectinload(EvidenceItem.files),
        )
    ).all()
    rows = {
        c.id: CriterionRow(c, met=c.id in (met_ids or set())) for o in outcomes for c in o.criteria
    }
    for item in items:
        for claim in item.claims:
            if claim.criterion_id in rows:
                rows[claim.criterion_id].claims.append(claim)
    requirements = requirement_states(enrolment.criteria_set.evidence_requirements, items)
    return Portfolio(enrolment, list(outcomes), list(rows.values()), list(items), requirements)


def kind_label(kind: str) -> str:
    return EvidenceKind(kind).label
