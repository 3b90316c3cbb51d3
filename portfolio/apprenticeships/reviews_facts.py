"""What changed since the last progress review: gathered when a review is started (or
refreshed while a draft), kept on it as JSON and signed with it."""

from datetime import date, datetime

from sqlalchemy import func, select

from portfolio.apprenticeships import hours
from portfolio.apprenticeships.hours_models import EntryStatus, OtjEntry
from portfolio.apprenticeships.reviews_models import ProgressReview
from portfolio.dates import local_today
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import EvidenceItem
from portfolio.progress.models import MET, CriterionState
from portfolio.units.models import Criterion

# How many titles of accepted or returned evidence a review lists; the counts are whole.
TITLES_SHOWN = 25


def today_for(enrolment: Enrolment) -> date:
    """Today in the provider's time zone."""
    return local_today(enrolment.provider.time_zone)


def _hours_facts(enrolment: Enrolment, start: date, today: date) -> dict | None:
    """Off-the-job hours against the plan, and those of the period, for an apprenticeship."""
    figures = hours.figures(enrolment, today)
    if figures.planned is None:
        return None
    period = dict(
        db.session.execute(
            select(OtjEntry.status, func.coalesce(func.sum(OtjEntry.minutes), 0))
            .where(OtjEntry.enrolment_id == enrolment.id, OtjEntry.on > start,
                   OtjEntry.on <= today)
            .group_by(OtjEntry.status)
        ).all()
    )  # fmt: skip

    def hrs(value: float) -> float:
        return round(value, 2)

    return {
        "planned": hrs(figures.planned),
        "due": hrs(figures.due or 0),
        "logged": hrs(figures.logged),
        "verified": hrs(figures.verified),
        "awaiting": hrs(figures.awaiting),
        "rag": figures.rag,
        "period_verified": hrs(int(period.get(EntryStatus.VERIFIED, 0)) / 60),
        "period_logged": hrs(
            (int(period.get(EntryStatus.VERIFIED, 0)) + int(period.get(EntryStatus.AWAITING, 0)))
            / 60
        ),
    }


def _decisions_since(enrolment_id: int, since: datetime | None, until: datetime) -> dict:
    """The items accepted and returned by decisions in the period, with their counts."""
    from portfolio.assessment.models import Decision, Outcome

    query = (
        select(Decision.outcome, EvidenceItem.title, Decision.decided_at)
        .join(EvidenceItem, EvidenceItem.id == Decision.item_id)
        .where(Decision.enrolment_id == enrolment_id, Decision.decided_at <= until)
        .order_by(Decision.decided_at, Decision.id)
    )
    if since is not None:
        query = query.where(Decision.decided_at > since)
    out = {Outcome.ACCEPTED: [], Outcome.RETURNED: []}
    for row in db.session.execute(query):
        out[row.outcome].append({"title": row.title, "on": row.decided_at.date().isoformat()})
    return {
        "accepted": len(out[Outcome.ACCEPTED]),
        "accepted_titles": out[Outcome.ACCEPTED][-TITLES_SHOWN:],
        "returned": len(out[Outcome.RETURNED]),
        "returned_titles": out[Outcome.RETURNED][-TITLES_SHOWN:],
    }


def gather_facts(enrolment: Enrolment, previous: ProgressReview | None) -> dict:
    """What changed since ``previous`` (or since the start): the criteria met since, the
    evidence accepted and returned since, the off-the-job hours against the plan, and the
    previous review's targets as they were left. JSON, kept on the review as signed."""
    now, today = utcnow(), today_for(enrolment)
    start = previous.held_on if previous else enrolment.starts_on
    before = set(previous.facts.get("met_ids", [])) if previous else set()
    met = db.session.execute(
        select(Criterion.id, Criterion.number, Criterion.text)
        .where(Criterion.id.in_(
            select(CriterionState.criterion_id).where(CriterionState.enrolment_id == enrolment.id,
                                                      CriterionState.state == MET)))
        .order_by(Criterion.position)
    ).all()  # fmt: skip
    total = db.session.scalar(
        select(func.count()).where(Criterion.criteria_set_id == enrolment.criteria_set_id)
    )
    since = datetime.fromisoformat(previous.facts["gathered_at"]) if previous else None
    return {
        "gathered_at": now.isoformat(),
        "period": {"from": start.isoformat(), "to": today.isoformat()},
        "met_ids": [c.id for c in met],
        "criteria_total": total,
        "criteria_met_total": len(met),
        "criteria_met": [{"number": c.number, "text": c.text} for c in met if c.id not in before],
        "evidence": _decisions_since(enrolment.id, since, now),
        "hours": _hours_facts(enrolment, start, today),
        "previous_targets": [
            {
                "text": t.text,
                "due_on": t.due_on.isoformat() if t.due_on else None,
                "state": t.state.value,
            }
            for t in (previous.targets if previous else [])
        ],  # fmt: skip
    }


def readable_facts(facts: dict) -> dict:
    """The facts with their ISO dates as dates, for the pages and the PDF."""

    def day(value):
        return date.fromisoformat(value) if value else None

    evidence = facts["evidence"]
    return {
        **facts,
        "period": {"from": day(facts["period"]["from"]), "to": day(facts["period"]["to"])},
        "evidence": {
            **evidence,
            "accepted_titles": [{**i, "on": day(i["on"])} for i in evidence["accepted_titles"]],
            "returned_titles": [{**i, "on": day(i["on"])} for i in evidence["returned_titles"]],
        },
        "previous_targets": [{**t, "due_on": day(t["due_on"])} for t in facts["previous_targets"]],
    }
