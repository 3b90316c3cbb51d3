"""Assessor workload and IQA sampling coverage: each assessor's queue and marking time, and
the share of their decisions sampled per unit against the provider's plan.

Decisions are counted once for both tables, in one aggregate statement built once per
combination of filters that joins the request's ``Reads``, like the other dashboard figures
(``portfolio.progress.queries``); each assessor's learners and queue come with the summary.
Both give assessors and units by id, and ``Names`` names them from the filters' options,
which every such page reads anyway: naming each row in the database cost PostgreSQL more
than counting it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, case, func, select

from portfolio.accounts.models import User
from portfolio.assessment.models import Decision, Sample
from portfolio.db import Reads, read, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.progress.queries import (
    MARKING_PERIOD_DAYS,
    PROVIDER_ROW,
    Filters,
    Summary,
    filtered,
)
from portfolio.units.models import Unit


class Workload(NamedTuple):
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
        self.people = {a[0]: a[1] for a in options["assessors"]}
        self.new_assessors = set(options["new_assessors"])
        self.units = {u[0]: u[1] for u in options["units"]}

    def include(self, people: set[int], units: set[int] = frozenset()) -> "Names":
        """Read the names of any of these not known yet."""
        people, units = people - self.people.keys(), units - self.units.keys()
        if people:
            for id_, name, new in read(
                select(User.id, User.name, User.new_assessor).where(User.id.in_(people)), {}
            ):
                self.people[id_] = name
                if new:
                    self.new_assessors.add(id_)
        if units:
            self.units.update(read(select(Unit.id, Unit.title).where(Unit.id.in_(units)), {}))
        return self


class Coverage(NamedTuple):
    assessor_id: int
    name: str
    new_assessor: bool
    unit: str
    decisions: int
    sampled: int
    share: int
    unit_id: int | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.sampled / self.decisions) if self.decisions else 0


@dataclass(frozen=True)
class Decisions:
    """Decisions counted once for the workload and the IQA coverage tables."""

    marking_days: dict[int, float]  # assessor: average working days to mark
    coverage: list[Coverage]


@cache
def _decisions_statement(chosen: tuple[str, ...], one_period: bool) -> Select:
    """Per assessor and unit: decisions and samples in the sampling period, and decisions
    and marking days in the marking period. When the two periods are the same (as with the
    default plan), no decision needs sorting into them."""
    query = select().select_from(Decision).where(Decision.decided_at >= bindparam("since"))
    if "assessor" in chosen:
        query = query.where(Decision.assessor_id == bindparam("assessor"))
    if "unit" in chosen:
        query = query.where(Decision.unit_id == bindparam("unit"))
    # The decisions' copies of their enrolment's cohort and qualification each have an
    # index; an awarding body's enrolments are looked up, each in the index by enrolment.
    query = query.where(Decision.provider_id == bindparam("provider_id"))
    for name in ("cohort", "qualification"):
        if name in chosen:
            query = query.where(getattr(Decision, f"{name}_id") == bindparam(name))
    if "awarding_body" in chosen:
        enrolments = filtered(select(Enrolment.id), ("awarding_body",))
        query = query.where(Decision.enrolment_id.in_(enrolments))
    sampling = Decision.decided_at >= bindparam("sampling_since")
    marking = Decision.decided_at >= bindparam("marking_since")

    def within(period, value):
        return value if one_period else case((period, value))

    return (
        query.outerjoin(Sample, Sample.decision_id == Decision.id)
        .add_columns(
            Decision.assessor_id,
            Decision.unit_id,
            func.count(within(sampling, Decision.id)),
            func.count(within(sampling, Sample.id)),
            func.count(within(marking, Decision.id)),
            func.sum(within(marking, Decision.marking_days)),
        )
        .group_by(Decision.assessor_id, Decision.unit_id)
    )


class Settings(NamedTuple):
    marking_target_days: int
    inactive_days: int  # without activity, a learner is at risk (red)
    sampling_period_days: int
    sampling_share: int
    new_assessor_sampling_share: int


DEFAULT_SAMPLING = (90, 25, 50)  # a provider without a sampling plan: SamplingPlan's defaults


def settings(provider_id: int, reads: Reads | None = None) -> Callable[[], Settings]:
    """The provider's marking target, days without activity that put a learner at risk,
    and sampling plan, from the provider's row that the filters' options read too (one
    statement for both)."""
    rows = (reads or Reads()).add(PROVIDER_ROW, {"provider_id": provider_id})

    def found() -> Settings:
        _options_version, target, inactive, *plan = rows()[0]
        return Settings(target, inactive, *(plan if plan[0] is not None else DEFAULT_SAMPLING))

    return found


# The sampling period of each provider's plan as this process last read it. The decisions
# statement depends on it; sent with the page's other reads, before the plan itself is read,
# it saves the page a round trip. A page that finds the plan changed counts them again.
_periods: dict[int, int] = {}


def _counts(filters: Filters, provider_id: int, period: int, reads: Reads):
    now = utcnow()
    sampling_since = now - timedelta(days=period)
    marking_since = now - timedelta(days=MARKING_PERIOD_DAYS)
    return reads.add(
        _decisions_statement(filters.chosen(), period == MARKING_PERIOD_DAYS),
        filters.params(provider_id, since=min(sampling_since, marking_since),
                       sampling_since=sampling_since, marking_since=marking_since),
    )  # fmt: skip


def decisions(filters: Filters, provider_id: int,
              reads: Reads | None = None) -> Callable[[Settings, Names], Decisions]:  # fmt: skip
    """Marking time per assessor and sampling per assessor and unit, against the plan: the
    function returned counts them given the provider's settings, read with them."""
    period = _periods.get(provider_id, DEFAULT_SAMPLING[0])
    rows = _counts(filters, provider_id, period, reads or Reads())

    def counted(plan: Settings, names: Names) -> Decisions:
        actual = plan.sampling_period_days
        share, new_share = plan.sampling_share, plan.new_assessor_sampling_share
        found = rows()
        if actual != period:  # counted over another period than the plan's now
            _periods[provider_id] = actual
            found = _counts(filters, provider_id, actual, Reads())()
        marked: dict[int, list[int]] = {}
        coverage = []
        names.include({r[0] for r in found}, {r[1] for r in found})
        people, units, new_assessors = names.people, names.units, names.new_assessors
        for assessor, unit, decided, sampled, count, days in found:
            if count:
                totals = marked.setdefault(assessor, [0, 0])
                totals[0] += int(days or 0)
                totals[1] += count
            if decided:
                new_assessor = assessor in new_assessors
                coverage.append(
                    Coverage(
                        assessor,
                        people.get(assessor, ""),
                        new_assessor,
                        units.get(unit, ""),
                        decided,
                        sampled,
                        new_share if new_assessor else share,
                        unit,
                    )  # fmt: skip
                )
        return Decisions(
            marking_days={a: days / count for a, (days, count) in marked.items()},
            coverage=sorted(coverage, key=lambda c: (c.name, c.unit)),
        )

    return counted


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
