"""What each role has to do next, for their home page: every list is read in a fixed number of
statements however many learners, items or samples there are, with its figures counted in
SQL. Each rule is the one the pages that do the work apply: readiness is the sign-off's
(criteria met by accepted evidence, as the progress rows record them, and the unit's
evidence requirements by ``coverage.requirement_states``); the risks are the dashboard's
(``progress.queries.Measures``).

The statements are built once, as the module is imported, and run with each person's values
bound (``bindparam``): building them anew for each page took a quarter of the learner's home
page (docs/performance.md, "Statements built once")."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, or_, select

from portfolio.accounts.models import ASSESSOR, LEARNER, Role, User
from portfolio.apprenticeships.hours_models import EntryStatus, OtjEntry
from portfolio.assessment.models import Decision, Declaration, Sample, SampleStatus, SignOff
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.coverage import Tally, requirement_states
from portfolio.evidence.models import (
    CURRENT_VERSION,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    EvidenceVersion,
)
from portfolio.progress.models import NOT_STARTED, CriterionState, EnrolmentProgress
from portfolio.progress.queries import MEASURES, Filters, Measures, base_query
from portfolio.units.models import CriteriaSet, Criterion, Unit

# How many entries a to-do list shows; its count says how many there are in all.
SHOWN = 10
# An EQA's access ending within this many days is about to end.
EQA_WARNING_DAYS = 14


@dataclass(frozen=True)
class Entry:
    """One thing to do: what it is about, and the ids of where it is done."""

    id: int  # the item, sample or enrolment the work is done on
    title: str
    learner: str = ""
    detail: str = ""
    at: datetime | date | None = None
    enrolment_id: int | None = None
    flag: bool = False  # a reason it cannot be done yet (the entry says which)


@dataclass
class ToDo:
    """A list of things to do: the first SHOWN entries and how many there are in all."""

    entries: list[Entry] = field(default_factory=list)
    total: int = 0

    def __bool__(self) -> bool:
        return self.total > 0


def _todo(rows, make) -> ToDo:
    """A ToDo from rows that carry their total (``count() over ()``) in ``total``."""
    rows = list(rows)
    return ToDo([make(r) for r in rows], rows[0].total if rows else 0)


# Readiness for sign-off --------------------------------------------------------------------

READY, DECLARED = "ready", "declared"

ENROLMENT_IDS = bindparam("enrolment_ids", expanding=True)


def _values(user: User) -> dict:
    """What the statements of ``user``'s own lists are run with."""
    return {"user_id": user.id, "provider_id": user.provider_id, "shown": SHOWN}


COMPLETE_UNITS = (
    select(EnrolmentProgress.enrolment_id, CriteriaSet.evidence_requirements)
    .join(Enrolment, Enrolment.id == EnrolmentProgress.enrolment_id)
    .join(CriteriaSet, CriteriaSet.id == Enrolment.criteria_set_id)
    .where(
        EnrolmentProgress.enrolment_id.in_(ENROLMENT_IDS),
        EnrolmentProgress.criteria_total > 0,
        EnrolmentProgress.criteria_met == EnrolmentProgress.criteria_total,
        EnrolmentProgress.awaiting_marking == 0,
        EnrolmentProgress.signed_off.is_(False),
    )
)
# Declared after the last change to any accepted item: the declaration covers the evidence
# as it stands (sign-off compares the manifests themselves).
_last_accepted = (
    select(func.max(EvidenceItem.updated_at))
    .where(
        EvidenceItem.enrolment_id == Declaration.enrolment_id,
        EvidenceItem.status == EvidenceStatus.ACCEPTED,
    )
    .scalar_subquery()
)
DECLARED_UNITS = (
    select(Declaration.enrolment_id)
    .where(Declaration.enrolment_id.in_(ENROLMENT_IDS), Declaration.declared_at >= _last_accepted)
    .distinct()
)


