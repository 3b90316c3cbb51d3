"""The figures of the caseload and the provider dashboard, each one aggregate query.

Everything is filtered the same way (cohort, qualification, awarding body, unit, assessor)
and scoped to the viewer's provider. No query here runs once per learner: each reads the
progress rows that ``portfolio.progress.refresh`` keeps per enrolment.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    Date,
    Float,
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
from werkzeug.exceptions import BadRequest

from portfolio.accounts.models import Role, User
from portfolio.apprenticeships.hours import AMBER_SHARE as OTJ_AMBER_SHARE
from portfolio.apprenticeships.hours import rag as otj_rag
from portfolio.assessment.models import Decision, Sample
from portfolio.db import UTCDateTime, db, utcnow
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
        """The filters an address names; an empty one is no filter, and one that is not an
        id (``?cohort=abc``, ``-1``) is refused with 400 rather than ignored, so that no
        page or download silently shows everyone in place of what was asked."""
        chosen = {}
        for name in FILTERS:
            given = args.get(name, "").strip()
            chosen[name] = whole_number(given)
            if given and chosen[name] is None:
                raise BadRequest(f"The {name.replace('_', ' ')} filter “{given[:40]}” is not one of "
                                 "the list's choices: choose it from the list on the page.")  # fmt: skip
        return cls(**chosen)

    def args(self, **extra) -> dict:
        """The filters set, as an address's arguments, with ``extra`` after them; an extra
        given as None leaves that argument out (a filter among them)."""
        out = {name: getattr(self, name) for name in self.chosen()}
        for name, value in extra.items():
            if value is None:
                out.pop(name, None)
            else:
                out[name] = value
        return out

    def chosen(self) -> tuple[str, ...]:
        return tuple(name for name in FILTERS if getattr(self, name))


def filtered(query: Select, filters: Filters, provider_id: int, table=Enrolment) -> Select:
    """The query scoped to the provider and narrowed by the filters, on the columns of
    ``table``: the enrolment's own, or the copies a progress table keeps of them."""
    query = query.where(table.provider_id == provider_id)
    for name in filters.chosen():
        value = getattr(filters, name)
        if name == "awarding_body":
            bodies_units = select(Unit.id).where(Unit.awarding_body_id == value)
            query = query.where(table.unit_id.in_(bodies_units))
        else:
            query = query.where(getattr(table, f"{name}_id") == value)
    return query


def base_query(filters: Filters, provider_id: int) -> Select:
    """The learners the filters select, from their progress rows alone."""
    return filtered(select().select_from(EnrolmentProgress), filters, provider_id, EnrolmentProgress)


def amber_inactive_days(inactive_days: int) -> int:
    """Days without activity that make a learner amber: two thirds of the provider's
    at-risk days (14 of the default 21)."""
    return inactive_days * 2 // 3


BUCKETS = [
    ("0-24%", 0.0, 0.25),
    ("25-49%", 0.25, 0.5),
    ("50-74%", 0.5, 0.75),
    ("75-99%", 0.75, 1.0),
]
BUCKET_LABELS = (*(name for name, _lo, _hi in BUCKETS), "100%")
FORECASTS = ("complete", "past planned end", "behind plan", "on track")
# Behind on off-the-job hours: red by the hours log's rule (hours.RAG_RULE).
BEHIND_ON_HOURS = "behind on off-the-job hours"
RISKS = ("inactive", "behind plan", "returned twice or more", BEHIND_ON_HOURS)
# Each risk's column in the statements that count or flag them.
RISK_COLUMNS = dict(
    zip(RISKS, ("inactive", "behind_plan", "returned_twice", "behind_on_hours"), strict=True)
)
# An apprenticeship whose progress review is overdue (apprenticeships.reviews_due): counted
# on the dashboard apart from the other risks, and listed and flagged with them.
REVIEW_OVERDUE = "progress review overdue"
LISTED_RISKS = (*RISKS, REVIEW_OVERDUE)
# The learners behind the dashboard's count of units signed off, and behind an assessor's
# count of evidence awaiting marking.
SIGNED_OFF = "signed off"
UNDER_REVIEW = "under IQA review"
AWAITING_MARKING = "awaiting marking"
# The learners behind an IQA coverage row's counts: those with evidence the assessor decided
# on (or with such a decision sampled) in the sampling period, on the row's unit.
DECIDED, SAMPLED = "decided", "sampled"


