"""The learner's portfolio: criteria against evidence, gaps first, and evidence requirements."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, String, bindparam, case, cast, func, select

from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import (
    CURRENT_VERSION,
    CriterionClaim,
    EvidenceFile,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    EvidenceVersion,
)
from portfolio.progress import models as progress
from portfolio.units.models import Criterion, LearningOutcome

NOT_STARTED, CLAIMED, MET = "not started", "claimed", "met"
ITEMS_PAGE = 25  # evidence items listed per page of the portfolio
LATEST_CLAIMS = 3  # items shown against each criterion; the rest are a link away

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


@dataclass(frozen=True)
class OutcomeInfo:
    id: int
    number: int
    text: str


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    outcome_id: int
    number: str
    text: str


@dataclass
class CriterionRow:
    criterion: CriterionInfo
    claimed: int = 0  # items claiming it
    awaiting: int = 0  # of those, items submitted and awaiting the assessor's judgement
    recent: list[tuple[int, str]] = field(default_factory=list)  # the latest few: id, title
    met: bool = False

    @property
    def state(self) -> str:
        if self.met:
            return MET
        return CLAIMED if self.claimed else NOT_STARTED

    @property
    def hint(self) -> str:
        return evidence_hint(self.criterion.text)


@dataclass(frozen=True)
class RequirementState:
    text: str
    needed: int
    have: int  # counted from accepted evidence only
    detail: str
    # Evidence of the kind that is not accepted (yet): shown beside the count, never counted.
    pending: str = ""

    @property
    def met(self) -> bool:
        return self.have >= self.needed


@dataclass(frozen=True)
class Tally:
    """How many of an enrolment's items share a kind, a status and (for logs) an incident type."""

    kind: EvidenceKind
    status: EvidenceStatus
    incident_type: str | None
    count: int


@dataclass(frozen=True)
class ItemRow:
    id: int
    title: str
    kind: EvidenceKind
    status: EvidenceStatus
    updated_at: datetime
    files: int
    criteria: list[str]


@dataclass
class Portfolio:
    enrolment: Enrolment
    outcomes: list[OutcomeInfo]
    rows: list[CriterionRow]
    tallies: list[Tally]
    requirements: list[RequirementState]
    items: list[ItemRow]  # one page of them
    matching: int  # items that match the filter, over every page
    page: int
    pages: int
    criterion: CriterionInfo | None = None  # the filter: items claiming this criterion

    @property
    def gaps(self) -> list[CriterionRow]:
        return [r for r in self.rows if r.state == NOT_STARTED]

    @property
    def total_items(self) -> int:
        return sum(t.count for t in self.tallies)

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def awaiting_judgement(self) -> int:
        """Criteria not met that submitted evidence claims: the assessor's to judge."""
        return sum(1 for r in self.rows if r.state == CLAIMED and r.awaiting)


def by_incident_type(requirements: list[dict]) -> bool:
    """Whether a requirement counts incident logs of different incident types."""
    return any(r.get("distinct_by") == "incident_type" for r in requirements)


def evidence_tallies(enrolment_id: int, requirements: list[dict]) -> list[Tally]:
    """The enrolment's items counted by kind and status, in one query; by incident type too
    (read from each incident log's current version) when a requirement asks for distinct ones.
    """
    by_type = by_incident_type(requirements)
    rows = db.session.execute(TALLIES_BY_TYPE if by_type else TALLIES, {"enrolment_id": enrolment_id})
    return [
        Tally(row.kind, row.status, row.incident_type if by_type else None, row.items)
        for row in rows
    ]


def _tallies(by_type: bool) -> Select:
    counted = [EvidenceItem.kind, EvidenceItem.status]
    query = select(*counted).where(EvidenceItem.enrolment_id == bindparam("enrolment_id"))
    if by_type:
        incident_type = EvidenceVersion.content["incident_type"].as_string()
        counted.append(incident_type)
        query = query.add_columns(incident_type.label("incident_type")).outerjoin(
            EvidenceVersion,
            (EvidenceVersion.item_id == EvidenceItem.id)
            & (EvidenceItem.kind == EvidenceKind.INCIDENT_LOG)
            & (EvidenceVersion.number == CURRENT_VERSION),
        )
    return query.add_columns(func.count().label("items")).group_by(*counted)


