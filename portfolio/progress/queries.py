"""The figures of the caseload and the provider dashboard, each one aggregate query.

Everything is filtered the same way (cohort, qualification, awarding body, unit, assessor)
and scoped to the viewer's provider. No query here runs once per learner.

Each statement is built once for each combination of filters chosen, with the provider,
the filter values and the dates as bound parameters, so a request only executes it:
building the expressions cost more than SQLite's work on a cohort.

Each figure's statement joins the request's ``Reads`` (or runs alone), and the function
returned gives the figure: a page adds every figure it can before reading any, and on
PostgreSQL waits for the database once for all of them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from threading import Lock
from types import MappingProxyType
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy import Date as SADate

from portfolio.accounts.models import Provider, Role, User
from portfolio.assessment.models import Decision, Sample, SamplingPlan
from portfolio.db import Reads, db, read, utcnow
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.listing import whole_number
from portfolio.progress.models import MET, CriterionState, EnrolmentProgress
from portfolio.progress.sql import days_between
from portfolio.units.models import AwardingBody, Criterion, Qualification, Unit

# The rules, written once: the pages print them. After how many days without activity a
# learner is at risk is each provider's own setting (Provider.inactive_days).
BEHIND_MARGIN = 0.10  # behind plan: met share more than 10 points below time elapsed
MARKING_PERIOD_DAYS = 90  # average marking time over this many days
RAG_RULE = (
    "Red: no activity for {red} days or more, evidence waiting longer than the marking target, "
    "or more than 25 points behind plan. Amber: no activity for {amber} days, more than 10 "
    "points behind plan, or an item returned twice. Green: otherwise."
)

FILTERS = ("cohort", "qualification", "awarding_body", "unit", "assessor")


@dataclass(frozen=True)
class Filters:
    cohort: int | None = None
    qualification: int | None = None
    awarding_body: int | None = None
    unit: int | None = None
    assessor: int | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(*(whole_number(args.get(name)) for name in FILTERS))

    def args(self, **extra) -> dict:
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        out.update({k: v for k, v in extra.items() if v is not None})
        return out

    def chosen(self) -> tuple[str, ...]:
        """The filters set: they decide a statement's shape, their values its parameters."""
        return tuple(name for name in FILTERS if getattr(self, name))

    def params(self, provider_id: int, **more) -> dict:
        return {"provider_id": provider_id, **{n: getattr(self, n) for n in self.chosen()}, **more}


def filtered(query: Select, chosen: tuple[str, ...], table=Enrolment) -> Select:
    """The query scoped to the provider and narrowed by the chosen filters, on the columns of
    ``table``: the enrolment's own, or the copies a derived table keeps of them."""
    query = query.where(table.provider_id == bindparam("provider_id"))
    for name in chosen:
        if name == "awarding_body":
            bodies_units = select(Unit.id).where(Unit.awarding_body_id == bindparam(name))
            query = query.where(table.unit_id.in_(bodies_units))
        else:
            query = query.where(getattr(table, f"{name}_id") == bindparam(name))
    return query


def base_query(chosen: tuple[str, ...]) -> Select:
    """The learners the filters select, from their progress rows alone."""
    return filtered(select().select_from(EnrolmentProgress), chosen, EnrolmentProgress)


# Parameters every request supplies (see _dates). Today is bound as a date, never as text
# cast to DATE: SQLite reads CAST('2026-11-23' AS DATE) as the number 2026.
TODAY = bindparam("today", type_=SADate)
NOW = bindparam("now", type_=DateTime)  # naive UTC, as stored


def _dates(today: date) -> dict:
    return {"today": today, "now": utcnow().replace(tzinfo=None)}


def amber_inactive_days(inactive_days: int) -> int:
    """Days without activity that make a learner amber: two thirds of the provider's
    at-risk days (14 of the default 21)."""
    return inactive_days * 2 // 3


@cache
def met_share():
    # Divided as floating point: dividing by an integer, SQLAlchemy would make PostgreSQL
    # divide in NUMERIC, which costs it more than the rest of the summary.
    return func.coalesce(
        cast(EnrolmentProgress.criteria_met, db.Float)
        / func.nullif(EnrolmentProgress.criteria_total, 0, type_=db.Float),
        0.0,
    )