class Measures:
    """Where each learner stands, as SQL expressions on their progress row: the share of
    criteria met, the progress bucket and the forecast (as their index in BUCKET_LABELS and
    FORECASTS: a small integer costs the database less to compare and group by than a
    label), and each risk.

    Today, the time now and the provider's days without activity that put a learner at risk
    are the statement's parameters, given as it runs (``values``). So the expressions are
    built once, by the one ``MEASURES``, when a statement first uses each: building them
    anew took a statement longer than running it (docs/performance.md)."""

    def __init__(self):
        self.today = bindparam("today", type_=Date)
        self.now = bindparam("now", type_=UTCDateTime)
        self.inactive_after = bindparam("inactive_after", type_=Integer)

    @staticmethod
    def values(today: date, inactive_days: int) -> dict:
        """The parameters of a statement that uses the measures."""
        return {"today": today, "now": utcnow(), "inactive_after": inactive_days}

    @cached_property
    def share(self):
        progress = EnrolmentProgress
        # Divided as floating point: dividing by an integer, SQLAlchemy would make
        # PostgreSQL divide in NUMERIC, which costs it more than the rest of the summary.
        return func.coalesce(
            cast(progress.criteria_met, Float)
            / func.nullif(progress.criteria_total, 0, type_=Float),
            0.0,
        )

    @cached_property
    def paused_now(self):
        """On a break in learning today."""
        progress = EnrolmentProgress
        return and_(progress.break_since.is_not(None), progress.break_since <= self.today)

    @cached_property
    def paused_days(self):
        """Days of breaks in learning up to today, which expected progress leaves out (and by
        which the planned end moves on): those ended, and today's so far
        (portfolio.apprenticeships.breaks)."""
        progress = EnrolmentProgress
        ongoing = case(
            (self.paused_now, days_between(progress.break_since, self.today) + 1), else_=0.0
        )
        return progress.break_days + ongoing

    @cached_property
    def behind_plan(self):
        """The met share more than BEHIND_MARGIN below the share of planned time passed,
        breaks in learning left out. That share is capped at 1; as the met share is never
        negative, comparing with the raw share and with 1 is the same test."""
        progress = EnrolmentProgress
        span = func.nullif(days_between(progress.starts_on, progress.planned_end_on), 0,
                           type_=Float)  # fmt: skip
        passed = days_between(progress.starts_on, self.today) - self.paused_days
        elapsed = func.coalesce(passed / span, 1.0)
        lagging = self.share + BEHIND_MARGIN
        return and_(lagging < elapsed, lagging < 1.0)

    @cached_property
    def otj_due_minutes(self):
        """Off-the-job minutes due by today: the planned minutes shared evenly over the
        programme's days, the days of breaks in learning left out of those passed (so that the
        planned end moves on by them), as ``hours.figures`` shares them (all of them from the
        planned end so moved on); None without a plan."""
        progress = EnrolmentProgress
        whole = days_between(progress.starts_on, progress.planned_end_on) + 1
        so_far = days_between(progress.starts_on, self.today) + 1 - self.paused_days
        share = case(
            (so_far >= whole, 1.0),
            (progress.starts_on > self.today, 0.0),
            else_=func.coalesce(so_far / func.nullif(whole, 0, type_=Float), 1.0),
        )
        return progress.otj_planned_minutes * share

    @cached_property
    def behind_on_hours(self):
        """Red by the hours log's rule: verified below AMBER_SHARE of the hours due."""
        progress = EnrolmentProgress
        return and_(
            progress.otj_planned_minutes.is_not(None),
            progress.otj_verified_minutes < OTJ_AMBER_SHARE * self.otj_due_minutes,
        )

    @cached_property
    def bucket(self):
        share = self.share
        return case(
            (share >= 1.0, len(BUCKETS)),
            *((share >= lo, code) for code, (_name, lo, _hi) in reversed(list(enumerate(BUCKETS)))
              if code),
            else_=0,
        )  # fmt: skip

    @cached_property
    def forecast(self):
        progress = EnrolmentProgress
        return case(
            # Complete: countersigned, and not under IQA review (a decision sent back since).
            (and_(progress.countersigned.is_(True), progress.under_review.is_not(True)), 0),
            # Past the planned end moved on by the breaks.
            (
                and_(
                    progress.planned_end_on < self.today,
                    self.share < 1.0,
                    days_between(progress.planned_end_on, self.today) > self.paused_days,
                ),
                1,
            ),
            (self.behind_plan, 2),
            else_=3,
        )

    @cached_property
    def risks(self) -> dict:
        progress = EnrolmentProgress
        return {
            # No one is expected to be active on a break in learning.
            "inactive": and_(
                or_(
                    progress.last_activity_at.is_(None),
                    self.inactive_days > self.inactive_after,
                ),
                ~self.paused_now,
            ),
            "behind plan": and_(self.behind_plan, progress.countersigned.is_not(True)),
            "returned twice or more": progress.items_returned_twice > 0,
            BEHIND_ON_HOURS: self.behind_on_hours,
        }

    @cached_property
    def review_overdue(self):
        """An apprenticeship's next progress review was due before today."""
        return EnrolmentProgress.review_due_on < self.today

    @cached_property
    def inactive_days(self):
        return days_between(EnrolmentProgress.last_activity_at, self.now)

    @cached_property
    def oldest_awaiting_days(self):
        return days_between(EnrolmentProgress.oldest_awaiting_at, self.now)