def sign_off_states(enrolment_ids: Iterable[int]) -> dict[int, str]:
    """Of these enrolments, those whose unit is complete and not signed off: READY when the
    learner's declaration is due, DECLARED when the learner has declared the evidence as it
    stands and the assessor's sign-off is due. Complete as sign-off judges it: every
    criterion met by accepted evidence (the progress rows), nothing awaiting marking or
    returned for rework, and each evidence requirement of the unit held by accepted evidence
    (``requirement_states``). Three statements, whatever the number of enrolments."""
    ids = list(enrolment_ids)
    candidates = dict(db.session.execute(COMPLETE_UNITS, {"enrolment_ids": ids}).all())
    tallies = _tallies(candidates)
    states = {}
    for enrolment_id, requirements in candidates.items():
        counted = tallies.get(enrolment_id, [])
        if any(t.status is EvidenceStatus.RETURNED for t in counted):
            continue
        if all(r.met for r in requirement_states(requirements or [], counted)):
            states[enrolment_id] = READY
    # Each statement runs even when nothing was found before it, so that a page's statements
    # stay the same.
    for enrolment_id in db.session.scalars(DECLARED_UNITS, {"enrolment_ids": list(states)}):
        states[enrolment_id] = DECLARED
    return states


_incident_type = EvidenceVersion.content["incident_type"].as_string()
TALLIES = (
    select(EvidenceItem.enrolment_id, EvidenceItem.kind, EvidenceItem.status,
           _incident_type.label("incident_type"), func.count().label("items"))
    .outerjoin(EvidenceVersion, (EvidenceVersion.item_id == EvidenceItem.id)
               & (EvidenceItem.kind == EvidenceKind.INCIDENT_LOG)
               & (EvidenceVersion.number == CURRENT_VERSION))
    .where(EvidenceItem.enrolment_id.in_(ENROLMENT_IDS))
    .group_by(EvidenceItem.enrolment_id, EvidenceItem.kind, EvidenceItem.status, _incident_type)
)  # fmt: skip


def _tallies(requirements: dict[int, list | None]) -> dict[int, list[Tally]]:
    """The enrolments' items counted by kind and status (and incident type for incident
    logs), as ``coverage.evidence_tallies`` counts one enrolment's, in one statement."""
    rows = db.session.execute(TALLIES, {"enrolment_ids": list(requirements)})
    out: dict[int, list[Tally]] = {}
    for r in rows:
        out.setdefault(r.enrolment_id, []).append(Tally(r.kind, r.status, r.incident_type, r.items))
    return out


# The learner -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitProgress:
    met: int
    total: int
    awaiting: int
    signed_off: bool
    countersigned: bool
    # Off-the-job hours in minutes: planned (None where not an apprenticeship) and verified.
    otj_planned: int | None = None
    otj_verified: int = 0
    # Countersigned, then a sampled decision sent back: the sign-off is under IQA review.
    under_review: bool = False
    # A break in learning on the progress row's day, if there is one: its first day and why.
    break_since: date | None = None
    break_reason: str | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0


@dataclass
class LearnerToDo:
    progress: dict[int, UnitProgress]  # by enrolment
    next_gap: dict[int, Entry]  # by enrolment: the first criterion no evidence claims yet
    sign_off: dict[int, str]  # by enrolment: READY (declaration due) or DECLARED
    returned: ToDo
    personal_data: ToDo  # items with possible personal data to replace or dismiss

    @property
    def declaration_due(self) -> list[int]:
        return [e for e, state in self.sign_off.items() if state == READY]


UNITS_PROGRESS = select(EnrolmentProgress).where(EnrolmentProgress.enrolment_id.in_(ENROLMENT_IDS))


def learner(user: User, enrolment_ids: list[int]) -> LearnerToDo:
    """The learner's units (those shown, ``enrolment_ids``) and their evidence to work on."""
    progress = {
        row.enrolment_id: UnitProgress(row.criteria_met, row.criteria_total,
                                       row.awaiting_marking, row.signed_off, row.countersigned,
                                       row.otj_planned_minutes, row.otj_verified_minutes,
                                       row.under_review, row.break_since, row.break_reason)
        for row in db.session.scalars(UNITS_PROGRESS, {"enrolment_ids": enrolment_ids})
    }  # fmt: skip
    return LearnerToDo(
        progress=progress,
        next_gap=_next_gaps(enrolment_ids),
        sign_off=sign_off_states(enrolment_ids),
        returned=_returned(user),
        personal_data=_personal_data(user),
    )


_ranked_gaps = (
    select(CriterionState.enrolment_id, Criterion.id, Criterion.number, Criterion.text,
           func.row_number().over(partition_by=CriterionState.enrolment_id,
                                  order_by=(Criterion.position, Criterion.id)).label("n"))
    .join(Criterion, Criterion.id == CriterionState.criterion_id)
    .where(CriterionState.enrolment_id.in_(ENROLMENT_IDS),
           CriterionState.state == NOT_STARTED)
    .subquery()
)  # fmt: skip
NEXT_GAPS = select(_ranked_gaps).where(_ranked_gaps.c.n == 1)