@cache
def behind_plan():
    """The met share more than BEHIND_MARGIN below the share of planned time passed.

    That share is capped at 1; as the met share is never negative, comparing with the raw
    share and with 1 is the same test with the share worked out once a row rather than three
    times.
    """
    progress = EnrolmentProgress
    span = func.nullif(
        days_between(progress.starts_on, progress.planned_end_on), 0, type_=db.Float
    )
    elapsed = func.coalesce(days_between(progress.starts_on, TODAY) / span, 1.0)
    lagging = met_share() + BEHIND_MARGIN
    return and_(lagging < elapsed, lagging < 1.0)


BUCKETS = [
    ("0-24%", 0.0, 0.25),
    ("25-49%", 0.25, 0.5),
    ("50-74%", 0.5, 0.75),
    ("75-99%", 0.75, 1.0),
]


BUCKET_LABELS = (*(name for name, _lo, _hi in BUCKETS), "100%")
FORECASTS = ("complete", "past planned end", "behind plan", "on track")

# The bucket and the forecast are worked out in SQL as their index in BUCKET_LABELS and
# FORECASTS: a small integer costs the database less to compare and group by than a label.


@cache
def bucket_expression():
    share = met_share()
    whens = [(share >= lo, code) for code, (_name, lo, _hi) in enumerate(BUCKETS)][::-1]
    return case((share >= 1.0, len(BUCKETS)), *whens[:-1], else_=0)  # highest first


@cache
def forecast_expression():
    share = met_share()
    return case(
        (EnrolmentProgress.countersigned.is_(True), 0),
        (and_(EnrolmentProgress.planned_end_on < TODAY, share < 1.0), 1),
        (behind_plan(), 2),
        else_=3,
    )


def _code(label: str | None, labels: tuple[str, ...]) -> int | None:
    """A label's index, for comparing with the expressions above; -1 (no learner) for an
    unknown one, None for none."""
    if not label:
        return None
    return labels.index(label) if label in labels else -1


RISKS = ("inactive", "behind plan", "returned twice or more")
# The learners behind the dashboard's count of units signed off, and behind an assessor's
# count of evidence awaiting marking.
SIGNED_OFF = "signed off"
AWAITING_MARKING = "awaiting marking"
# The learners behind an IQA coverage row's counts: those with evidence the assessor decided
# on (or with such a decision sampled) in the sampling period, on the row's unit.
DECIDED, SAMPLED = "decided", "sampled"


@cache
def risk_expressions() -> dict:
    # The provider's own setting, read by the statement itself: a page sends its figures
    # with the provider's row, before it has read the setting.
    inactive_days = (
        select(Provider.inactive_days)
        .where(Provider.id == bindparam("provider_id"))
        .scalar_subquery()
    )
    inactive = or_(
        EnrolmentProgress.last_activity_at.is_(None),
        days_between(EnrolmentProgress.last_activity_at, NOW) > inactive_days,
    )
    behind = and_(behind_plan(), EnrolmentProgress.countersigned.is_not(True))
    returned = EnrolmentProgress.items_returned_twice > 0
    return dict(zip(RISKS, (inactive, behind, returned), strict=True))


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass
class Caseload:
    """One assessor's learners among those the filters select: how many, the evidence they
    have waiting for marking, and the age in days of the oldest such item."""

    learners: int = 0
    awaiting: int = 0
    oldest_days: int | None = None


@dataclass
class Summary:
    learners: int = 0
    complete: int = 0
    signed_off: int = 0
    average_met: float = 0.0
    distribution: dict[str, int] = field(default_factory=dict)
    forecast: dict[str, int] = field(default_factory=dict)
    risks: dict[str, int] = field(default_factory=dict)
    caseloads: dict[int, Caseload] = field(default_factory=dict)  # by assessor


@cache
def _summary_statement(chosen: tuple[str, ...]) -> Select:
    bucket, forecast = bucket_expression().label("bucket"), forecast_expression().label("forecast")
    return (
        base_query(chosen)
        .add_columns(
            bucket,
            forecast,
            EnrolmentProgress.assessor_id,
            func.count(),
            _count_if(EnrolmentProgress.countersigned.is_(True)),
            _count_if(EnrolmentProgress.signed_off.is_(True)),
            func.sum(met_share()),
            *(_count_if(condition) for condition in risk_expressions().values()),
            func.coalesce(func.sum(EnrolmentProgress.awaiting_marking), 0),
            func.max(days_between(EnrolmentProgress.oldest_awaiting_at, NOW)),
        )
        # By the labels: the expressions again would double the statement.
        .group_by("bucket", "forecast", EnrolmentProgress.assessor_id)
    )