MEASURES = Measures()


def _code(label: str | None, labels: tuple[str, ...]) -> int | None:
    """A label's index, for comparing with the expressions above; -1 (no learner) for an
    unknown one, None for none."""
    if not label:
        return None
    return labels.index(label) if label in labels else -1


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
    under_review: int = 0  # countersigned, with a sampled decision sent back since
    average_met: float = 0.0
    distribution: dict[str, int] = field(default_factory=dict)
    forecast: dict[str, int] = field(default_factory=dict)
    risks: dict[str, int] = field(default_factory=dict)
    reviews_overdue: int = 0  # apprenticeships with a progress review overdue
    caseloads: dict[int, Caseload] = field(default_factory=dict)  # by assessor


def summary(filters: Filters, provider_id: int, today: date, inactive_days: int) -> Summary:
    """Learners, completion, the progress distribution, the forecast and the risks, and
    each assessor's caseload (for the workload table): counted in one pass over the
    learners, grouped by assessor as well and added up here."""
    progress, measures = EnrolmentProgress, MEASURES
    statement = (
        base_query(filters, provider_id)
        .add_columns(
            measures.bucket.label("bucket"),
            measures.forecast.label("forecast"),
            progress.assessor_id,
            func.count().label("learners"),
            func.count().filter(progress.countersigned.is_(True),
                                progress.under_review.is_not(True)).label("complete"),
            func.count().filter(progress.signed_off.is_(True)).label("signed_off"),
            func.count().filter(progress.under_review.is_(True)).label("under_review"),
            func.sum(measures.share).label("met"),
            *(func.count().filter(condition).label(RISK_COLUMNS[name])
              for name, condition in measures.risks.items()),  # fmt: skip
            func.sum(progress.awaiting_marking).label("awaiting"),
            func.max(measures.oldest_awaiting_days).label("oldest_days"),
            func.count().filter(measures.review_overdue).label("reviews_overdue"),
        )
        # By the labels: the expressions again would double the statement.
        .group_by("bucket", "forecast", progress.assessor_id)
    )
    out = Summary(risks=dict.fromkeys(RISKS, 0))
    share = 0.0
    for row in db.session.execute(statement, Measures.values(today, inactive_days)):
        out.learners += row.learners
        out.complete += row.complete
        out.signed_off += row.signed_off
        out.under_review += row.under_review
        out.reviews_overdue += row.reviews_overdue
        share += float(row.met or 0)
        bucket, forecast = BUCKET_LABELS[row.bucket], FORECASTS[row.forecast]
        out.distribution[bucket] = out.distribution.get(bucket, 0) + row.learners
        out.forecast[forecast] = out.forecast.get(forecast, 0) + row.learners
        for name, column in RISK_COLUMNS.items():
            out.risks[name] += getattr(row, column)
        if row.assessor_id is not None:
            caseload = out.caseloads.setdefault(row.assessor_id, Caseload())
            caseload.learners += row.learners
            caseload.awaiting += int(row.awaiting or 0)
            if row.oldest_days is not None:
                oldest = int(row.oldest_days)
                if caseload.oldest_days is None or oldest > caseload.oldest_days:
                    caseload.oldest_days = oldest
    out.average_met = share / out.learners if out.learners else 0.0
    return out


