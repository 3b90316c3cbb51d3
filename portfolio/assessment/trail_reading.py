"""Audit events as people read them: the names of the people, evidence, units and criteria an
event's stored data refers to, looked up for a whole page of events in a fixed number of
statements, and the facts each kind of event's sentence is made from
(templates/audit/_sentences.html)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from portfolio.accounts.models import ROLE_LABELS, Role, User
from portfolio.assessment.models import CriterionJudgement, Decision, Sample
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.evidence.kinds import field_label
from portfolio.evidence.models import KIND_LABELS, EvidenceItem, EvidenceKind
from portfolio.units.models import Criterion, Unit

# Stored values that are hashes, with what the page calls them.
HASH_LABELS = {
    "manifest_sha256": "Manifest SHA-256",
    "countersign_sha256": "Countersignature SHA-256",
    "content_sha256": "SHA-256 of what was signed",
}

# What changed, for the events that record a before and an after: the stored field, its
# name in a sentence, and what kind of value it holds.
ENROLMENT_FIELDS = [
    ("cohort", "cohort", "cohort"),
    ("assessor", "assessor", "person"),
    ("iqa", "IQA", "person"),
    ("starts_on", "start", "date"),
    ("planned_end_on", "planned end", "date"),
]
ACCOUNT_FIELDS = [
    ("name", "name", "text"),
    ("email", "email", "text"),
    ("role", "role", "role"),
    ("active", "active", "yes/no"),
    ("access_expires_on", "access ends", "date"),
    ("new_assessor", "new assessor", "yes/no"),
]
PLAN_FIELDS = [
    ("share", "share sampled", "percent"),
    ("new", "share for new assessors", "percent"),
    ("period", "period in days", "text"),
]
COHORT_FIELDS = [
    ("name", "name", "text"),
    ("starts_on", "start", "date"),
    ("ends_on", "end", "date"),
]
PROVIDER_FIELDS = [
    ("time_zone", "time zone", "text"),
    ("review_interval_weeks", "weeks between progress reviews", "text"),
]

REFUSAL_REASONS = {403: "not open to their role", 404: "not theirs to see, or not there"}


@dataclass(frozen=True)
class Change:
    """One field of a before/after, as words: ``before`` and ``after`` are None when empty."""

    label: str
    before: Any
    after: Any


@dataclass
class Reading:
    """An event with the names its sentence needs; ``facts`` holds the values the template
    reads for the event's action."""

    event: AuditEvent
    actor: str
    learner: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    hashes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Names:
    people: dict[int, str]
    items: dict[int, tuple[str, str]]  # id: (title, kind label)
    decisions: dict[int, Any]  # id: row of item_id, version_number, assessor_id
    judgements: dict[int, list[tuple[str, bool]]]  # decision id: [(number, met)]
    samples: dict[int, int]  # sample id: decision id
    enrolments: dict[int, Any]  # id: row of learner_id, unit title
    cohorts: dict[int, str]


def _kind(kind) -> str:
    """An evidence kind's label as it reads inside a sentence: "incident log", "STAR ..."."""
    label = KIND_LABELS[EvidenceKind(kind)]
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _ids(values) -> set[int]:
    return {v for v in values if isinstance(v, int) and not isinstance(v, bool)}


def _data(event: AuditEvent) -> tuple[dict, dict]:
    return event.before or {}, event.after or {}


