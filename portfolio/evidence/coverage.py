"""The learner's portfolio: criteria against evidence, gaps first, and evidence requirements."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import Select, String, bindparam, cast, false, func, select
from sqlalchemy.orm import aliased

from portfolio.db import Reads
from portfolio.enrolments.caseload import EnrolmentView
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import (
    CriterionClaim,
    EvidenceFile,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    EvidenceVersion,
)
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
    have: int
    detail: str

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
    enrolment: EnrolmentView
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


def by_incident_type(requirements: list[dict]) -> bool:
    """Whether a requirement counts incident logs of different incident types."""
    return any(r.get("distinct_by") == "incident_type" for r in requirements)


def evidence_tallies(enrolment_id: int, requirements: list[dict],
                     reads: Reads | None = None) -> Callable[[], list[Tally]]:  # fmt: skip
    """The enrolment's items counted by kind and status, in one query; by incident type too
    (read from each incident log's current version) when a requirement asks for distinct ones.
    The query joins ``reads`` (or runs alone); the function returned gives the tallies.
    """
    by_type = by_incident_type(requirements)
    q = _statements()
    rows = (reads or Reads()).add(q.tallies_by_type if by_type else q.tallies,
                                  {"enrolment": enrolment_id})  # fmt: skip
    if by_type:
        return lambda: [Tally(*row) for row in rows()]
    return lambda: [Tally(kind, status, None, count) for kind, status, count in rows()]


def requirement_states(requirements: list[dict], tallies: list[Tally],
                       statuses: set[EvidenceStatus] | None = None) -> list[RequirementState]:  # fmt: skip
    """How far the items go towards each evidence requirement of the unit."""
    counted = [t for t in tallies if statuses is None or t.status in statuses]
    states = []
    for requirement in requirements:
        kind = requirement["evidence"]
        matching = [t for t in counted if kind == "any" or t.kind.value == kind]
        name = KIND_NAMES.get(kind, kind.replace("_", " "))
        if requirement.get("distinct_by") == "incident_type":
            have = len({t.incident_type for t in matching} - {None, ""})
            detail = f"{have} different incident type{'s' if have != 1 else ''} so far"
        else:
            have = sum(t.count for t in matching)
            detail = f"{have} {name}{'s' if have != 1 else ''} so far"
        states.append(RequirementState(requirement["text"], requirement["min"], have, detail))
    return states


def build_portfolio(enrolment_id: int, enrolment: Callable[[], EnrolmentView],
                    met: Select | None = None, *, page: int = 1, criterion_id: int | None = None,
                    reads: Reads | None = None) -> Portfolio:  # fmt: skip
    """Everything the portfolio page shows, in a fixed number of queries whatever the number
    of items: criteria with how many items claim each and the latest few of them, counts for
    the unit's requirements, and one page of items (only those claiming ``criterion_id``
    when given). ``met`` selects the ids of the criteria an assessor has judged met on
    accepted evidence, from an ``enrolment`` parameter; it is read with the criteria.

    The queries run together with any already added to ``reads``, the one behind
    ``enrolment`` among them (which says who may see it), and nothing is made of their rows
    before ``enrolment`` has given the enrolment. Only a unit that counts incident types
    reads its tallies again, by type: the database is asked once, or twice for those units.
    A page past the last, or a criterion not in the unit, raises LookupError.
    """
    q = _statements()
    reads = reads or Reads()
    criteria = reads.add(_criteria_statement(met), {"enrolment": enrolment_id})
    latest = reads.add(q.latest_claims, {"enrolment": enrolment_id})
    tallied = evidence_tallies(enrolment_id, [], reads)
    listed = reads.add(
        q.items if criterion_id is None else q.items_claiming,
        {"enrolment": enrolment_id, "criterion": criterion_id,
         "limit": ITEMS_PAGE, "offset": (page - 1) * ITEMS_PAGE},
    )  # fmt: skip
    shown = enrolment()
    wanted = shown.evidence_requirements
    if by_incident_type(wanted):
        tallied = evidence_tallies(enrolment_id, wanted, reads)

    outcomes: dict[int, OutcomeInfo] = {}
    rows: dict[int, CriterionRow] = {}
    for c_id, c_number, c_text, o_id, o_number, o_text, is_met in criteria():
        outcomes.setdefault(o_id, OutcomeInfo(o_id, o_number, o_text))
        rows[c_id] = CriterionRow(CriterionInfo(c_id, o_id, c_number, c_text), met=bool(is_met))
    if criterion_id is not None and criterion_id not in rows:
        raise LookupError("That criterion is not part of this unit.")
    for criterion, item_id, title, claimed in latest():
        row = rows.get(criterion)
        if row is None:  # a claim on another version's criterion: not shown
            continue
        row.claimed = claimed
        row.recent.append((item_id, title))
    tallies = tallied()
    requirements = requirement_states(wanted, tallies)

    found = listed()
    if not found and page > 1:
        raise LookupError(f"There is no page {page} of this evidence list.")
    order = {criterion_id: n for n, criterion_id in enumerate(rows)}  # the unit's order
    items = [
        ItemRow(*r[:6], [rows[c].criterion.number for c in _claimed(r[6], order)]) for r in found
    ]
    total = sum(t.count for t in tallies)
    matching = total if criterion_id is None else rows[criterion_id].claimed
    return Portfolio(
        shown, list(outcomes.values()), list(rows.values()), tallies, requirements, items,
        matching=matching, page=page, pages=max(-(-matching // ITEMS_PAGE), 1),
        criterion=rows[criterion_id].criterion if criterion_id is not None else None,
    )  # fmt: skip


def _claimed(ids: str | None, order: dict[int, int]) -> list[int]:
    """The criteria an item claims, from their ids joined by commas, in the unit's order."""
    known = (int(i) for i in (ids or "").split(",") if i)
    return sorted((i for i in known if i in order), key=order.__getitem__)