@dataclass(frozen=True)
class LearnerRow:
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
    # Breaks in learning: the start and reason of one going on today, and the days of
    # breaks so far, which the forecast leaves out.
    break_since: date | None = None
    break_reason: str | None = None
    paused_days: int = 0
    # Off-the-job hours, in minutes: planned (None where not an apprenticeship), logged,
    # verified, and due by today.
    otj_planned: int | None = None
    otj_logged: int = 0
    otj_verified: int = 0
    otj_due: float | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0

    @property
    def otj_rag(self) -> str | None:
        """The off-the-job hours' red, amber or green by the hours log's rule; None without
        a plan."""
        if self.otj_planned is None or self.otj_due is None:
            return None
        return otj_rag(self.otj_planned, self.otj_verified, self.otj_due)

    def rag(self, target_days: int, inactive_days: int) -> str:
        """Red, amber or green by RAG_RULE, given the provider's marking target and its
        days without activity that put a learner at risk."""
        behind = self.forecast in ("behind plan", "past planned end")
        # No one is expected to be active on a break in learning.
        inactive = 0 if self.break_since else (self.inactive_days or 0)
        if inactive >= inactive_days or (self.oldest_awaiting_days or 0) > target_days * 7 // 5:
            return "red"
        if self.forecast == "past planned end":
            return "red"
        if (
            inactive >= amber_inactive_days(inactive_days)
            or behind
            or "returned twice or more" in self.risks
        ):
            return "amber"
        return "green"


def _whole(days: float | None) -> int | None:
    return int(days) if days is not None else None