def _next_gaps(enrolment_ids: list[int]) -> dict[int, Entry]:
    """Per enrolment, the first criterion in the unit's order that no evidence claims yet."""
    return {
        r.enrolment_id: Entry(r.id, r.number, detail=r.text, enrolment_id=r.enrolment_id)
        for r in db.session.execute(NEXT_GAPS, {"enrolment_ids": enrolment_ids})
    }


# The learner's own items, the first SHOWN of them, with how many there are.
LEARNER_ITEMS = (
    EvidenceItem.learner_id == bindparam("user_id"),
    EvidenceItem.provider_id == bindparam("provider_id"),
)
_latest_feedback = (
    select(Decision.feedback_html)
    .where(Decision.item_id == EvidenceItem.id)
    .order_by(Decision.decided_at.desc(), Decision.id.desc())
    .limit(1)
    .correlate(EvidenceItem)
    .scalar_subquery()
)
RETURNED_ITEMS = (
    select(EvidenceItem.id, EvidenceItem.title, EvidenceItem.updated_at,
           EvidenceItem.enrolment_id, _latest_feedback.label("feedback"),
           func.count().over().label("total"))
    .where(*LEARNER_ITEMS, EvidenceItem.status == EvidenceStatus.RETURNED)
    .order_by(EvidenceItem.updated_at.desc(), EvidenceItem.id.desc())
    .limit(bindparam("shown"))
)  # fmt: skip


def _returned(user: User) -> ToDo:
    """The learner's evidence returned for rework, most recently returned first, with the
    feedback of the decision that returned it (as rendered from its Markdown)."""
    rows = db.session.execute(RETURNED_ITEMS, _values(user))
    return _todo(rows, lambda r: Entry(r.id, r.title, detail=r.feedback or "", at=r.updated_at,
                                       enrolment_id=r.enrolment_id))  # fmt: skip


ITEMS_WITH_PERSONAL_DATA = (
    select(EvidenceItem.id, EvidenceItem.title, EvidenceItem.enrolment_id,
           EvidenceItem.updated_at, EvidenceItem.personal_data_open,
           func.count().over().label("total"))
    .join(Enrolment, Enrolment.id == EvidenceItem.enrolment_id)
    .where(*LEARNER_ITEMS,
           EvidenceItem.status.in_([EvidenceStatus.DRAFT, EvidenceStatus.RETURNED]),
           EvidenceItem.personal_data_open > 0, Enrolment.locked.is_(False))
    .order_by(EvidenceItem.updated_at.desc(), EvidenceItem.id.desc())
    .limit(bindparam("shown"))
)  # fmt: skip


def _personal_data(user: User) -> ToDo:
    """The learner's drafts and returned items (of units not signed off) whose text still
    holds possible personal data, each with how many findings are open (kept on the item by
    ``evidence.operations.count_personal_data``), and how many such items there are."""
    rows = db.session.execute(ITEMS_WITH_PERSONAL_DATA, _values(user))
    return _todo(rows, lambda r: Entry(
        r.id, r.title, at=r.updated_at, enrolment_id=r.enrolment_id,
        detail=f"{r.personal_data_open} possible personal detail"
               f"{'s' if r.personal_data_open != 1 else ''} to resolve",
    ))  # fmt: skip


# The assessor ------------------------------------------------------------------------------


@dataclass
class AssessorToDo:
    oldest: Entry | None  # the item waiting longest to be marked
    sign_off: ToDo  # units the learner has declared, to sign off
    declaration_due: int  # units complete but waiting for the learner's declaration
    samples: ToDo  # decisions an IQA sent back, to answer
    hours_awaiting: int = 0  # off-the-job hours entries of their apprentices to verify


