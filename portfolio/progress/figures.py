"""The figures a dashboard links to the learners behind them, in words: what each may be,
and the heading of the list of learners behind it."""

from flask import abort
from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.db import db
from portfolio.progress.queries import (
    AWAITING_MARKING,
    BUCKET_LABELS,
    FORECASTS,
    LISTED_RISKS,
    REVIEW_OVERDUE,
    SIGNED_OFF,
    UNDER_REVIEW,
    Filters,
)
from portfolio.units.models import AwardingBody, CriteriaSet, Criterion, Unit

# The values a figure named by a label may take; anything else is refused (400).
CHOICES = {
    "risk": LISTED_RISKS,
    "bucket": BUCKET_LABELS,
    "forecast": FORECASTS,
    "status": (SIGNED_OFF, UNDER_REVIEW),
    "evidence": (AWAITING_MARKING,),
}

WORDS = {
    "risk": {
        "inactive": "with no activity for {inactive_days} days or more",  # the provider's
        "behind plan": "behind plan",
        "returned twice or more": "with evidence returned twice or more",
        "behind on off-the-job hours": "behind on off-the-job hours",
        REVIEW_OVERDUE: "with a progress review overdue",
    },
    "forecast": {
        "complete": "whose unit is complete (countersigned)",
        "past planned end": "past their planned end date",
        "behind plan": "forecast to finish behind plan",
        "on track": "on track",
    },
    "status": {
        SIGNED_OFF: "whose unit is signed off",
        UNDER_REVIEW: "whose countersigned unit is under IQA review",
    },
    "evidence": {AWAITING_MARKING: "with evidence awaiting marking"},
}


def refusal(name: str, value: str) -> str | None:
    """Why a labelled figure's value is refused, or None when it is one it may take."""
    allowed = CHOICES.get(name)
    if allowed is None or value in allowed:
        return None
    quoted = [f'"{v}"' for v in allowed]
    spelled = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f'The figure "{name}" may only be {spelled}.'


def named(figure: dict, provider_id: int) -> dict:
    """What a figure names by id: the criterion (its number and awarding body) and the
    people, by name; 404 for a criterion that does not exist or a person who is not of the
    provider."""
    out = {}
    if figure.get("lacking"):
        out["lacking"] = db.session.execute(
            select(Criterion.number, AwardingBody.name.label("awarding_body"))
            .join(CriteriaSet, Criterion.criteria_set_id == CriteriaSet.id)
            .join(Unit, CriteriaSet.unit_id == Unit.id)
            .join(AwardingBody, Unit.awarding_body_id == AwardingBody.id)
            .where(Criterion.id == figure["lacking"])
        ).first()
        if out["lacking"] is None:
            abort(404)
    for name in ("decided_by", "sampled_by"):
        if figure.get(name):
            out[name] = db.first_or_404(
                select(User.name).where(User.id == figure[name], User.provider_id == provider_id)
            )
    return out


def heading(figure: dict, names: dict, days: int | None, inactive_days: int) -> str:
    """"Learners ..." with what the figure counts, in words: ``days`` is the sampling
    period's, ``inactive_days`` the provider's days without activity that put a learner at
    risk."""
    parts = []
    for name, value in figure.items():
        if name in WORDS:
            parts.append(WORDS[name][value].format(inactive_days=inactive_days))
        elif name == "bucket":
            parts.append(f"with {value} of their criteria met")
        elif name == "lacking":
            criterion = names["lacking"]
            parts.append(f"still lacking criterion {criterion.number} ({criterion.awarding_body})")
        elif name == "decided_by" and "sampled_by" not in figure:
            parts.append(f"with evidence {names[name]} decided on in the last {days} days")
        elif name == "sampled_by":
            parts.append(f"with a decision by {names[name]} sampled in the last {days} days")
    return " and ".join(["Learners " + parts[0], *parts[1:]]) if parts else "Learners"


def chosen_filters(filters: Filters, options: dict) -> list[tuple[str, str]]:
    """The filters set, as (label, what is chosen) from the filters' options."""
    kinds = [
        ("cohort", "Cohort", options["cohorts"]),
        ("qualification", "Qualification", options["qualifications"]),
        ("awarding_body", "Awarding body", options["awarding_bodies"]),
        ("unit", "Unit", options["units"]),
        ("assessor", "Assessor", options["assessors"]),
    ]
    out = []
    for name, label, choices in kinds:
        value = getattr(filters, name)
        chosen = next((c for c in choices if c.id == value), None)
        if chosen is None:
            continue
        if name == "unit":
            out.append((label, f"{chosen.awarding_body}: {chosen.label}"))
        else:
            out.append((label, chosen.label))
    return out