def learner_rows(filters: Filters, provider_id: int, today: date, inactive_days: int, *,
                 risk: str | None = None,
                 bucket: str | None = None, forecast: str | None = None, lacking: int | None = None,
                 status: str | None = None, evidence: str | None = None,
                 decided_by: int | None = None, sampled_by: int | None = None,
                 sampling_since: datetime | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[int, list[LearnerRow]]:  # fmt: skip
    """Learners behind a figure, a page at a time, with everything a row shows, and how many
    there are in all. ``status`` may be SIGNED_OFF or UNDER_REVIEW, and ``evidence`` AWAITING_MARKING;
    ``decided_by`` and ``sampled_by`` name an assessor whose decisions since
    ``sampling_since`` (those sampled, for ``sampled_by``) were on the learners' evidence.
    ``inactive_days`` is the provider's days without activity that put a learner at risk."""
    progress, measures = EnrolmentProgress, MEASURES
    query = base_query(filters, provider_id)
    if risk == REVIEW_OVERDUE:
        query = query.where(measures.review_overdue)
    if status == SIGNED_OFF:
        query = query.where(progress.signed_off.is_(True))
    elif status == UNDER_REVIEW:
        query = query.where(progress.under_review.is_(True))
    if evidence == AWAITING_MARKING:  # the only evidence a figure names
        query = query.where(progress.awaiting_marking > 0)
    if risk in RISKS:
        query = query.where(measures.risks[risk])
    if bucket:
        query = query.where(measures.bucket == _code(bucket, BUCKET_LABELS))
    if forecast:
        query = query.where(measures.forecast == _code(forecast, FORECASTS))
    if lacking:
        lacked = select(CriterionState.enrolment_id).where(
            CriterionState.criterion_id == lacking, CriterionState.state != MET
        )
        query = query.where(progress.enrolment_id.in_(lacked))
    if decided_by or sampled_by:
        decided = select(Decision.id).where(
            Decision.enrolment_id == progress.enrolment_id,
            Decision.assessor_id == (sampled_by or decided_by),
            Decision.unit_id == progress.unit_id,
            Decision.decided_at >= sampling_since,
        )
        if sampled_by:
            decided = decided.where(select(Sample.id).where(Sample.decision_id == Decision.id).exists())
        query = query.where(decided.exists())
    # The assessor's name looked up by id: User is the learner in this query.
    assessor = select(User.name).where(User.id == progress.assessor_id).correlate_except(User)
    page = (
        query.join(Enrolment, Enrolment.id == progress.enrolment_id)
        .join(User, Enrolment.learner_id == User.id)
        .join(Unit, progress.unit_id == Unit.id)
        .join(AwardingBody, Unit.awarding_body_id == AwardingBody.id)
        .outerjoin(Cohort, progress.cohort_id == Cohort.id)
        .add_columns(
            progress.enrolment_id,
            User.name.label("learner"),
            Unit.title.label("unit"),
            AwardingBody.name.label("awarding_body"),
            Cohort.name.label("cohort"),
            assessor.scalar_subquery().label("assessor"),
            progress.criteria_met,
            progress.criteria_total,
            progress.awaiting_marking,
            measures.oldest_awaiting_days.label("oldest_awaiting_days"),
            measures.inactive_days.label("inactive_days"),
            progress.planned_end_on,
            measures.forecast.label("forecast"),
            case((measures.paused_now, progress.break_since)).label("break_since"),
            case((measures.paused_now, progress.break_reason)).label("break_reason"),
            measures.paused_days.label("paused_days"),
            progress.otj_planned_minutes,
            progress.otj_logged_minutes,
            progress.otj_verified_minutes,
            measures.otj_due_minutes.label("otj_due_minutes"),
            *(case((condition, True), else_=False).label(RISK_COLUMNS[name])
              for name, condition in measures.risks.items()),  # fmt: skip
            case((measures.review_overdue, True), else_=False).label("review_overdue"),
            func.count().over().label("total"),  # how many in all, so a page needs no count
        )
        .order_by(User.name, progress.enrolment_id)
        .limit(limit)
        .offset(offset)
    )
    values = Measures.values(today, inactive_days)
    rows = db.session.execute(page, values).all()
    if rows:
        total = rows[0].total
    elif offset:  # past the last page: counted on its own
        total = db.session.scalar(query.add_columns(func.count()), values)
    else:
        total = 0
    return total, [
        LearnerRow(
            enrolment_id=r.enrolment_id, learner=r.learner, unit=r.unit,
            awarding_body=r.awarding_body, cohort=r.cohort, assessor=r.assessor,
            met=r.criteria_met, total=r.criteria_total, awaiting=r.awaiting_marking,
            oldest_awaiting_days=_whole(r.oldest_awaiting_days),
            inactive_days=_whole(r.inactive_days), planned_end_on=r.planned_end_on,
            forecast=FORECASTS[r.forecast],
            risks=tuple(name for name, column in RISK_COLUMNS.items() if getattr(r, column))
            + ((REVIEW_OVERDUE,) if r.review_overdue else ()),
            break_since=r.break_since, break_reason=r.break_reason, paused_days=_whole(r.paused_days) or 0,
            otj_planned=r.otj_planned_minutes, otj_logged=r.otj_logged_minutes,
            otj_verified=r.otj_verified_minutes,
            otj_due=None if r.otj_due_minutes is None else float(r.otj_due_minutes),
        )  # fmt: skip
        for r in rows
    ]


@dataclass(frozen=True)
class CriterionGap:
    criterion_id: int
    unit: str
    awarding_body: str
    number: str
    text: str
    learners: int
    lacking: int


def criterion_gaps(filters: Filters, provider_id: int) -> list[CriterionGap]:
    """Per criterion: learners on its unit and how many still lack it, most lacked first."""
    # Counted per criterion first, then named: grouping by the criterion's text is slow.
    counts = (
        filtered(
            select(
                CriterionState.criterion_id,
                CriterionState.unit_id,
                func.count().label("learners"),
                func.sum(case((CriterionState.state != MET, 1), else_=0)).label("lacking"),
            ),
            filters,
            provider_id,
            CriterionState,
        )
        .group_by(CriterionState.criterion_id, CriterionState.unit_id)
        .subquery()
    )
    statement = (
        select(
            Criterion.id.label("criterion_id"),
            Unit.title.label("unit"),
            AwardingBody.name.label("awarding_body"),
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
    gaps = [
        CriterionGap(r.criterion_id, r.unit, r.awarding_body, r.number, r.text, r.learners,
                     int(r.lacking or 0))  # fmt: skip
        for r in db.session.execute(statement)
    ]
    return sorted(gaps, key=lambda g: (-g.lacking / max(g.learners, 1), g.awarding_body, g.number))


@dataclass(frozen=True)
class HeatRow:
    enrolment_id: int
    name: str
    states: list[int | None]  # in the criteria's order; None where the learner has none


@dataclass(frozen=True)
class Heatmap:
    criteria: list[tuple[int, str]]  # id and number, in the unit's order
    rows: list[HeatRow]


def heatmap(filters: Filters, provider_id: int, unit_id: int, limit: int = 40,
            offset: int = 0) -> Heatmap:  # fmt: skip
    """Learners × criteria of one unit: the criteria, and a page of learners with each
    learner's state on each criterion."""
    versions = select(Enrolment.criteria_set_id).where(
        Enrolment.unit_id == unit_id, Enrolment.provider_id == provider_id
    )
    criteria = db.session.execute(
        select(Criterion.id, Criterion.number)
        .where(Criterion.criteria_set_id.in_(versions))
        .order_by(Criterion.criteria_set_id, Criterion.position)
    ).all()
    page = (
        filtered(select(Enrolment.id, User.name), filters, provider_id)
        .join(User, Enrolment.learner_id == User.id)
        .where(Enrolment.unit_id == unit_id)
        .order_by(User.name, Enrolment.id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    cells = db.session.execute(
        select(page.c.id, page.c.name, CriterionState.criterion_id, CriterionState.state)
        .join(CriterionState, CriterionState.enrolment_id == page.c.id)
        .order_by(page.c.name, page.c.id)
    )
    names: dict[int, str] = {}
    states: dict[int, dict[int, int]] = {}
    for cell in cells:
        names[cell.id] = cell.name
        states.setdefault(cell.id, {})[cell.criterion_id] = cell.state
    rows = [
        HeatRow(enrolment_id, name, [states[enrolment_id].get(c.id) for c in criteria])
        for enrolment_id, name in names.items()
    ]
    return Heatmap([(c.id, c.number) for c in criteria], rows)


# Anyone but a learner may once have been made an assessor, and kept the learners after a
# change of role.
STAFF_ROLES = [role for role in Role if role is not Role.LEARNER]


class Option(NamedTuple):
    """A choice of a dashboard filter: a cohort, a qualification, an awarding body or an
    assessor."""

    id: int
    label: str


class UnitOption(NamedTuple):
    id: int
    label: str  # the unit's title
    awarding_body: str
    awarding_body_id: int


def filter_options(provider_id: int) -> dict:
    """The provider's cohorts, units, qualifications, awarding bodies and assessors that the
    filters may name, each sorted by label (units by awarding body, then title); and the ids
    of the assessors who are new to assessing. One statement: units and qualifications are
    each looked up in the enrolments' indexes (one probe each) rather than gathered from
    every enrolment."""

    def used(condition):
        return select(Enrolment.id).where(condition, Enrolment.provider_id == provider_id).exists()

    nothing, no_text, no_flag = literal(None, Integer), literal(None, String), cast(null(), Boolean)
    statement = union_all(
        select(literal("cohort").label("kind"), Cohort.id.label("id"), Cohort.name.label("label"),
               nothing.label("body_id"), no_text.label("body"), no_flag.label("new_assessor"))
        .where(Cohort.provider_id == provider_id),
        select(literal("unit"), Unit.id, Unit.title, AwardingBody.id, AwardingBody.name, no_flag)
        .join(AwardingBody)
        .where(used(Enrolment.unit_id == Unit.id)),
        select(literal("qualification"), Qualification.id, Qualification.title, nothing, no_text,
               no_flag)
        .where(used(Enrolment.qualification_id == Qualification.id)),
        # Staff are few and learners many: each member of staff is looked up in the
        # enrolments' assessor index, rather than every enrolment read for its assessor.
        select(literal("assessor"), User.id, User.name, nothing, no_text, User.new_assessor)
        .where(User.role.in_(STAFF_ROLES), User.provider_id == provider_id,
               select(Enrolment.id).where(Enrolment.assessor_id == User.id).exists()),
    )  # fmt: skip
    found: dict[str, list] = {"cohort": [], "unit": [], "qualification": [], "assessor": []}
    new_assessors = set()
    for row in db.session.execute(statement).all():
        if row.kind == "unit":
            found["unit"].append(UnitOption(row.id, row.label, row.body, row.body_id))
        else:
            found[row.kind].append(Option(row.id, row.label))
        if row.new_assessor:
            new_assessors.add(row.id)
    units = sorted(found["unit"], key=lambda u: (u.awarding_body, u.label))
    bodies = {Option(u.awarding_body_id, u.awarding_body) for u in units}
    return {
        "cohorts": sorted(found["cohort"], key=lambda c: c.label),
        "units": units,
        "qualifications": sorted(found["qualification"], key=lambda q: q.label),
        "assessors": sorted(found["assessor"], key=lambda a: a.label),
        "awarding_bodies": sorted(bodies, key=lambda b: b.label),
        "new_assessors": new_assessors,
    }
