"""Checks before submission, drawn from what assessors look for and the common mistakes.

They warn, they do not block: the learner decides, the assessor judges.
"""

from dataclasses import dataclass

from portfolio.evidence import incident
from portfolio.evidence.kinds import STAR_PARTS, word_count
from portfolio.evidence.models import EvidenceKind

STAR_MIN_WORDS = {"situation": 25, "task": 15, "action": 40, "result": 20, "reflection": 40}
CALL_NOTE_MIN_WORDS = 40


@dataclass(frozen=True)
class QualityWarning:
    field: str | None
    message: str


def check(kind: EvidenceKind, content: dict) -> list[QualityWarning]:
    if kind is EvidenceKind.INCIDENT_LOG:
        return _incident_log(content)
    if kind is EvidenceKind.STAR_ACCOUNT:
        return _star(content)
    return _call_note(content)


def _incident_log(c: dict) -> list[QualityWarning]:
    warnings = []

    def warn(field, message):
        warnings.append(QualityWarning(field, message))

    if not c.get("severity"):
        warn(
            "severity",
            "The severity is not classified. Assessors look for a severity on every incident.",
        )
    level = incident.priority(c.get("impact"), c.get("urgency"))
    if level is None:
        warn(
            "impact",
            "Impact and urgency are not both set, so the log has no priority or SLA target.",
        )
    elif level in incident.ESCALATED_PRIORITIES and not c.get("escalated"):
        warn("escalated", f"This is a {level} incident, which is normally escalated, but no escalation "
                          "is recorded. Record it, or say in the log why it was not needed.")  # fmt: skip
    if c.get("escalated") and not (c.get("escalation") or {}).get("at"):
        warn("escalated_at", "The escalation has no time.")
    if c.get("escalated") and not (c.get("escalation") or {}).get("reason"):
        warn("escalation_reason", "The escalation has no reason.")
    for i, resource in enumerate(c.get("resources", []), start=1):
        name = resource.get("resource") or f"resource {i}"
        if not resource.get("availability_confirmed"):
            warn(f"resources-{i - 1}-availability_confirmed",
                 f"'{name}' was deployed without its availability being confirmed first.")  # fmt: skip
        if not resource.get("dispatched_at"):
            warn(f"resources-{i - 1}-dispatched_at", f"'{name}' has no time of dispatch.")
        if not resource.get("receipt_confirmed"):
            warn(f"resources-{i - 1}-receipt_confirmed",
                 f"Receipt of the instructions sent to '{name}' is not confirmed.")  # fmt: skip
    if not c.get("communications"):
        warn("communications-0-at", "The communications log is empty: record who was told what, when "
                                    "and by which channel.")  # fmt: skip
    if not (c.get("customer_updates") or "").strip():
        warn("customer_updates", "No customer or stakeholder update is recorded. Keeping the customer "
                                 "informed is one of the most common gaps.")  # fmt: skip
    if not c.get("resolved_at"):
        warn("resolved_at", "The time the incident was resolved is not recorded.")
    if not (c.get("root_cause") or "").strip():
        warn("root_cause", "No root cause is recorded.")
    if not (c.get("lessons_learned") or "").strip():
        warn("lessons_learned", "No lessons learned are recorded.")
    return warnings


def _star(c: dict) -> list[QualityWarning]:
    warnings = []
    for key, label, _hint in STAR_PARTS:
        words = word_count(c.get(key, ""))
        minimum = STAR_MIN_WORDS[key]
        if words < minimum:
            warnings.append(
                QualityWarning(
                    key,
                    f"The {label} part has {words} word{'s' if words != 1 else ''}: "
                    f"too short to be evidence. Aim for at least {minimum}.",
                )  # fmt: skip
            )
    action = f" {c.get('action', '').lower()} "
    if action.strip() and not any(w in action for w in (" i ", " i'", " my ", " me ")):
        warnings.append(
            QualityWarning(
                "action",
                "Write the Action in the first person ('I checked...'): "
                "assessors need to see what you did yourself.",
            )  # fmt: skip
        )
    return warnings


def _call_note(c: dict) -> list[QualityWarning]:
    words = word_count(c.get("notes", ""))
    if words < CALL_NOTE_MIN_WORDS:
        return [QualityWarning("notes", f"The notes have {words} words. Say what the caller needed, "
                                        "what you did and what was agreed.")]  # fmt: skip
    return []