def summary(filters: Filters, provider_id: int, today: date,
            reads: Reads | None = None) -> Callable[[], Summary]:  # fmt: skip
    """Learners, completion, the progress distribution, the forecast and the risks, and
    each assessor's caseload (for the workload table): counted in one pass over the
    learners, grouped by assessor as well and added up here."""
    rows = (reads or Reads()).add(
        _summary_statement(filters.chosen()), filters.params(provider_id, **_dates(today))
    )

    def figures() -> Summary:
        out = Summary(risks=dict.fromkeys(RISKS, 0))
        share = 0.0
        risks_found = out.risks
        for row in rows():
            bucket, forecast, assessor, learners, complete, signed_off, met = row[:7]
            out.learners += learners
            out.complete += complete
            out.signed_off += signed_off
            share += float(met or 0)
            bucket, forecast = BUCKET_LABELS[bucket], FORECASTS[forecast]
            out.distribution[bucket] = out.distribution.get(bucket, 0) + learners
            out.forecast[forecast] = out.forecast.get(forecast, 0) + learners
            for name, count in zip(RISKS, row[7:-2], strict=True):
                risks_found[name] += count
            if assessor is not None:
                caseload = out.caseloads.get(assessor)
                if caseload is None:
                    caseload = out.caseloads[assessor] = Caseload()
                awaiting, oldest = row[-2:]
                caseload.learners += learners
                caseload.awaiting += int(awaiting or 0)
                if oldest is not None:
                    oldest = int(oldest)
                    if caseload.oldest_days is None or oldest > caseload.oldest_days:
                        caseload.oldest_days = oldest
        out.average_met = share / out.learners if out.learners else 0.0
        return out

    return figures


class LearnerRow(NamedTuple):
    enrolment_id: int
    learner: str
    unit: str
    awarding_body: str
    cohort: str | None
    assessor: str | None
    met: int
    total: int
    awaiting: int
    oldest_awaiting_days: int | None
    inactive_days: int | None
    planned_end_on: date
    forecast: str
    risks: tuple[str, ...]

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0

    def rag(self, target_days: int, inactive_days: int) -> str:
        """Red, amber or green by RAG_RULE, given the provider's marking target and its
        days without activity that put a learner at risk."""
        behind = self.forecast in ("behind plan", "past planned end")
        if (self.inactive_days or 0) >= inactive_days or (
            self.oldest_awaiting_days or 0
        ) > target_days * 7 // 5:
            return "red"
        if self.forecast == "past planned end":
            return "red"
        if (
            (self.inactive_days or 0) >= amber_inactive_days(inactive_days)
            or behind
            or "returned twice or more" in self.risks
        ):
            return "amber"
        return "green"