@cache
def _criteria_statement(met: Select | None) -> Select:
    """The criteria of the ``enrolment``'s version of its unit in order with their outcomes,
    and whether each is among ``met``."""
    criteria_set = select(Enrolment.criteria_set_id).where(Enrolment.id == bindparam("enrolment"))
    return select(
        Criterion.id, Criterion.number, Criterion.text,
        LearningOutcome.id, LearningOutcome.number, LearningOutcome.text,
        Criterion.id.in_(met) if met is not None else false(),
    ).join(LearningOutcome, LearningOutcome.id == Criterion.outcome_id).where(
        Criterion.criteria_set_id == criteria_set.scalar_subquery()
    ).order_by(LearningOutcome.number, Criterion.position)  # fmt: skip


@dataclass(frozen=True)
class _Statements:
    latest_claims: Select
    tallies: Select
    tallies_by_type: Select
    items: Select
    items_claiming: Select


@cache
def _statements() -> _Statements:
    """The portfolio's queries, built once with parameters for what changes between requests."""
    enrolment = bindparam("enrolment")
    ranked = (
        select(
            CriterionClaim.criterion_id,
            EvidenceItem.id.label("item_id"),
            EvidenceItem.title,
            func.count().over(partition_by=CriterionClaim.criterion_id).label("claimed"),
            func.row_number()
            .over(
                partition_by=CriterionClaim.criterion_id,
                order_by=(EvidenceItem.updated_at.desc(), EvidenceItem.id.desc()),
            )
            .label("rank"),
        )
        .join(EvidenceItem, EvidenceItem.id == CriterionClaim.item_id)
        .where(EvidenceItem.enrolment_id == enrolment)
        .subquery()
    )
    latest_claims = (
        select(ranked.c.criterion_id, ranked.c.item_id, ranked.c.title, ranked.c.claimed)
        .where(ranked.c.rank <= LATEST_CLAIMS)
        .order_by(ranked.c.criterion_id, ranked.c.rank)
    )

    tallies = (
        select(EvidenceItem.kind, EvidenceItem.status, func.count())
        .where(EvidenceItem.enrolment_id == enrolment)
        .group_by(EvidenceItem.kind, EvidenceItem.status)
    )
    versions = aliased(EvidenceVersion)
    current = (
        select(func.max(versions.number))
        .where(versions.item_id == EvidenceItem.id)
        .correlate(EvidenceItem)
        .scalar_subquery()
    )
    incident_type = EvidenceVersion.content["incident_type"].as_string()
    tallies_by_type = (
        select(EvidenceItem.kind, EvidenceItem.status, incident_type, func.count())
        .outerjoin(
            EvidenceVersion,
            (EvidenceVersion.item_id == EvidenceItem.id)
            & (EvidenceItem.kind == EvidenceKind.INCIDENT_LOG)
            & (EvidenceVersion.number == current),
        )
        .where(EvidenceItem.enrolment_id == enrolment)
        .group_by(EvidenceItem.kind, EvidenceItem.status, incident_type)
    )

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
    items = (
        select(EvidenceItem.id, EvidenceItem.title, EvidenceItem.kind, EvidenceItem.status,
               EvidenceItem.updated_at, current_files, claimed)
        .where(EvidenceItem.enrolment_id == enrolment)
        .order_by(EvidenceItem.updated_at.desc(), EvidenceItem.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )  # fmt: skip
    claiming = select(CriterionClaim.item_id).where(
        CriterionClaim.criterion_id == bindparam("criterion")
    )
    return _Statements(
        latest_claims, tallies, tallies_by_type, items,
        items.where(EvidenceItem.id.in_(claiming)),
    )  # fmt: skip