def _lookup(events: list[AuditEvent]) -> _Names:
    """Every name the events refer to, in seven statements however many events there are."""
    by_type: dict[str, set[int]] = {}
    for e in events:
        if e.object_id is not None:
            by_type.setdefault(e.object_type, set()).add(e.object_id)
    sample_ids = set(by_type.get("sample", ()))
    decision_ids, cohort_ids, people_ids = set(), set(), set()
    for e in events:
        before, after = _data(e)
        sample_ids |= _ids([after.get("sample")])
        if e.action in ("decision.recorded", "sample.created"):
            decision_ids |= _ids([after.get("decision")])
        if e.object_type == "enrolment":
            for data in (before, after):
                cohort_ids |= _ids([data.get("cohort")])
                people_ids |= _ids([data.get("assessor"), data.get("iqa")])
        people_ids |= _ids([e.learner_id, e.object_id if e.object_type == "user" else None])
    samples = dict(
        db.session.execute(
            select(Sample.id, Sample.decision_id).where(Sample.id.in_(sample_ids))
        ).all()
    )
    decision_ids |= set(samples.values())
    decisions = {
        row.id: row
        for row in db.session.execute(
            select(Decision.id, Decision.item_id, Decision.version_number, Decision.assessor_id)
            .where(Decision.id.in_(decision_ids))
        )
    }  # fmt: skip
    people_ids |= {row.assessor_id for row in decisions.values()}
    item_ids = set(by_type.get("evidence", ())) | {row.item_id for row in decisions.values()}
    items = {
        row.id: (row.title, _kind(row.kind))
        for row in db.session.execute(
            select(EvidenceItem.id, EvidenceItem.title, EvidenceItem.kind)
            .where(EvidenceItem.id.in_(item_ids))
        )
    }  # fmt: skip
    judgements: dict[int, list[tuple[str, bool]]] = {}
    for row in db.session.execute(
        select(CriterionJudgement.decision_id, Criterion.number, CriterionJudgement.met)
        .join(Criterion, Criterion.id == CriterionJudgement.criterion_id)
        .where(CriterionJudgement.decision_id.in_(decision_ids))
        .order_by(CriterionJudgement.decision_id, Criterion.position)
    ):  # fmt: skip
        judgements.setdefault(row.decision_id, []).append((row.number, row.met))
    enrolments = {
        row.id: row
        for row in db.session.execute(
            select(Enrolment.id, Enrolment.learner_id, Unit.title.label("unit"))
            .join(Unit, Unit.id == Enrolment.unit_id)
            .where(Enrolment.id.in_(by_type.get("enrolment", set())))
        )
    }  # fmt: skip
    cohorts = dict(
        db.session.execute(select(Cohort.id, Cohort.name).where(Cohort.id.in_(cohort_ids))).all()
    )
    people = dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(people_ids))).all()
    )
    return _Names(people, items, decisions, judgements, samples, enrolments, cohorts)


def read(events: list[AuditEvent]) -> list[Reading]:
    """The events, in the same order, each with what its sentence needs."""
    names = _lookup(events)
    return [_reading(e, names) for e in events]