@cache
def _learner_statements(chosen: tuple[str, ...], risk: str | None, bucket: bool,
                        forecast: bool, lacking: bool, status: bool, evidence: bool,
                        decisions: str | None) -> tuple[Select, Select]:  # fmt: skip
    """How many learners are behind a figure, and a page of them."""
    query = base_query(chosen)
    if status:  # the only status a figure names: signed off
        query = query.where(EnrolmentProgress.signed_off.is_(True))
    if evidence:  # the only evidence a figure names: awaiting marking
        query = query.where(EnrolmentProgress.awaiting_marking > 0)
    if risk:
        query = query.where(risk_expressions()[risk])
    if bucket:
        query = query.where(bucket_expression() == bindparam("bucket"))
    if forecast:
        query = query.where(forecast_expression() == bindparam("forecast"))
    if lacking:
        query = query.where(
            EnrolmentProgress.enrolment_id.in_(
                select(CriterionState.enrolment_id).where(
                    CriterionState.criterion_id == bindparam("lacking"), CriterionState.state != MET
                )
            )
        )
    if decisions:
        decided = select(Decision.id).where(
            Decision.enrolment_id == EnrolmentProgress.enrolment_id,
            Decision.assessor_id == bindparam("decisions_of", type_=Integer),
            Decision.unit_id == EnrolmentProgress.unit_id,
            Decision.decided_at >= bindparam("sampling_since", type_=Decision.decided_at.type),
        )
        if decisions == SAMPLED:
            decided = decided.where(select(Sample.id).where(Sample.decision_id == Decision.id).exists())
        query = query.where(decided.exists())
    total = query.add_columns(func.count())
    assessor = User.__table__.alias("assessor")
    page = (
        query.join(Enrolment, Enrolment.id == EnrolmentProgress.enrolment_id)
        .join(User, Enrolment.learner_id == User.id)
        .join(Unit, EnrolmentProgress.unit_id == Unit.id)
        .join(AwardingBody, Unit.awarding_body_id == AwardingBody.id)
        .outerjoin(Cohort, EnrolmentProgress.cohort_id == Cohort.id)
        .outerjoin(assessor, EnrolmentProgress.assessor_id == assessor.c.id)
        .add_columns(
            EnrolmentProgress.enrolment_id,
            User.name,
            Unit.title,
            AwardingBody.name,
            Cohort.name,
            assessor.c.name,
            EnrolmentProgress.criteria_met,
            EnrolmentProgress.criteria_total,
            EnrolmentProgress.awaiting_marking,
            days_between(EnrolmentProgress.oldest_awaiting_at, NOW),
            days_between(EnrolmentProgress.last_activity_at, NOW),
            EnrolmentProgress.planned_end_on,
            forecast_expression(),
            *(case((condition, True), else_=False) for condition in risk_expressions().values()),
            func.count().over(),  # how many learners in all, so a page needs no other count
        )
        .order_by(User.name, EnrolmentProgress.enrolment_id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    return total, page


def learner_rows(filters: Filters, provider_id: int, today: date, *, risk: str | None = None,
                 bucket: str | None = None, forecast: str | None = None, lacking: int | None = None,
                 status: str | None = None, evidence: str | None = None,
                 decided_by: int | None = None, sampled_by: int | None = None,
                 sampling_since: datetime | None = None, limit: int = 50, offset: int = 0,
                 reads: Reads | None = None) -> Callable[[], tuple[int, list[LearnerRow]]]:  # fmt: skip
    """Learners behind a figure, a page at a time, with everything a row shows, and how many
    there are in all. ``status`` may be SIGNED_OFF, and ``evidence`` AWAITING_MARKING;
    ``decided_by`` and ``sampled_by`` name an assessor whose decisions since
    ``sampling_since`` (those sampled, for ``sampled_by``) were on the learners' evidence."""
    decisions = SAMPLED if sampled_by else DECIDED if decided_by else None
    total, page = _learner_statements(
        filters.chosen(),
        risk if risk in RISKS else None,
        bool(bucket),
        bool(forecast),
        bool(lacking),
        status == SIGNED_OFF,
        evidence == AWAITING_MARKING,
        decisions,
    )
    params = filters.params(provider_id, **_dates(today), bucket=_code(bucket, BUCKET_LABELS),
                            forecast=_code(forecast, FORECASTS), lacking=lacking, limit=limit,
                            offset=offset, decisions_of=sampled_by or decided_by,
                            sampling_since=sampling_since)  # fmt: skip
    found = (reads or Reads()).add(page, params)

    def learners() -> tuple[int, list[LearnerRow]]:
        rows = found()
        # Every row carries the total; past the last page it is counted on its own.
        count = rows[0][-1] if rows else (read(total, params).scalar() if offset else 0)
        out = []
        for r in rows:
            flags = r[13:-1]
            out.append(
                LearnerRow(
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    r[8],
                    int(r[9]) if r[9] is not None else None,
                    int(r[10]) if r[10] is not None else None,
                    r[11],
                    FORECASTS[r[12]],
                    tuple(n for n, flag in zip(RISKS, flags, strict=True) if flag),
                )  # fmt: skip
            )
        return count, out

    return learners


class CriterionGap(NamedTuple):
    criterion_id: int
    unit: str
    awarding_body: str
    number: str
    text: str
    learners: int
    lacking: int


@cache
def _gaps_statement(chosen: tuple[str, ...]) -> Select:
    # Counted per criterion first, then named: grouping by the criterion's text is slow.
    counts = (
        filtered(
            select(
                CriterionState.criterion_id,
                CriterionState.unit_id,
                func.count().label("learners"),
                func.sum(case((CriterionState.state != MET, 1), else_=0)).label("lacking"),
            ),
            chosen,
            CriterionState,
        )
        .group_by(CriterionState.criterion_id, CriterionState.unit_id)
        .subquery()
    )
    return (
        select(
            Criterion.id,
            Unit.title,
            AwardingBody.name,
            Criterion.number,
            Criterion.text,
            counts.c.learners,
            counts.c.lacking,
        )
        .select_from(counts)
        .join(Criterion, Criterion.id == counts.c.criterion_id)
        .join(Unit, Unit.id == counts.c.unit_id)
        .join(AwardingBody, Unit.awarding_body_id == AwardingBody.id)
    )


def criterion_gaps(filters: Filters, provider_id: int,
                   reads: Reads | None = None) -> Callable[[], list[CriterionGap]]:  # fmt: skip
    """Per criterion: learners on its unit and how many still lack it, most lacked first."""
    rows = (reads or Reads()).add(_gaps_statement(filters.chosen()), filters.params(provider_id))

    def gaps() -> list[CriterionGap]:
        found = [CriterionGap(*r[:5], r[5], int(r[6] or 0)) for r in rows()]
        return sorted(found, key=lambda g: (-g.lacking / max(g.learners, 1), g.awarding_body,
                                            g.number))  # fmt: skip

    return gaps


HEAT_UNIT = bindparam("heat_unit", type_=Integer)
HEAT_CRITERIA = (
    select(Criterion.id, Criterion.number)
    .join(Unit, Unit.id == HEAT_UNIT)
    .where(Criterion.criteria_set_id.in_(
        select(Enrolment.criteria_set_id)
        .where(Enrolment.unit_id == HEAT_UNIT, Enrolment.provider_id == bindparam("provider_id"))
    ))
    .order_by(Criterion.criteria_set_id, Criterion.position)
)  # fmt: skip


@cache
def _heat_cells_statement(chosen: tuple[str, ...]) -> Select:
    page = (
        filtered(select(Enrolment.id, User.name), chosen)
        .join(User, Enrolment.learner_id == User.id)
        .where(Enrolment.unit_id == HEAT_UNIT)
        .order_by(User.name, Enrolment.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery()
    )
    return (
        select(page.c.id, page.c.name, CriterionState.criterion_id, CriterionState.state)
        .join(CriterionState, CriterionState.enrolment_id == page.c.id)
        .order_by(page.c.name, page.c.id)
    )


def heatmap(filters: Filters, provider_id: int, unit_id: int, limit: int = 40, offset: int = 0,
            reads: Reads | None = None) -> Callable[[], tuple[list, dict]]:  # fmt: skip
    """Learners × criteria of one unit: the criteria, and a page of learners with each
    learner's state on each criterion in the criteria's order (None where there is none)."""
    reads = reads or Reads()
    params = filters.params(provider_id, heat_unit=unit_id, limit=limit, offset=offset)
    criteria = reads.add(HEAT_CRITERIA, params)
    cells = reads.add(_heat_cells_statement(filters.chosen()), params)

    def table() -> tuple[list, dict]:
        states: dict[int, dict] = {}
        names: dict[int, str] = {}
        for enrolment_id, name, criterion_id, state in cells():
            names[enrolment_id] = name
            states.setdefault(enrolment_id, {})[criterion_id] = state
        columns = criteria()
        rows = {
            enrolment_id: {"name": name, "states": [states[enrolment_id].get(c[0]) for c in columns]}
            for enrolment_id, name in names.items()
        }
        return columns, rows

    return table


PROVIDER = bindparam("provider_id", type_=Integer)


# Anyone but a learner may once have been made an assessor, and kept the learners after a
# change of role.
STAFF_ROLES = [role for role in Role if role is not Role.LEARNER]


@cache
def _options_statement():
    """Every filter's options in one statement: kind, id, label, for units the awarding
    body's id and name, and for assessors whether they are new to assessing. Units and
    qualifications are each looked up in the enrolments' indexes (one probe each) rather
    than gathered from every enrolment."""

    def used(column):
        return select(Enrolment.id).where(column, Enrolment.provider_id == PROVIDER).exists()

    nothing = literal(None, Integer)
    no_text = literal(None, String)
    no_flag = cast(null(), Boolean)
    return union_all(
        select(literal("cohort"), Cohort.id, Cohort.name, nothing, no_text, no_flag).where(
            Cohort.provider_id == PROVIDER
        ),
        select(literal("unit"), Unit.id, Unit.title, AwardingBody.id, AwardingBody.name, no_flag)
        .join(AwardingBody)
        .where(used(Enrolment.unit_id == Unit.id)),
        select(
            literal("qualification"), Qualification.id, Qualification.title, nothing, no_text,
            no_flag,
        ).where(used(Enrolment.qualification_id == Qualification.id)),
        # Staff are few and learners many: each member of staff is looked up in the
        # enrolments' assessor index, rather than every enrolment read for its assessor.
        # The roles are written into the SQL, so that a plan made once knows how few match.
        select(literal("assessor"), User.id, User.name, nothing, no_text, User.new_assessor).where(
            User.role.in_(bindparam("staff_roles", STAFF_ROLES, literal_execute=True)),
            User.provider_id == PROVIDER,
            select(Enrolment.id).where(Enrolment.assessor_id == User.id).exists(),
        ),
    )


# The provider's one row of what its pages read with every figure: the version of its
# filters' options, its marking target, its days without activity that put a learner at
# risk, and its sampling plan. The filters' options and the settings (``workload.settings``)
# each add it to a page's reads, which send it once.
PROVIDER_ROW = (
    select(Provider.filter_options_version, Provider.marking_target_days,
           Provider.inactive_days, SamplingPlan.period_days, SamplingPlan.share_percent,
           SamplingPlan.new_assessor_share_percent)
    .outerjoin(SamplingPlan, SamplingPlan.provider_id == Provider.id)
    .where(Provider.id == PROVIDER)
)  # fmt: skip

# Each provider's filter options as this process last read them, with their version: a
# page reads the version with its figures, and the options themselves only if it differs.
# The version changes in the transaction of any change to the options, so the options a
# page shows are never older than what it read. At most KEPT_PROVIDERS are kept.
_kept: dict[int, tuple[str, Mapping]] = {}
_keeping = Lock()
KEPT_PROVIDERS = 256


def filter_options(provider_id: int, reads: Reads | None = None) -> Callable[[], Mapping]:
    """The provider's cohorts, units, qualifications, awarding bodies and assessors that the
    filters may name, each as (id, label), units also with their awarding body; and the ids
    of the assessors who are new to assessing. Not to be changed: pages share them."""
    reads = reads or Reads()
    params = {"provider_id": provider_id}
    version = reads.add(PROVIDER_ROW, params)
    kept = _kept.get(provider_id)
    rows = None if kept else reads.add(_options_statement(), params)

    def options() -> Mapping:
        found = version()
        current = found[0][0] if found else None
        if kept is not None and current and kept[0] == current:
            return kept[1]
        fresh = _options(rows() if rows else Reads().add(_options_statement(), params)())
        if current:  # a row written by other means than the app, with no version: never kept
            with _keeping:
                if len(_kept) >= KEPT_PROVIDERS:
                    _kept.pop(next(iter(_kept)), None)  # the one kept longest
                _kept[provider_id] = (current, fresh)
        return fresh

    return options


def _options(rows: list[tuple]) -> MappingProxyType:
    found: dict[str, list] = {"cohort": [], "unit": [], "qualification": [], "assessor": []}
    new_assessors = set()
    for kind, id_, label, body_id, body, new in rows:
        found[kind].append((id_, label, body, body_id) if kind == "unit" else (id_, label))
        if new:
            new_assessors.add(id_)
    units = tuple(sorted(found["unit"], key=lambda u: (u[2], u[1])))
    return MappingProxyType({
        "cohorts": tuple(sorted(found["cohort"], key=lambda c: c[1])),
        "units": units,
        "qualifications": tuple(sorted(found["qualification"], key=lambda q: q[1])),
        "assessors": tuple(sorted(found["assessor"], key=lambda a: a[1])),
        "awarding_bodies": tuple(sorted({(u[3], u[2]) for u in units}, key=lambda b: b[1])),
        "new_assessors": frozenset(new_assessors),
    })  # fmt: skip
