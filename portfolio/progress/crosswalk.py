"""How a learner's evidence would cover the same unit as other awarding bodies specify it,
through a crosswalk's shared competences (``portfolio.units.crosswalks``).

``cover`` says how one learner's evidence would cover the crosswalk's other units;
``cover_cohort`` counts the same for a cohort in a fixed number of queries.
"""

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment.signoff import met_criteria
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import CriterionClaim, EvidenceItem
from portfolio.progress.models import CLAIMED, MET, CriterionState
from portfolio.units.crosswalk_file import Concept
from portfolio.units.crosswalks import Crosswalk, CrosswalkUnit, crosswalk_for, load_crosswalks
from portfolio.units.models import Criterion


class CoverageState(enum.StrEnum):
    MET = "met"
    CLAIMED = "claimed"
    NOT_COVERED = "not covered"

    @property
    def label(self) -> str:
        return {"met": "Would be met", "claimed": "Claimed only", "not covered": "Not covered"}[
            self.value
        ]


@dataclass(frozen=True)
class SourceCriterion:
    """A criterion of the learner's own unit."""

    number: str
    text: str


@dataclass(frozen=True)
class CriterionCoverage:
    number: str
    text: str
    state: CoverageState
    concepts: tuple[Concept, ...]
    # The learner's criteria sharing a concept with this one: met, and claimed but not met.
    met_by: tuple[SourceCriterion, ...]
    claimed_by: tuple[SourceCriterion, ...]

    @property
    def covered_by(self) -> tuple[SourceCriterion, ...]:
        return self.met_by if self.state is CoverageState.MET else self.claimed_by


@dataclass(frozen=True)
class UnitCoverage:
    """How one learner's evidence would cover another awarding body's unit."""

    awarding_body: str
    awarding_body_code: str
    unit_id: int
    unit_code: str
    title: str
    level: int
    version: int
    criteria: tuple[CriterionCoverage, ...]

    @property
    def total(self) -> int:
        return len(self.criteria)

    def count(self, state: CoverageState) -> int:
        return sum(1 for c in self.criteria if c.state is state)

    @property
    def would_meet(self) -> int:
        return self.count(CoverageState.MET)

    @property
    def claimed_only(self) -> int:
        return self.count(CoverageState.CLAIMED)


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def project(
    crosswalk: Crosswalk,
    source: CrosswalkUnit,
    met: dict[str, str],
    claimed: dict[str, str],
) -> list[UnitCoverage]:
    """Map the source unit's met and claimed criteria (number to text) onto the other units.

    A target criterion would be met if one of its concepts holds a met criterion of the
    source unit; claimed only if one holds only claimed ones.
    """
    body = source.body_code

    def sources(numbers: dict[str, str], concept_codes: set[str]) -> tuple[SourceCriterion, ...]:
        return tuple(
            SourceCriterion(n, numbers[n])
            for n in sorted(numbers, key=_number_key)
            if concept_codes & {c.code for c in crosswalk.concepts_of(body, n)}
        )

    out = []
    for target in crosswalk.units:
        if target.unit.id == source.unit.id:
            continue
        rows = []
        for criterion in target.criteria:
            concepts = crosswalk.concepts_of(target.body_code, criterion.number)
            codes = {c.code for c in concepts}
            met_by = sources(met, codes)
            claimed_by = sources({n: t for n, t in claimed.items() if n not in met}, codes)
            state = (
                CoverageState.MET
                if met_by
                else CoverageState.CLAIMED
                if claimed_by
                else CoverageState.NOT_COVERED
            )
            rows.append(
                CriterionCoverage(
                    criterion.number, criterion.text, state, concepts, met_by, claimed_by
                )
            )
        out.append(
            UnitCoverage(
                awarding_body=target.awarding_body.name,
                awarding_body_code=target.body_code,
                unit_id=target.unit.id,
                unit_code=target.unit.code,
                title=target.criteria_set.title,
                level=target.criteria_set.level,
                version=target.criteria_set.version,
                criteria=tuple(rows),
            )
        )
    return out


def cover(enrolment: Enrolment, crosswalks: list[Crosswalk] | None = None) -> list[UnitCoverage]:
    """How the learner's evidence (criteria met, and claimed) would cover each other unit of
    the crosswalk holding their unit; empty when no crosswalk holds it.

    Criteria are matched by number: if the learner works to an older version of their unit's
    criteria than the crosswalk (which follows the current one), the numbers are trusted.
    """
    crosswalks = load_crosswalks() if crosswalks is None else crosswalks
    crosswalk = crosswalk_for(crosswalks, enrolment.unit_id)
    if crosswalk is None:
        return []
    own = {c.id: c for c in enrolment.criteria_set.criteria}
    met_ids = set(met_criteria(enrolment))
    claimed_ids = set(
        db.session.scalars(
            select(CriterionClaim.criterion_id)
            .join(EvidenceItem, EvidenceItem.id == CriterionClaim.item_id)
            .where(EvidenceItem.enrolment_id == enrolment.id)
        )
    )
    met = {own[i].number: own[i].text for i in met_ids if i in own}
    claimed = {own[i].number: own[i].text for i in claimed_ids - met_ids if i in own}
    return project(crosswalk, crosswalk.unit_for(enrolment.unit_id), met, claimed)


