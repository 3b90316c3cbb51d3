"""The assessor's caseload, the provider dashboard, the learners behind each figure, exports."""

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role
from portfolio.apprenticeships import hours
from portfolio.dates import local_today
from portfolio.db import utcnow
from portfolio.listing import PAGE_SIZE, page_number, whole_number
from portfolio.progress import exports, figures, queries, workload
from portfolio.progress.queries import Filters

bp = Blueprint("progress", __name__)


@bp.get("/hello")
def hello():
    """The cheapest page the app serves: the ceiling for benchmarks and a liveness check."""
    return "hello\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/caseload")
@roles_required(Role.ASSESSOR)
def caseload():
    filters = Filters(assessor=current_user.id)
    page = page_number()
    plan = workload.settings(current_user.provider_id)
    total, rows = queries.learner_rows(filters, current_user.provider_id, _today(),
                                       plan.inactive_days, limit=PAGE_SIZE,
                                       offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    return render_template(
        "progress/caseload.html", rows=rows, total=total, page=page, pages=-(-total // PAGE_SIZE),
        settings=plan, rule=_rule(plan), hours_rule=hours.RAG_RULE,
    )  # fmt: skip


def _today() -> date:
    """Today where the signed-in person's provider is: the day its figures count to."""
    return local_today(current_user.provider.time_zone)


def _rule(plan: workload.Settings) -> str:
    return queries.RAG_RULE.format(
        red=plan.inactive_days, amber=queries.amber_inactive_days(plan.inactive_days)
    )


# Each filter's options, by the filter's name.
OPTIONS = {"cohort": "cohorts", "qualification": "qualifications",
           "awarding_body": "awarding_bodies", "unit": "units", "assessor": "assessors"}  # fmt: skip


def _checked(filters: Filters, options: dict) -> None:
    """A filter naming another provider's cohort or person (or none at all) is a 404."""
    for name in queries.FILTERS:
        value = getattr(filters, name)
        if value is not None and value not in {o.id for o in options[OPTIONS[name]]}:
            abort(404)


@bp.get("/dashboard")
@roles_required(Role.ADMIN, Role.IQA, Role.EQA)
def dashboard():
    filters = Filters.from_args(request.args)
    provider_id = current_user.provider_id
    options = queries.filter_options(provider_id)
    _checked(filters, options)
    plan = workload.settings(provider_id)
    today = _today()
    summary = queries.summary(filters, provider_id, today, plan.inactive_days)
    unit = _heat_unit(filters, options)
    names = workload.Names(options)
    decisions = workload.decisions(filters, provider_id, plan, names)
    return render_template(
        "progress/dashboard.html",
        filters=filters,
        options=options,
        summary=summary,
        risks=summary.risks,
        # What is still to teach: the download lists every criterion, met by all or not.
        gaps=[gap for gap in queries.criterion_gaps(filters, provider_id) if gap.lacking],
        heat=queries.heatmap(filters, provider_id, unit) if unit else None,
        heat_unit=unit,
        workload=workload.workload(summary, decisions, names),
        coverage=decisions.coverage,
        target=plan.marking_target_days,
        inactive_days=plan.inactive_days,
        buckets=queries.BUCKET_LABELS,
        forecasts=FORECAST_ORDER,
        awaiting_marking=queries.AWAITING_MARKING,
        signed_off=queries.SIGNED_OFF,
        under_review=queries.UNDER_REVIEW,
        reviews_overdue=summary.reviews_overdue,
        hours_rule=hours.RAG_RULE,
    )


def _heat_unit(filters: Filters, options: dict) -> int | None:
    """The heatmap's unit: the one chosen, or the one unit the provider's learners are on."""
    if filters.unit is None and len(options["units"]) == 1:
        return options["units"][0].id
    return filters.unit


# The forecast table's rows, in the order a reader follows a cohort through.
FORECAST_ORDER = ("on track", "behind plan", "past planned end", "complete")

LEARNER_FIGURES = ("risk", "bucket", "forecast", "lacking", "status", "evidence", "decided_by",
                   "sampled_by")  # fmt: skip
# Figures that name a criterion or a person by id.
ID_FIGURES = ("lacking", "decided_by", "sampled_by")


@bp.get("/dashboard/learners")
@roles_required(Role.ADMIN, Role.IQA, Role.EQA)
def learners():
    filters = Filters.from_args(request.args)
    figure = {k: request.args.get(k) for k in LEARNER_FIGURES if request.args.get(k)}
    for name in ID_FIGURES:
        if name in figure:
            figure[name] = whole_number(figure[name])
            if figure[name] is None:
                abort(400, f'The figure "{name}" must be an id, a whole number.')
    for name, value in figure.items():
        if (why := figures.refusal(name, value)) is not None:
            abort(400, why)
    page = page_number()
    provider_id = current_user.provider_id
    options = queries.filter_options(provider_id)
    _checked(filters, options)
    names = figures.named(figure, provider_id)  # a criterion or a person of another provider: 404
    plan = workload.settings(provider_id)
    if "decided_by" in figure or "sampled_by" in figure:
        # Decisions count over the sampling plan's period, as the coverage table counts them.
        days = plan.sampling_period_days
        figure_args = {**figure, "sampling_since": utcnow() - timedelta(days=days)}
    else:
        days, figure_args = None, figure
    total, rows = queries.learner_rows(filters, provider_id, _today(), plan.inactive_days,
                                       **figure_args,
                                       limit=PAGE_SIZE,
                                       offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    return render_template(
        "progress/learners.html", rows=rows, total=total, page=page, pages=-(-total // PAGE_SIZE),
        filters=filters, figure=figure, heading=figures.heading(figure, names, days, plan.inactive_days),
        chosen=figures.chosen_filters(filters, options), rule=_rule(plan), settings=plan,
        hours_rule=hours.RAG_RULE,
    )  # fmt: skip


TABLES = ("learners", "criteria", "workload", "coverage", "heatmap")
# A heatmap cell's state in a download, as the page's key names it.
HEAT_STATES = {2: "met", 1: "claimed", 0: "not started", None: ""}


@bp.get("/dashboard/export.<fmt>")
@roles_required(Role.ADMIN, Role.IQA, Role.EQA)
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    table = request.args.get("table", "learners")
    if table not in TABLES:
        abort(404)
    filters = Filters.from_args(request.args)
    options = queries.filter_options(current_user.provider_id)
    _checked(filters, options)
    header, rows = _table(table, filters, options)
    name = f"{table}-{_today().isoformat()}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(header, rows), "text/csv"  # Werkzeug adds the charset
    else:
        body = exports.to_xlsx(table, header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})  # fmt: skip


# Off-the-job hours in the learners' download: blank for a learner who is not an apprentice.
OTJ_HEADER = ["Off-the-job hours planned", "Off-the-job hours logged",
              "Off-the-job hours verified", "Off-the-job hours due by today", "Off-the-job RAG"]  # fmt: skip


def _otj_cells(row: queries.LearnerRow) -> list:
    if row.otj_planned is None:
        return [""] * len(OTJ_HEADER)
    minutes = (row.otj_planned, row.otj_logged, row.otj_verified, row.otj_due or 0)
    return [*(round(m / 60, 1) for m in minutes), row.otj_rag]


def _table(table: str, filters: Filters, options: dict):
    provider_id = current_user.provider_id
    if table == "heatmap":
        unit = _heat_unit(filters, options)
        if unit is None:
            abort(400, "The heatmap is of one unit's criteria: choose the unit (unit=...).")
        heat = queries.heatmap(filters, provider_id, unit, limit=100_000)
        return (
            ["Learner", *(number for _id, number in heat.criteria)],
            [[row.name, *(HEAT_STATES[s] for s in row.states)] for row in heat.rows],
        )
    if table == "criteria":
        return (
            ["Awarding body", "Unit", "Criterion", "Text", "Learners", "Still lacking it"],
            [[g.awarding_body, g.unit, g.number, g.text, g.learners, g.lacking]
             for g in queries.criterion_gaps(filters, provider_id)],
        )  # fmt: skip
    plan = workload.settings(provider_id)
    if table == "learners":
        _total, rows = queries.learner_rows(filters, provider_id, _today(), plan.inactive_days,
                                            limit=100_000)  # fmt: skip
        target, inactive = plan.marking_target_days, plan.inactive_days
        return (
            ["Learner", "Unit", "Awarding body", "Cohort", "Assessor", "Criteria met", "Criteria",
             "Per cent met", "Awaiting marking", "Days since activity", "Planned end", "Forecast", "Risks", "RAG",
             *OTJ_HEADER],
            [[r.learner, r.unit, r.awarding_body, r.cohort or "", r.assessor or "", r.met, r.total, r.percent,
              r.awaiting, r.inactive_days, r.planned_end_on.isoformat(), r.forecast, "; ".join(r.risks),
              r.rag(target, inactive), *_otj_cells(r)] for r in rows],
        )  # fmt: skip
    names = workload.Names(options)
    counted = workload.decisions(filters, provider_id, plan, names)
    if table == "workload":
        summary = queries.summary(filters, provider_id, _today(), plan.inactive_days)
        rows = workload.workload(summary, counted, names)
        return (
            ["Assessor", "Learners", "Awaiting marking", "Oldest item (days)", "Average marking (working days)"],
            [[w.name, w.learners, w.queue, w.oldest_days, round(w.average_marking_days, 1)
              if w.average_marking_days is not None else None] for w in rows],
        )  # fmt: skip
    return (
        ["Assessor", "New assessor", "Awarding body", "Unit", "Decisions", "Sampled", "Sampled %", "Plan %",
         "Plan"],
        [[c.name, "yes" if c.new_assessor else "no", c.awarding_body, c.unit, c.decisions, c.sampled,
          c.percent, c.share, "met" if c.met else "short"] for c in counted.coverage],
    )  # fmt: skip