# The enrolments the assessor assesses at their provider.
ASSESSED = (
    Enrolment.assessor_id == bindparam("user_id"),
    Enrolment.provider_id == bindparam("provider_id"),
)
OLDEST_SUBMITTED = (
    select(EvidenceItem.id, EvidenceItem.title, EvidenceItem.submitted_at,
           EvidenceItem.enrolment_id, User.name.label("learner"))
    .join(Enrolment, Enrolment.id == EvidenceItem.enrolment_id)
    .join(User, User.id == EvidenceItem.learner_id)
    .where(*ASSESSED, EvidenceItem.status == EvidenceStatus.SUBMITTED)
    .order_by(EvidenceItem.submitted_at, EvidenceItem.id)
    .limit(1)
)  # fmt: skip
SAMPLES_SENT_BACK = (
    select(Sample.id, Sample.reviewed_at, EvidenceItem.title, User.name.label("learner"),
           EvidenceItem.enrolment_id, Sample.required_actions,
           func.count().over().label("total"))
    .join(Decision, Decision.id == Sample.decision_id)
    .join(EvidenceItem, EvidenceItem.id == Decision.item_id)
    .join(User, User.id == EvidenceItem.learner_id)
    .where(Sample.provider_id == bindparam("provider_id"),
           Decision.assessor_id == bindparam("user_id"),
           Sample.status == SampleStatus.ACTIONS_REQUIRED)
    .order_by(Sample.reviewed_at, Sample.id)
    .limit(bindparam("shown"))
)  # fmt: skip
HOURS_AWAITING = (
    select(func.count(OtjEntry.id))
    .join(Enrolment, Enrolment.id == OtjEntry.enrolment_id)
    .where(*ASSESSED, OtjEntry.status == EntryStatus.AWAITING)
)  # fmt: skip
COMPLETE_UNITS_ASSESSED = (
    select(EnrolmentProgress.enrolment_id, User.name, Unit.title,
           EnrolmentProgress.last_activity_at)
    .join(Enrolment, Enrolment.id == EnrolmentProgress.enrolment_id)
    .join(User, User.id == Enrolment.learner_id)
    .join(Unit, Unit.id == Enrolment.unit_id)
    .where(EnrolmentProgress.assessor_id == bindparam("user_id"),
           EnrolmentProgress.provider_id == bindparam("provider_id"),
           EnrolmentProgress.criteria_total > 0,
           EnrolmentProgress.criteria_met == EnrolmentProgress.criteria_total,
           EnrolmentProgress.signed_off.is_(False))
    .order_by(User.name, EnrolmentProgress.enrolment_id)
)  # fmt: skip


def assessor(user: User) -> AssessorToDo:
    values = _values(user)
    oldest = db.session.execute(OLDEST_SUBMITTED, values).first()
    # Units whose criteria are all met and that are not signed off, by learner's name.
    complete = {
        r.enrolment_id: Entry(r.enrolment_id, r.title, r.name, at=r.last_activity_at,
                              enrolment_id=r.enrolment_id)
        for r in db.session.execute(COMPLETE_UNITS_ASSESSED, values)
    }  # fmt: skip
    states = sign_off_states(complete)
    declared = [complete[i] for i in complete if states.get(i) == DECLARED]
    samples = db.session.execute(SAMPLES_SENT_BACK, values)
    hours_awaiting = db.session.scalar(HOURS_AWAITING, values)
    return AssessorToDo(
        hours_awaiting=hours_awaiting,
        oldest=Entry(oldest.id, oldest.title, oldest.learner, at=oldest.submitted_at,
                     enrolment_id=oldest.enrolment_id) if oldest else None,
        sign_off=ToDo(declared[:SHOWN], len(declared)),
        declaration_due=sum(1 for s in states.values() if s == READY),
        samples=_todo(samples, lambda r: Entry(r.id, r.title, r.learner, r.required_actions,
                                               r.reviewed_at, r.enrolment_id)),
    )  # fmt: skip


# The IQA -----------------------------------------------------------------------------------


@dataclass
class IqaToDo:
    samples: ToDo  # samples drawn and not yet reviewed
    countersign: ToDo  # units signed off, awaiting this IQA's countersignature


SAMPLES_TO_REVIEW = (
    select(Sample.id, Sample.created_at, EvidenceItem.title, User.name.label("learner"),
           EvidenceItem.enrolment_id, ASSESSOR.c.name.label("assessor"),
           func.count().over().label("total"))
    .join(Decision, Decision.id == Sample.decision_id)
    .join(EvidenceItem, EvidenceItem.id == Decision.item_id)
    .join(User, User.id == EvidenceItem.learner_id)
    .join(ASSESSOR, ASSESSOR.c.id == Decision.assessor_id)
    .where(Sample.provider_id == bindparam("provider_id"), Sample.iqa_id == bindparam("user_id"),
           Sample.status == SampleStatus.OPEN)
    .order_by(Sample.created_at, Sample.id)
    .limit(bindparam("shown"))
)  # fmt: skip


def _samples_of_the_unit(status: SampleStatus):
    return (
        select(Sample.id)
        .join(Decision, Decision.id == Sample.decision_id)
        .where(Decision.enrolment_id == SignOff.enrolment_id, Sample.status == status)
        .exists()
    )


