"""Assessor workload and IQA sampling coverage: each assessor's queue and marking time, and
the share of their decisions sampled per unit against the provider's plan.

Like the other dashboard figures (``portfolio.progress.queries``), each is one aggregate
statement, built once per combination of filters, that joins the request's ``Reads``;
decisions are counted once for both tables.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, case, func, select

from portfolio.accounts.models import Provider, User
from portfolio.assessment.models import Decision, Sample, SamplingPlan
from portfolio.db import Reads, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.progress.models import EnrolmentProgress
from portfolio.progress.queries import (
    MARKING_PERIOD_DAYS,
    NOW,
    Filters,
    base_query,
    filtered,
)
from portfolio.progress.sql import days_between
from portfolio.units.models import Unit


class Workload(NamedTuple):
    assessor_id: int
    name: str
    learners: int
    queue: int
    oldest_days: int | None
    average_marking_days: float | None


@cache
def _workload_statement(chosen: tuple[str, ...]) -> Select:
    return (
        base_query(chosen)
        .join(User, Enrolment.assessor_id == User.id)
        .add_columns(
            User.id, User.name, func.count(Enrolment.id),
            func.coalesce(func.sum(EnrolmentProgress.awaiting_marking), 0),
            func.max(days_between(EnrolmentProgress.oldest_awaiting_at, NOW)),
        )
        .group_by(User.id, User.name)
        .order_by(User.name)
    )  # fmt: skip


class Coverage(NamedTuple):
    assessor_id: int
    name: str
    new_assessor: bool
    unit: str
    decisions: int
    sampled: int
    share: int

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
    and marking days in the marking period; named in the same statement. When the two
    periods are the same (as with the default plan), no decision needs sorting into them."""
    query = select().select_from(Decision).where(Decision.decided_at >= bindparam("since"))
    if "assessor" in chosen:
        query = query.where(Decision.assessor_id == bindparam("assessor"))
    if "unit" in chosen:
        query = query.where(Decision.unit_id == bindparam("unit"))
    if {"cohort", "qualification", "awarding_body"} & set(chosen):
        # The provider's enrolments scope it, and the index by enrolment then covers it.
        query = query.where(Decision.enrolment_id.in_(filtered(select(Enrolment.id), chosen)))
    else:
        query = query.where(Decision.provider_id == bindparam("provider_id"))
    sampling = Decision.decided_at >= bindparam("sampling_since")
    marking = Decision.decided_at >= bindparam("marking_since")

    def within(period, value):
        return value if one_period else case((period, value))

    counts = (
        query.outerjoin(Sample, Sample.decision_id == Decision.id)
        .add_columns(
            Decision.assessor_id.label("assessor_id"),
            Decision.unit_id.label("unit_id"),
            func.count(within(sampling, Decision.id)).label("decisions"),
            func.count(within(sampling, Sample.id)).label("sampled"),
            func.count(within(marking, Decision.id)).label("marked"),
            func.sum(within(marking, Decision.marking_days)).label("marking_days"),
        )
        .group_by(Decision.assessor_id, Decision.unit_id)
        .subquery()
    )
    # Named row by row through the primary keys: a join would let PostgreSQL hash every
    # person of the provider to name a few dozen rows.
    assessor = User.id == counts.c.assessor_id
    return select(
        counts,
        select(User.name).where(assessor).scalar_subquery(),
        select(User.new_assessor).where(assessor).scalar_subquery(),
        select(Unit.title).where(Unit.id == counts.c.unit_id).scalar_subquery(),
    )


class Settings(NamedTuple):
    marking_target_days: int
    sampling_period_days: int
    sampling_share: int
    new_assessor_sampling_share: int


DEFAULT_SAMPLING = (90, 25, 50)  # a provider without a sampling plan: SamplingPlan's defaults
SETTINGS = (
    select(Provider.marking_target_days, SamplingPlan.period_days, SamplingPlan.share_percent,
           SamplingPlan.new_assessor_share_percent)
    .outerjoin(SamplingPlan, SamplingPlan.provider_id == Provider.id)
    .where(Provider.id == bindparam("provider_id"))
)  # fmt: skip


def settings(provider_id: int, reads: Reads | None = None) -> Callable[[], Settings]:
    """The provider's marking target and sampling plan, in one statement."""
    rows = (reads or Reads()).add(SETTINGS, {"provider_id": provider_id})

    def found() -> Settings:
        target, *plan = rows()[0]
        return Settings(target, *(plan if plan[0] is not None else DEFAULT_SAMPLING))

    return found


def decisions(filters: Filters, provider_id: int, plan: Settings,
              reads: Reads | None = None) -> Callable[[], Decisions]:  # fmt: skip
    """Marking time per assessor and sampling per assessor and unit, against the plan."""
    _target, period, share, new_share = plan
    now = utcnow()
    sampling_since = now - timedelta(days=period)
    marking_since = now - timedelta(days=MARKING_PERIOD_DAYS)
    rows = (reads or Reads()).add(
        _decisions_statement(filters.chosen(), period == MARKING_PERIOD_DAYS),
        filters.params(provider_id, since=min(sampling_since, marking_since),
                       sampling_since=sampling_since, marking_since=marking_since),
    )  # fmt: skip

    def counted() -> Decisions:
        marked: dict[int, list[int]] = {}
        coverage = []
        for assessor, _unit, decided, sampled, count, days, name, new_assessor, title in rows():
            if count:
                totals = marked.setdefault(assessor, [0, 0])
                totals[0] += int(days or 0)
                totals[1] += count
            if decided:
                coverage.append(
                    Coverage(
                        assessor,
                        name,
                        new_assessor,
                        title or "",
                        decided,
                        sampled,
                        new_share if new_assessor else share,
                    )  # fmt: skip
                )
        return Decisions(
            marking_days={a: days / count for a, (days, count) in marked.items()},
            coverage=sorted(coverage, key=lambda c: (c.name, c.unit)),
        )

    return counted


def workload(filters: Filters, provider_id: int,
             reads: Reads | None = None) -> Callable[[Decisions], list[Workload]]:  # fmt: skip
    """Per assessor: learners, evidence waiting and the oldest item. The function returned
    makes the rows given the decisions counted for the same filters, for the marking time
    (which need the provider's sampling plan, so they may be read later)."""
    rows = (reads or Reads()).add(
        _workload_statement(filters.chosen()),
        filters.params(provider_id, now=utcnow().replace(tzinfo=None)),
    )

    def assessors(counted: Decisions) -> list[Workload]:
        return [
            Workload(
                r[0],
                r[1],
                r[2],
                int(r[3] or 0),
                int(r[4]) if r[4] is not None else None,
                counted.marking_days.get(r[0]),
            )  # fmt: skip
            for r in rows()
        ]

    return assessors