# --- A cohort ---------------------------------------------------------------------------------


def _numbers_in_state(enrolment_ids: list[int], states: tuple[int, ...]) -> dict[int, set[str]]:
    """The numbers of each enrolment's criteria in one of ``states``, in one query, from the
    criterion states that ``portfolio.progress.refresh`` keeps in the same transaction as the
    evidence, claims and judgements they come from."""
    rows = db.session.execute(
        select(CriterionState.enrolment_id, Criterion.number)
        .join(Criterion, Criterion.id == CriterionState.criterion_id)
        .where(CriterionState.enrolment_id.in_(enrolment_ids), CriterionState.state.in_(states))
    ).all()
    out: dict[int, set[str]] = defaultdict(set)
    for enrolment_id, number in rows:
        out[enrolment_id].add(number)
    return out


def met_numbers(enrolment_ids: list[int]) -> dict[int, set[str]]:
    """Criterion numbers met by accepted evidence, per enrolment (the rule of
    ``met_criteria``), in one query."""
    return _numbers_in_state(enrolment_ids, (MET,))


def claimed_numbers(enrolment_ids: list[int]) -> dict[int, set[str]]:
    """Criterion numbers claimed on any of each enrolment's items or met, in one query."""
    return _numbers_in_state(enrolment_ids, (CLAIMED, MET))


@dataclass(frozen=True)
class CohortCriterion:
    number: str
    text: str
    # Learners who would meet it, and those covering it by claims only; sorted by name.
    met: tuple[User, ...]
    claimed: tuple[User, ...]


@dataclass(frozen=True)
class CohortUnitCoverage:
    awarding_body: str
    awarding_body_code: str
    unit_id: int
    unit_code: str
    title: str
    level: int
    version: int
    # The cohort's learners on other units of the crosswalk: those counted here.
    learners: tuple[User, ...]
    criteria: tuple[CohortCriterion, ...]


def _by_name(users: Iterable[User]) -> tuple[User, ...]:
    return tuple(sorted(users, key=lambda u: (u.name.lower(), u.id)))


def cover_cohort(
    enrolments: list[Enrolment], crosswalks: list[Crosswalk] | None = None
) -> list[CohortUnitCoverage]:
    """Per unit of a crosswalk, per criterion: which of these learners would meet it from
    their enrolments on the crosswalk's other units.

    A fixed number of queries whatever the number of learners, if the enrolments come with
    their learner loaded (as ``visible_enrolments`` does). A learner counts once per unit
    even with several enrolments; their enrolment on the unit itself does not count.
    """
    crosswalks = load_crosswalks() if crosswalks is None else crosswalks
    placed = [(e, crosswalk_for(crosswalks, e.unit_id)) for e in enrolments]
    placed = [(e, c) for e, c in placed if c is not None]
    if not placed:
        return []
    ids = [e.id for e, _ in placed]
    met, claimed = met_numbers(ids), claimed_numbers(ids)
    out = []
    for crosswalk in crosswalks:
        # (unit id, criterion number) -> learner id -> best state; and learner ids per unit.
        states: dict[tuple[int, str], dict[int, CoverageState]] = defaultdict(dict)
        counted: dict[int, set[int]] = defaultdict(set)
        learners: dict[int, User] = {}
        for enrolment, home in placed:
            if home is not crosswalk:
                continue
            learners[enrolment.learner_id] = enrolment.learner
            source = crosswalk.unit_for(enrolment.unit_id)
            own_met = dict.fromkeys(met.get(enrolment.id, ()), "")
            own_claimed = dict.fromkeys(claimed.get(enrolment.id, ()), "")
            for unit in project(crosswalk, source, own_met, own_claimed):
                counted[unit.unit_id].add(enrolment.learner_id)
                for row in unit.criteria:
                    best = states[(unit.unit_id, row.number)]
                    current = best.get(enrolment.learner_id, CoverageState.NOT_COVERED)
                    if row.state is CoverageState.MET or (
                        row.state is CoverageState.CLAIMED and current is not CoverageState.MET
                    ):
                        best[enrolment.learner_id] = row.state
        for target in crosswalk.units:
            if not counted[target.unit.id]:
                continue
            rows = []
            for criterion in target.criteria:
                best = states[(target.unit.id, criterion.number)]
                rows.append(
                    CohortCriterion(
                        criterion.number,
                        criterion.text,
                        met=_by_name(
                            learners[i] for i, s in best.items() if s is CoverageState.MET
                        ),
                        claimed=_by_name(
                            learners[i] for i, s in best.items() if s is CoverageState.CLAIMED
                        ),
                    )
                )
            out.append(
                CohortUnitCoverage(
                    awarding_body=target.awarding_body.name,
                    awarding_body_code=target.body_code,
                    unit_id=target.unit.id,
                    unit_code=target.unit.code,
                    title=target.criteria_set.title,
                    level=target.criteria_set.level,
                    version=target.criteria_set.version,
                    learners=_by_name(learners[i] for i in counted[target.unit.id]),
                    criteria=tuple(rows),
                )
            )
    return out
