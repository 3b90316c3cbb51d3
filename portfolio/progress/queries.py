"""The figures of the caseload and the provider dashboard, each one aggregate query.

Everything is filtered the same way (cohort, qualification, awarding body, unit, assessor)
and scoped to the viewer's provider. No query here runs once per learner.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date as SADate
from sqlalchemy import Select, and_, case, cast, func, literal, or_, select

from portfolio.accounts.models import User
from portfolio.assessment.models import Decision, Sample, SamplingPlan
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.progress.models import MET, CriterionState, EnrolmentProgress
from portfolio.progress.sql import days_between
from portfolio.units.models import AwardingBody, Criterion, Qualification, Unit

# The rules, written once: the pages print them.
INACTIVE_DAYS = 21
AMBER_INACTIVE_DAYS = 14
BEHIND_MARGIN = 0.10  # behind plan: met share more than 10 points below time elapsed
RAG_RULE = (
    "Red: no activity for {red} days or more, evidence waiting longer than the marking target, "
    "or more than 25 points behind plan. Amber: no activity for {amber} days, more than 10 "
    "points behind plan, or an item returned twice. Green: otherwise."
)


@dataclass(frozen=True)
class Filters:
    cohort: int | None = None
    qualification: int | None = None
    awarding_body: int | None = None
    unit: int | None = None
    assessor: int | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        def number(name):
            value = args.get(name, "")
            return int(value) if value.isdigit() else None

        return cls(
            *(number(n) for n in ("cohort", "qualification", "awarding_body", "unit", "assessor"))
        )

    def args(self, **extra) -> dict:
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        out.update({k: v for k, v in extra.items() if v is not None})
        return out

    def apply(self, query: Select, provider_id: int) -> Select:
        query = query.where(Enrolment.provider_id == provider_id)
        if self.cohort:
            query = query.where(Enrolment.cohort_id == self.cohort)
        if self.qualification:
            query = query.where(Enrolment.qualification_id == self.qualification)
        if self.unit:
            query = query.where(Enrolment.unit_id == self.unit)
        if self.assessor:
            query = query.where(Enrolment.assessor_id == self.assessor)
        if self.awarding_body:
            query = query.where(
                Enrolment.unit_id.in_(
                    select(Unit.id).where(Unit.awarding_body_id == self.awarding_body)
                )
            )
        return query


def met_share():
    return func.coalesce(
        cast(EnrolmentProgress.criteria_met, db.Float)
        / func.nullif(EnrolmentProgress.criteria_total, 0),
        0.0,
    )


def elapsed_share(today: date):
    """Share of the planned time that has passed, from 0 to 1."""
    span = func.nullif(days_between(Enrolment.starts_on, Enrolment.planned_end_on), 0)
    elapsed = days_between(Enrolment.starts_on, cast(literal(today.isoformat()), SADate))
    raw = func.coalesce(elapsed / span, 1.0)
    return case((raw < 0, 0.0), (raw > 1, 1.0), else_=raw)


def _base(filters: Filters, provider_id: int) -> Select:
    return filters.apply(
        select()
        .select_from(Enrolment)
        .outerjoin(EnrolmentProgress, EnrolmentProgress.enrolment_id == Enrolment.id),
        provider_id,
    )


BUCKETS = [
    ("0-24%", 0.0, 0.25),
    ("25-49%", 0.25, 0.5),
    ("50-74%", 0.5, 0.75),
    ("75-99%", 0.75, 1.0),
]


def bucket_expression():
    share = met_share()
    whens = [(share >= 1.0, "100%")] + [
        (and_(share >= lo, share < hi), name) for name, lo, hi in BUCKETS
    ]
    return case(*whens, else_="0-24%")


def forecast_expression(today: date):
    share, elapsed = met_share(), elapsed_share(today)
    past_end = Enrolment.planned_end_on < today
    return case(
        (EnrolmentProgress.countersigned.is_(True), "complete"),
        (and_(past_end, share < 1.0), "past planned end"),
        (share + BEHIND_MARGIN < elapsed, "behind plan"),
        else_="on track",
    )


@dataclass
class Summary:
    learners: int = 0
    complete: int = 0
    signed_off: int = 0
    average_met: float = 0.0
    distribution: dict[str, int] = field(default_factory=dict)
    forecast: dict[str, int] = field(default_factory=dict)


def summary(filters: Filters, provider_id: int, today: date) -> Summary:
    row = db.session.execute(
        _base(filters, provider_id).add_columns(
            func.count(Enrolment.id),
            func.coalesce(
                func.sum(case((EnrolmentProgress.countersigned.is_(True), 1), else_=0)), 0
            ),
            func.coalesce(func.sum(case((EnrolmentProgress.signed_off.is_(True), 1), else_=0)), 0),
            func.coalesce(func.avg(met_share()), 0.0),
        )
    ).one()
    bucket = bucket_expression().label("bucket")
    distribution = dict(
        db.session.execute(
            _base(filters, provider_id).add_columns(bucket, func.count()).group_by(bucket)
        ).all()
    )
    forecast = forecast_expression(today).label("forecast")
    forecasts = dict(
        db.session.execute(
            _base(filters, provider_id).add_columns(forecast, func.count()).group_by(forecast)
        ).all()
    )
    return Summary(row[0], row[1], row[2], float(row[3] or 0), distribution, forecasts)


def risk_expressions(today: date):
    now = utcnow()
    inactive = or_(
        EnrolmentProgress.last_activity_at.is_(None),
        EnrolmentProgress.last_activity_at < now - timedelta(days=INACTIVE_DAYS),
    )
    behind = and_(
        met_share() + BEHIND_MARGIN < elapsed_share(today),
        EnrolmentProgress.countersigned.is_not(True),
    )
    returned = EnrolmentProgress.items_returned_twice > 0
    return {"inactive": inactive, "behind plan": behind, "returned twice or more": returned}


def risk_counts(filters: Filters, provider_id: int, today: date) -> dict[str, int]:
    risks = risk_expressions(today)
    row = db.session.execute(
        _base(filters, provider_id).add_columns(
            *(func.coalesce(func.sum(case((expr, 1), else_=0)), 0) for expr in risks.values())
        )
    ).one()
    return dict(zip(risks, row, strict=True))


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

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0

    def rag(self, target_days: int) -> str:
        behind = self.forecast in ("behind plan", "past planned end")
        if (self.inactive_days or 0) >= INACTIVE_DAYS or (
            self.oldest_awaiting_days or 0
        ) > target_days * 7 // 5:
            return "red"
        if self.forecast == "past planned end":
            return "red"
        if (
            (self.inactive_days or 0) >= AMBER_INACTIVE_DAYS
            or behind
            or "returned twice or more" in self.risks
        ):
            return "amber"
        return "green"


def learner_rows(filters: Filters, provider_id: int, today: date, *, risk: str | None = None,
                 bucket: str | None = None, forecast: str | None = None, lacking: int | None = None,
                 limit: int = 50, offset: int = 0) -> tuple[int, list[LearnerRow]]:  # fmt: skip
    """Learners behind a figure, a page at a time, with everything a row shows."""
    risks = risk_expressions(today)
    now = utcnow()
    query = (
        _base(filters, provider_id)
        .join(User, Enrolment.learner_id == User.id)
        .join(Unit, Enrolment.unit_id == Unit.id)
        .join(AwardingBody, Unit.awarding_body_id == AwardingBody.id)
        .outerjoin(Cohort, Enrolment.cohort_id == Cohort.id)
    )
    assessor = User.__table__.alias("assessor")
    query = query.outerjoin(assessor, Enrolment.assessor_id == assessor.c.id)
    if risk in risks:
        query = query.where(risks[risk])
    if bucket:
        query = query.where(bucket_expression() == bucket)
    if forecast:
        query = query.where(forecast_expression(today) == forecast)
    if lacking:
        query = query.where(
            Enrolment.id.in_(
                select(CriterionState.enrolment_id).where(
                    CriterionState.criterion_id == lacking, CriterionState.state != MET
                )
            )
        )
    total = db.session.scalar(query.add_columns(func.count(Enrolment.id)))
    rows = db.session.execute(
        query.add_columns(
            Enrolment.id,
            User.name,
            Unit.title,
            AwardingBody.name,
            Cohort.name,
            assessor.c.name,
            func.coalesce(EnrolmentProgress.criteria_met, 0),
            func.coalesce(EnrolmentProgress.criteria_total, 0),
            func.coalesce(EnrolmentProgress.awaiting_marking, 0),
            days_between(EnrolmentProgress.oldest_awaiting_at, literal(now.replace(tzinfo=None))),
            days_between(EnrolmentProgress.last_activity_at, literal(now.replace(tzinfo=None))),
            Enrolment.planned_end_on,
            forecast_expression(today),
            *(case((expr, True), else_=False) for expr in risks.values()),
        )
        .order_by(User.name, Enrolment.id)
        .limit(limit)
        .offset(offset)
    ).all()
    names = list(risks)
    out = []
    for r in rows:
        flags = r[13:]
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
                r[12],
                tuple(n for n, flag in zip(names, flags, strict=True) if flag),
            )  # fmt: skip
        )
    return total, out


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
    query = filters.apply(
        select(
            Criterion.id,
            Unit.title,
            AwardingBody.name,
            Criterion.number,
            Criterion.text,
            func.count(),
            func.sum(case((CriterionState.state != MET, 1), else_=0)),
        )
        .select_from(CriterionState)
        .join(Enrolment, CriterionState.enrolment_id == Enrolment.id)
        .join(Criterion, CriterionState.criterion_id == Criterion.id)
        .join(Unit, Enrolment.unit_id == Unit.id)
        .join(AwardingBody, Unit.awarding_body_id == AwardingBody.id),
        provider_id,
    ).group_by(
        Criterion.id,
        Unit.title,
        AwardingBody.name,
        Criterion.number,
        Criterion.text,
        Criterion.position,
    )
    rows = db.session.execute(query).all()
    gaps = [CriterionGap(*r[:5], r[5], int(r[6] or 0)) for r in rows]
    return sorted(gaps, key=lambda g: (-g.lacking / max(g.learners, 1), g.awarding_body, g.number))


def heatmap(filters: Filters, provider_id: int, unit_id: int, limit: int = 40, offset: int = 0):
    """Learners × criteria of one unit: the criteria, and a page of learners with each state."""
    criteria = db.session.execute(
        select(Criterion.id, Criterion.number)
        .join(Unit, Unit.id == unit_id)
        .where(Criterion.criteria_set_id.in_(
            select(Enrolment.criteria_set_id).where(Enrolment.unit_id == unit_id, Enrolment.provider_id == provider_id)
        ))
        .order_by(Criterion.criteria_set_id, Criterion.position)
    ).all()  # fmt: skip
    page = (
        filters.apply(select(Enrolment.id, User.name), provider_id)
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
    ).all()
    rows: dict[int, dict] = {}
    for enrolment_id, name, criterion_id, state in cells:
        rows.setdefault(enrolment_id, {"name": name, "states": {}})["states"][criterion_id] = state
    return criteria, rows


@dataclass(frozen=True)
class Workload:
    assessor_id: int
    name: str
    learners: int
    queue: int
    oldest_days: int | None
    average_marking_days: float | None


def workload(filters: Filters, provider_id: int) -> list[Workload]:
    now = utcnow().replace(tzinfo=None)
    rows = db.session.execute(
        _base(filters, provider_id)
        .join(User, Enrolment.assessor_id == User.id)
        .add_columns(
            User.id, User.name, func.count(Enrolment.id),
            func.coalesce(func.sum(EnrolmentProgress.awaiting_marking), 0),
            func.max(days_between(EnrolmentProgress.oldest_awaiting_at, literal(now))),
        )
        .group_by(User.id, User.name)
        .order_by(User.name)
    ).all()  # fmt: skip
    since = utcnow() - timedelta(days=90)
    marking = dict(
        db.session.execute(
            _decisions_in(filters, provider_id, since)
            .add_columns(Decision.assessor_id, func.avg(Decision.marking_days))
            .group_by(Decision.assessor_id)
        ).all()
    )
    return [
        Workload(
            r[0],
            r[1],
            r[2],
            int(r[3] or 0),
            int(r[4]) if r[4] is not None else None,
            float(marking[r[0]]) if marking.get(r[0]) is not None else None,
        )  # fmt: skip
        for r in rows
    ]


@dataclass(frozen=True)
class Coverage:
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


def _decisions_in(filters: Filters, provider_id: int, since) -> Select:
    """Decisions of the provider since a time, narrowed by the filters through enrolment ids."""
    query = (
        select()
        .select_from(Decision)
        .where(Decision.provider_id == provider_id, Decision.decided_at >= since)
    )
    if filters.assessor:
        query = query.where(Decision.assessor_id == filters.assessor)
    if filters.unit:
        query = query.where(Decision.unit_id == filters.unit)
    if any((filters.cohort, filters.qualification, filters.awarding_body)):
        enrolments = filters.apply(select(Enrolment.id), provider_id)
        query = query.where(Decision.enrolment_id.in_(enrolments))
    return query


def iqa_coverage(filters: Filters, provider_id: int) -> list[Coverage]:
    plan = db.session.scalar(select(SamplingPlan).where(SamplingPlan.provider_id == provider_id))
    period, share, new_share = (
        (plan.period_days, plan.share_percent, plan.new_assessor_share_percent)
        if plan
        else (90, 25, 50)
    )
    since = utcnow() - timedelta(days=period)
    counts = db.session.execute(
        _decisions_in(filters, provider_id, since)
        .outerjoin(Sample, Sample.decision_id == Decision.id)
        .add_columns(
            Decision.assessor_id, Decision.unit_id, func.count(Decision.id), func.count(Sample.id)
        )
        .group_by(Decision.assessor_id, Decision.unit_id)
    ).all()
    # Names for the few assessors and units counted: two small lookups, not joins per decision.
    assessors = {
        row.id: row
        for row in db.session.execute(
            select(User.id, User.name, User.new_assessor).where(User.id.in_({c[0] for c in counts}))
        )
    }
    units = dict(
        db.session.execute(
            select(Unit.id, Unit.title).where(Unit.id.in_({c[1] for c in counts}))
        ).all()
    )
    rows = [
        Coverage(
            a,
            assessors[a].name,
            assessors[a].new_assessor,
            units.get(u, ""),
            n,
            sampled,
            new_share if assessors[a].new_assessor else share,
        )  # fmt: skip
        for a, u, n, sampled in counts
        if a in assessors
    ]
    return sorted(rows, key=lambda c: (c.name, c.unit))


def filter_options(provider_id: int) -> dict:
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name)
        .where(Cohort.provider_id == provider_id)
        .order_by(Cohort.name)
    ).all()
    used_units = select(Enrolment.unit_id).where(Enrolment.provider_id == provider_id).distinct()
    units = db.session.execute(
        select(Unit.id, Unit.title, AwardingBody.name, AwardingBody.id)
        .join(AwardingBody).where(Unit.id.in_(used_units)).order_by(AwardingBody.name, Unit.title)
    ).all()  # fmt: skip
    used_quals = (
        select(Enrolment.qualification_id).where(Enrolment.provider_id == provider_id).distinct()
    )
    qualifications = db.session.execute(
        select(Qualification.id, Qualification.title)
        .where(Qualification.id.in_(used_quals))
        .order_by(Qualification.title)
    ).all()
    assessors = db.session.execute(
        select(User.id, User.name)
        .where(User.provider_id == provider_id, User.id.in_(
            select(Enrolment.assessor_id).where(Enrolment.provider_id == provider_id).distinct()))
        .order_by(User.name)
    ).all()  # fmt: skip
    bodies = sorted({(u[3], u[2]) for u in units}, key=lambda b: b[1])
    return {"cohorts": cohorts, "units": units, "qualifications": qualifications,
            "assessors": assessors, "awarding_bodies": bodies}  # fmt: skip