# A decision of the unit sent back and not yet answered holds the countersignature, as does
# one sampled and waiting for the IQA's own review.
UNITS_TO_COUNTERSIGN = (
    select(SignOff.enrolment_id, SignOff.signed_at, User.name.label("learner"), Unit.title,
           _samples_of_the_unit(SampleStatus.ACTIONS_REQUIRED).label("held"),
           _samples_of_the_unit(SampleStatus.OPEN).label("to_review"),
           func.count().over().label("total"))
    .join(Enrolment, Enrolment.id == SignOff.enrolment_id)
    .join(User, User.id == Enrolment.learner_id)
    .join(Unit, Unit.id == Enrolment.unit_id)
    .where(Enrolment.iqa_id == bindparam("user_id"),
           Enrolment.provider_id == bindparam("provider_id"),
           SignOff.withdrawn_at.is_(None), SignOff.countersigned_at.is_(None))
    .order_by(SignOff.signed_at, SignOff.id)
    .limit(bindparam("shown"))
)  # fmt: skip


def iqa(user: User) -> IqaToDo:
    samples = db.session.execute(SAMPLES_TO_REVIEW, _values(user))
    signed = db.session.execute(UNITS_TO_COUNTERSIGN, _values(user))
    return IqaToDo(
        samples=_todo(samples, lambda r: Entry(r.id, r.title, r.learner, r.assessor,
                                               r.created_at, r.enrolment_id)),
        countersign=_todo(signed, lambda r: Entry(
            r.enrolment_id, r.title, r.learner, at=r.signed_at, enrolment_id=r.enrolment_id,
            flag=bool(r.held or r.to_review),
            detail=("A sampled decision you sent back is not answered yet." if r.held
                    else "Review this unit's sampled decision first." if r.to_review
                    else ""),
        )),
    )  # fmt: skip


# The provider admin ------------------------------------------------------------------------


@dataclass
class AdminToDo:
    without_assessor: ToDo  # enrolments with no assessor
    at_risk: dict[str, int]  # learners by risk, as the dashboard counts them
    any_risk: int  # learners with at least one risk
    eqa_ending: ToDo  # EQA accounts whose access ends soon
    inactive_days: int


WITHOUT_ASSESSOR = (
    select(Enrolment.id, LEARNER.c.name, Unit.title, Enrolment.starts_on,
           func.count().over().label("total"))
    .join(LEARNER, LEARNER.c.id == Enrolment.learner_id)
    .join(Unit, Unit.id == Enrolment.unit_id)
    .where(Enrolment.provider_id == bindparam("provider_id"), Enrolment.assessor_id.is_(None))
    .order_by(Enrolment.starts_on, func.lower(LEARNER.c.name), Enrolment.id)
    .limit(bindparam("shown"))
)  # fmt: skip
EQA_ACCESS_ENDING = (
    select(User.id, User.name, User.access_expires_on, func.count().over().label("total"))
    .where(User.provider_id == bindparam("provider_id"), User.role == Role.EQA, User.active,
           User.access_expires_on >= bindparam("today"),
           User.access_expires_on <= bindparam("warn_until"))
    .order_by(User.access_expires_on, User.name)
    .limit(bindparam("shown"))
)  # fmt: skip


def admin(user: User, today: date, inactive_days: int) -> AdminToDo:
    unassigned = db.session.execute(WITHOUT_ASSESSOR, _values(user))
    risks = MEASURES.risks
    counted = db.session.execute(
        base_query(Filters(), user.provider_id).add_columns(
            *(func.count().filter(condition).label(f"r{n}")
              for n, condition in enumerate(risks.values())),
            func.count().filter(or_(*risks.values())).label("any"),
        ),
        Measures.values(today, inactive_days),
    ).one()  # fmt: skip
    ending = db.session.execute(
        EQA_ACCESS_ENDING,
        {**_values(user), "today": today,
         "warn_until": today + timedelta(days=EQA_WARNING_DAYS)},
    )  # fmt: skip
    return AdminToDo(
        without_assessor=_todo(unassigned, lambda r: Entry(r.id, r.title, r.name, at=r.starts_on,
                                                           enrolment_id=r.id)),
        at_risk={name: getattr(counted, f"r{n}") for n, name in enumerate(risks)},
        any_risk=counted.any,
        eqa_ending=_todo(ending, lambda r: Entry(r.id, r.name, at=r.access_expires_on)),
        inactive_days=inactive_days,
    )  # fmt: skip