# How the evidence not (yet) accepted is named beside a requirement's count, in this order.
PENDING = (
    (EvidenceStatus.SUBMITTED, "awaiting marking", "awaiting marking"),
    (EvidenceStatus.RETURNED, "returned for rework", "returned for rework"),
    (EvidenceStatus.DRAFT, "draft", "drafts"),
)


def requirement_states(requirements: list[dict], tallies: list[Tally]) -> list[RequirementState]:
    """How far the unit's accepted evidence goes towards each of its evidence requirements:
    the one rule every page and the sign-off use. Items not accepted are named beside the
    count (``pending``) and never count towards it."""
    states = []
    for requirement in requirements:
        kind = requirement["evidence"]
        matching = [t for t in tallies if kind == "any" or t.kind.value == kind]
        accepted = [t for t in matching if t.status is EvidenceStatus.ACCEPTED]
        name = KIND_NAMES.get(kind, kind.replace("_", " "))
        if requirement.get("distinct_by") == "incident_type":
            have = len({t.incident_type for t in accepted} - {None, ""})
            detail = f"{have} different incident type{'s' if have != 1 else ''} accepted so far"
        else:
            have = sum(t.count for t in accepted)
            detail = f"{have} {name}{'s' if have != 1 else ''} accepted so far"
        pending = []
        for status, one, many in PENDING:
            count = sum(t.count for t in matching if t.status is status)
            if count:
                pending.append(f"{count} {one if count == 1 else many}")
        states.append(RequirementState(requirement["text"], requirement["min"], have, detail,
                                       ", ".join(pending)))  # fmt: skip
    return states


