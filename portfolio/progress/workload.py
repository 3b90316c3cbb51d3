"""Assessor workload and IQA sampling coverage: each assessor's queue and marking time, and
the share of their decisions sampled per unit against the provider's plan.

Decisions are counted once for both tables, in one aggregate statement; each assessor's
learners and queue come with the dashboard's summary (``queries.summary``). Both give
assessors and units by id, and ``Names`` names them from the filters' options, which every
such page reads anyway.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import case, func, select

from portfolio.accounts.models import Provider, User
from portfolio.assessment.models import Decision, Sample, SamplingPlan, share_met
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.progress.queries import MARKING_PERIOD_DAYS, Filters, Summary, filtered
from portfolio.units.models import AwardingBody, Unit


@dataclass(frozen=True)
class Workload:
    assessor_id: int
    name: str
    learners: int
    queue: int
    oldest_days: int | None
    average_marking_days: float | None


class Names:
    """The names of assessors and units, by id: those among the filters' options the page
    has read, and any other (an assessor whose learners have all moved on, say) read in one
    statement the first time rows need them."""

    def __init__(self, options: dict):
        self.people = {a.id: a.label for a in options["assessors"]}
        self.new_assessors = set(options["new_assessors"])
        self.units = {u.id: u.label for u in options["units"]}
        self.bodies = {u.id: u.awarding_body for u in options["units"]}  # by unit

    def include(self, people: set[int], units: set[int] = frozenset()) -> "Names":
        """Read the names of any of these not known yet."""
        people, units = people - self.people.keys(), units - self.units.keys()
        if people:
            found = db.session.execute(
                select(User.id, User.name, User.new_assessor).where(User.id.in_(people))
            )
            for person in found:
                self.people[person.id] = person.name
                if person.new_assessor:
                    self.new_assessors.add(person.id)
        if units:
            found = db.session.execute(
                select(Unit.id, Unit.title, AwardingBody.name.label("awarding_body"))
                .join(AwardingBody, AwardingBody.id == Unit.awarding_body_id)
                .where(Unit.id.in_(units))
            )
            for unit in found:
                self.units[unit.id] = unit.title
                self.bodies[unit.id] = unit.awarding_body
        return self


@dataclass(frozen=True)
class Coverage:
    assessor_id: int
    name: str
    new_assessor: bool
    unit: str
    decisions: int
    sampled: int
    share: int
    unit_id: int | None = None
    awarding_body: str = ""  # the unit's: units of different bodies may share a title
    met: bool = False  # the plan holds for this row: see plan_met

    @property
    def percent(self) -> int:
        return round(100 * self.sampled / self.decisions) if self.decisions else 0


@dataclass(frozen=True)
class Decisions:
    """Decisions counted once for the workload and the IQA coverage tables."""

    marking_days: dict[int, float]  # assessor: average working days to mark
    coverage: list[Coverage]


@dataclass(frozen=True)
class Settings:
    marking_target_days: int
    inactive_days: int  # without activity, a learner is at risk (red)
    sampling_period_days: int
    sampling_share: int
    new_assessor_sampling_share: int


DEFAULT_SAMPLING = (90, 25, 50)  # a provider without a sampling plan: SamplingPlan's defaults


def settings(provider_id: int) -> Settings:
    """The provider's marking target, days without activity that put a learner at risk,
    and sampling plan."""
    row = db.session.execute(
        select(Provider.marking_target_days, Provider.inactive_days, SamplingPlan.period_days,
               SamplingPlan.share_percent, SamplingPlan.new_assessor_share_percent)
        .outerjoin(SamplingPlan, SamplingPlan.provider_id == Provider.id)
        .where(Provider.id == provider_id)
    ).one()  # fmt: skip
    if row.period_days is None:
        plan = DEFAULT_SAMPLING
    else:
        plan = (row.period_days, row.share_percent, row.new_assessor_share_percent)
    return Settings(row.marking_target_days, row.inactive_days, *plan)


def _decision_counts(filters: Filters, provider_id: int, period_days: int):
    """Per assessor and unit: decisions and samples in the sampling period, and decisions
    and marking days in the marking period. When the two periods are the same (as with the
    default plan), no decision needs sorting into them."""
    now = utcnow()
    sampling_since = now - timedelta(days=period_days)
    marking_since = now - timedelta(days=MARKING_PERIOD_DAYS)
    one_period = period_days == MARKING_PERIOD_DAYS
    query = select().select_from(Decision).where(
        Decision.decided_at >= min(sampling_since, marking_since)
    )
    if filters.assessor:
        query = query.where(Decision.assessor_id == filters.assessor)
    if filters.unit:
        query = query.where(Decision.unit_id == filters.unit)
    # The decisions' copies of their enrolment's cohort and qualification each have an
    # index; an awarding body's enrolments are looked up, each in the index by enrolment.
    query = query.where(Decision.provider_id == provider_id)
    if filters.cohort:
        query = query.where(Decision.cohort_id == filters.cohort)
    if filters.qualification:
        query = query.where(Decision.qualification_id == filters.qualification)
    if filters.awarding_body:
        enrolments = filtered(
            select(Enrolment.id), Filters(awarding_body=filters.awarding_body), provider_id
        )
        query = query.where(Decision.enrolment_id.in_(enrolments))

    def within(since, value):
        return value if one_period else case((Decision.decided_at >= since, value))

    return db.session.execute(
        query.outerjoin(Sample, Sample.decision_id == Decision.id)
        .add_columns(
            Decision.assessor_id,
            Decision.unit_id,
            func.count(within(sampling_since, Decision.id)).label("decided"),
            func.count(within(sampling_since, Sample.id)).label("sampled"),
            func.count(within(marking_since, Decision.id)).label("marked"),
            func.sum(within(marking_since, Decision.marking_days)).label("marking_days"),
        )
        .group_by(Decision.assessor_id, Decision.unit_id)
    ).all()


def decisions(filters: Filters, provider_id: int, plan: Settings, names: Names) -> Decisions:
    """Marking time per assessor, and sampling per assessor and unit against the plan."""
    found = _decision_counts(filters, provider_id, plan.sampling_period_days)
    names.include({r.assessor_id for r in found}, {r.unit_id for r in found})
    marked: dict[int, list[int]] = {}
    coverage = []
    for row in found:
        if row.marked:
            totals = marked.setdefault(row.assessor_id, [0, 0])
            totals[0] += int(row.marking_days or 0)
            totals[1] += row.marked
        if row.decided:
            new_assessor = row.assessor_id in names.new_assessors
            coverage.append(
                Coverage(
                    assessor_id=row.assessor_id,
                    name=names.people.get(row.assessor_id, ""),
                    new_assessor=new_assessor,
                    unit=names.units.get(row.unit_id, ""),
                    decisions=row.decided,
                    sampled=row.sampled,
                    share=(plan.new_assessor_sampling_share if new_assessor
                           else plan.sampling_share),
                    unit_id=row.unit_id,
                    awarding_body=names.bodies.get(row.unit_id, ""),
                )  # fmt: skip
            )
    return Decisions(
        marking_days={a: days / count for a, (days, count) in marked.items()},
        coverage=sorted(plan_met(coverage), key=lambda c: (c.name, c.awarding_body, c.unit)),
    )


def plan_met(rows: list[Coverage]) -> list[Coverage]:
    """The rows, each marked met when its assessor's share of decisions over all their units
    is sampled and its unit has a sample, of any assessor's decisions: the plan's rule, as
    the IQA's sampling page applies it to each assessor."""
    totals: dict[int, list[int]] = {}
    sampled_units = {r.unit_id for r in rows if r.sampled}
    for r in rows:
        total = totals.setdefault(r.assessor_id, [0, 0])
        total[0] += r.decisions
        total[1] += r.sampled
    return [
        replace(r, met=r.unit_id in sampled_units
                and share_met(*totals[r.assessor_id], r.share))
        for r in rows
    ]  # fmt: skip


def workload(summary: Summary, counted: Decisions, names: Names) -> list[Workload]:
    """Per assessor, by name: learners, evidence waiting and the oldest item, from the
    summary's caseloads, and the marking time from the decisions counted for the same
    filters."""
    people = names.include(set(summary.caseloads)).people
    return sorted(
        (
            Workload(assessor, people.get(assessor, ""), c.learners, c.awaiting, c.oldest_days,
                     counted.marking_days.get(assessor))  # fmt: skip
            for assessor, c in summary.caseloads.items()
        ),
        key=lambda w: (w.name, w.assessor_id),
    )