def _reading(e: AuditEvent, names: _Names) -> Reading:
    before, after = _data(e)
    reading = Reading(
        e,
        actor=e.actor.name if e.actor else "The system",
        learner=names.people.get(e.learner_id) if e.learner_id else None,
    )
    facts = reading.facts
    if e.object_type == "evidence" and e.object_id in names.items:
        facts["title"], facts["kind"] = names.items[e.object_id]
    elif e.object_type == "enrolment" and e.object_id in names.enrolments:
        facts["unit"] = names.enrolments[e.object_id].unit
    if e.action == "evidence.created":
        # As it was named when it was started.
        facts["title"] = after.get("title") or facts.get("title")
        if after.get("kind") in set(EvidenceKind):
            facts["kind"] = _kind(after["kind"])
        facts["for_learner"] = e.actor_id is not None and e.actor_id != e.learner_id
    elif e.action in ("evidence.submitted", "evidence.left_out", "evidence.set_aside"):
        facts["version"] = after.get("version") or before.get("version")
        facts["again"] = before.get("status") == "returned"
    elif e.action == "decision.recorded":
        facts["outcome"] = after.get("status")
        facts["version"] = after.get("version")
        facts["judgements"] = names.judgements.get(after.get("decision"), [])
    elif e.action in ("sample.created", "sample.reviewed", "sample.closed"):
        decision = names.decisions.get(names.samples.get(e.object_id))
        _decision_facts(facts, decision, names)
        facts["reasons"] = after.get("reasons") or []
        facts["status"] = after.get("status")
        facts["actions"] = after.get("actions") or ""
        facts["response"] = after.get("response") or ""
    elif e.action in ("signoff.under_review", "signoff.restored"):
        decision = names.decisions.get(names.samples.get(after.get("sample")))
        _decision_facts(facts, decision, names)
    elif e.action == "signoff.withdrawn":
        facts["reason"] = after.get("reason") or ""
    elif e.action == "evidence.personal_data_dismissed":
        facts["version"] = after.get("version")
        facts["finding"] = str(after.get("type") or "detail").replace("_", " ").lower()
        facts["field"] = field_label(after["field"]) if after.get("field") else None
        facts["reason"] = after.get("reason") or ""
    elif e.action == "evidence.personal_data_replaced":
        facts["version"] = after.get("version")
        facts["count"] = after.get("count") or 0
        facts["findings"] = [str(t).replace("_", " ").lower() for t in after.get("types") or []]
    elif e.action in ("sign_in.failed", "sign_in.succeeded", "sign_out"):
        facts["account"] = names.people.get(e.object_id)
        facts["address"] = after.get("address")
    elif e.action == "account.created":
        facts["name"], facts["email"] = after.get("name"), after.get("email")
        facts["role"] = _role(after.get("role"))
    elif e.action == "account.changed":
        facts["name"] = after.get("name") or names.people.get(e.object_id)
        facts["password_changed"] = bool(after.get("password_changed"))
        reading.changes = _changes(before, after, ACCOUNT_FIELDS, names)
    elif e.action == "enrolment.created":
        facts["cohort"] = names.cohorts.get(after.get("cohort"))
        facts["assessor"] = names.people.get(after.get("assessor"))
        facts["iqa"] = names.people.get(after.get("iqa"))
    elif e.action == "enrolment.changed":
        reading.changes = _changes(before, after, ENROLMENT_FIELDS, names)
    elif e.action == "cohort.changed":
        facts["name"] = before.get("name")
        reading.changes = _changes(before, after, COHORT_FIELDS, names)
    elif e.action == "sampling_plan.changed":
        reading.changes = _changes(before, after, PLAN_FIELDS, names)
    elif e.action == "provider.changed":
        reading.changes = _changes(before, after, PROVIDER_FIELDS, names)
    elif e.action == "access.refused" and e.object_type == "page":
        facts["status"] = after.get("status")
        facts["why"] = REFUSAL_REASONS.get(after.get("status"), "refused")
        facts["page"] = _address(after.get("endpoint"), after.get("arguments"))
    reading.hashes = [(label, after[key]) for key, label in HASH_LABELS.items() if after.get(key)]
    return reading


def _decision_facts(facts: dict, decision, names: _Names) -> None:
    if decision is None:
        return
    facts["assessor"] = names.people.get(decision.assessor_id)
    facts["version"] = decision.version_number
    if decision.item_id in names.items:
        facts["title"], facts["kind"] = names.items[decision.item_id]


def _role(value) -> str | None:
    return ROLE_LABELS[Role(value)] if value in set(Role) else value


def _value(value, kind: str, names: _Names):
    if value is None or value == "":
        return None
    if kind == "person":
        return names.people.get(value, f"account {value}")
    if kind == "cohort":
        return names.cohorts.get(value, f"cohort {value}")
    if kind == "date":
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return value
    if kind == "role":
        return _role(value)
    if kind == "yes/no":
        return "yes" if value else "no"
    if kind == "percent":
        return f"{value}%"
    return value


def _changes(before: dict, after: dict, fields, names: _Names) -> list[Change]:
    return [
        Change(label, _value(before.get(key), kind, names), _value(after.get(key), kind, names))
        for key, label, kind in fields
        if before.get(key) != after.get(key) and (key in before or key in after)
    ]


def _address(endpoint, arguments) -> str | None:
    """The address a refused page had, rebuilt from what the event stored."""
    if not isinstance(endpoint, str):
        return None
    try:
        return url_for(endpoint, **(arguments if isinstance(arguments, dict) else {}))
    except (BuildError, ValueError, TypeError):
        return None