def build_portfolio(enrolment: Enrolment, *, page: int = 1,
                    criterion_id: int | None = None) -> Portfolio:  # fmt: skip
    """Everything the portfolio page shows, in a fixed number of queries whatever the number
    of items: criteria with how many items claim each and the latest few of them, whether
    each is met (as the enrolment's criterion states record it), counts for the unit's
    requirements, and one page of items (only those claiming ``criterion_id`` when given).
    A page past the last, or a criterion not in the unit, raises LookupError.
    """
    values = {"enrolment_id": enrolment.id}
    outcomes: dict[int, OutcomeInfo] = {}
    rows: dict[int, CriterionRow] = {}
    for c in db.session.execute(CRITERIA, values | {"criteria_set_id": enrolment.criteria_set_id}):
        outcomes.setdefault(c.outcome_id, OutcomeInfo(c.outcome_id, c.outcome_number, c.outcome_text))
        rows[c.id] = CriterionRow(CriterionInfo(c.id, c.outcome_id, c.number, c.text), met=c.met)
    if criterion_id is not None and criterion_id not in rows:
        raise LookupError("That criterion is not part of this unit.")
    for claim in db.session.execute(LATEST_CLAIMS_STATEMENT, values):
        row = rows.get(claim.criterion_id)
        if row is None:  # a claim on another version's criterion: not shown
            continue
        row.claimed, row.awaiting = claim.claimed, claim.awaiting
        row.recent.append((claim.item_id, claim.title))
    wanted = enrolment.criteria_set.evidence_requirements
    tallies = evidence_tallies(enrolment.id, wanted)
    offset = (page - 1) * ITEMS_PAGE
    if criterion_id is None:
        found = db.session.execute(ITEMS, values | {"offset": offset}).all()
    else:
        found = db.session.execute(
            ITEMS_CLAIMING, values | {"offset": offset, "criterion_id": criterion_id}
        ).all()
    if not found and page > 1:
        raise LookupError(f"There is no page {page} of this evidence list.")
    order = {criterion_id: n for n, criterion_id in enumerate(rows)}  # the unit's order
    items = [
        ItemRow(r.id, r.title, r.kind, r.status, r.updated_at, r.files,
                [rows[c].criterion.number for c in _claimed(r.criteria, order)])  # fmt: skip
        for r in found
    ]
    total = sum(t.count for t in tallies)
    matching = total if criterion_id is None else rows[criterion_id].claimed
    return Portfolio(
        enrolment, list(outcomes.values()), list(rows.values()), tallies,
        requirement_states(wanted, tallies), items, matching=matching, page=page,
        pages=max(-(-matching // ITEMS_PAGE), 1),
        criterion=rows[criterion_id].criterion if criterion_id is not None else None,
    )  # fmt: skip


def _claimed(ids: str | None, order: dict[int, int]) -> list[int]:
    """The criteria an item claims, from their ids joined by commas, in the unit's order."""
    known = (int(i) for i in (ids or "").split(",") if i)
    return sorted((i for i in known if i in order), key=order.__getitem__)


# The portfolio's statements are built once, as the module is imported, and run with the
# enrolment's values bound, as the home pages' to-do lists are (docs/performance.md,
# "Statements built once").


def _criteria() -> Select:
    """The criteria of the enrolment's version of its unit in order with their outcomes,
    and whether each is met, as the enrolment's criterion states record it
    (``portfolio.progress.refresh`` keeps them in step with the judgements)."""
    met = select(progress.CriterionState.criterion_id).where(
        progress.CriterionState.enrolment_id == bindparam("enrolment_id"),
        progress.CriterionState.state == progress.MET,
    )
    return (
        select(
            Criterion.id, Criterion.number, Criterion.text,
            LearningOutcome.id.label("outcome_id"), LearningOutcome.number.label("outcome_number"),
            LearningOutcome.text.label("outcome_text"), Criterion.id.in_(met).label("met"),
        )
        .join(LearningOutcome, LearningOutcome.id == Criterion.outcome_id)
        .where(Criterion.criteria_set_id == bindparam("criteria_set_id"))
        .order_by(LearningOutcome.number, Criterion.position)
    )  # fmt: skip


def _latest_claims() -> Select:
    """The latest LATEST_CLAIMS items claiming each criterion, with how many claim it and
    how many of those are submitted, awaiting judgement."""
    submitted = case((EvidenceItem.status == EvidenceStatus.SUBMITTED, 1))
    ranked = (
        select(
            CriterionClaim.criterion_id,
            EvidenceItem.id.label("item_id"),
            EvidenceItem.title,
            func.count().over(partition_by=CriterionClaim.criterion_id).label("claimed"),
            func.count(submitted).over(partition_by=CriterionClaim.criterion_id).label("awaiting"),
            func.row_number()
            .over(
                partition_by=CriterionClaim.criterion_id,
                order_by=(EvidenceItem.updated_at.desc(), EvidenceItem.id.desc()),
            )
            .label("rank"),
        )
        .join(EvidenceItem, EvidenceItem.id == CriterionClaim.item_id)
        .where(EvidenceItem.enrolment_id == bindparam("enrolment_id"))
        .subquery()
    )
    return (
        select(ranked.c.criterion_id, ranked.c.item_id, ranked.c.title, ranked.c.claimed,
               ranked.c.awaiting)
        .where(ranked.c.rank <= LATEST_CLAIMS)
        .order_by(ranked.c.criterion_id, ranked.c.rank)
    )


def _items() -> Select:
    """A page of the enrolment's items, newest first, each with its count of current files
    and its claimed criteria's ids."""
    current_files = (
        select(func.count(EvidenceFile.id))
        .where(EvidenceFile.item_id == EvidenceItem.id, EvidenceFile.removed_in_version.is_(None))
        .scalar_subquery()
    )
    claimed = (
        select(func.aggregate_strings(cast(CriterionClaim.criterion_id, String), ","))
        .where(CriterionClaim.item_id == EvidenceItem.id)
        .scalar_subquery()
    )
    return (
        select(EvidenceItem.id, EvidenceItem.title, EvidenceItem.kind, EvidenceItem.status,
               EvidenceItem.updated_at, current_files.label("files"), claimed.label("criteria"))
        .where(EvidenceItem.enrolment_id == bindparam("enrolment_id"))
        .order_by(EvidenceItem.updated_at.desc(), EvidenceItem.id.desc())
        .limit(ITEMS_PAGE)
        .offset(bindparam("offset"))
    )  # fmt: skip


CRITERIA = _criteria()
LATEST_CLAIMS_STATEMENT = _latest_claims()
ITEMS = _items()
# Only the items claiming the criterion given as ``criterion_id``.
ITEMS_CLAIMING = ITEMS.where(
    EvidenceItem.id.in_(
        select(CriterionClaim.item_id).where(CriterionClaim.criterion_id == bindparam("criterion_id"))
    )
)
TALLIES = _tallies(by_type=False)
TALLIES_BY_TYPE = _tallies(by_type=True)
