"""What each kind of evidence holds: its text fields, its Markdown fields and its labels.

Text fields are addressed by paths such as ``nature`` or ``communications.2.summary``;
the personal-data check, suggestions and version comparison all read them this way.
"""

from portfolio.evidence.models import EvidenceKind
from portfolio.text import MARKDOWN_LIMIT, check_length, render_markdown

MARKDOWN_FIELDS = {
    EvidenceKind.INCIDENT_LOG: ("nature", "customer_updates", "root_cause", "lessons_learned"),
    EvidenceKind.CALL_NOTE: ("notes",),
    EvidenceKind.STAR_ACCOUNT: ("situation", "task", "action", "result", "reflection"),
    EvidenceKind.OBSERVATION: ("observed", "judgement"),
    EvidenceKind.PROFESSIONAL_DISCUSSION: ("discussion", "summary"),
    EvidenceKind.WITNESS_TESTIMONY: ("testimony",),
}

STAR_PARTS = (
    (
        "situation",
        "Situation",
        "Where were you, what was happening, who was involved (anonymised)?",
    ),
    ("task", "Task", "What did you have to do? What was your responsibility?"),
    ("action", "Action", "What did you do, step by step, and why? Write 'I', not 'we'."),
    ("result", "Result", "What happened in the end? Give facts: times, SLA met, customer outcome."),
    (
        "reflection",
        "Reflection",
        "What went well, what would you do differently, what did you learn?",
    ),
)

FIELD_LABELS = {
    "reference": "Reference",
    "caller_reference": "Caller or reporter reference",
    "location": "Location",
    "nature": "Nature of the incident",
    "escalation.to": "Escalated to",
    "escalation.reason": "Reason for escalation",
    "customer_updates": "Customer and stakeholder updates",
    "root_cause": "Root cause",
    "lessons_learned": "Lessons learned",
    "notes": "Call notes",
    "observed": "What was observed",
    "judgement": "Assessor's judgement",
    "discussion": "Questions and answers",
    "summary": "Summary",
    "testimony": "Testimony",
    "title": "Title",
    **{key: label for key, label, _hint in STAR_PARTS},
}


def field_label(path: str) -> str:
    if path in FIELD_LABELS:
        return FIELD_LABELS[path]
    parts = path.split(".")
    if parts[0] == "communications":
        return f"Communications log entry {int(parts[1]) + 1}: {parts[2]}"
    if parts[0] == "resources":
        return f"Resource {int(parts[1]) + 1}"
    return path


def text_fields(kind: EvidenceKind, content: dict) -> dict[str, str]:
    """Every free-text field a person wrote, by path, in reading order."""
    fields: dict[str, str] = {}
    if kind is EvidenceKind.INCIDENT_LOG:
        for key in ("caller_reference", "location", "nature"):
            fields[key] = content.get(key, "")
        escalation = content.get("escalation") or {}
        fields["escalation.to"] = escalation.get("to", "")
        fields["escalation.reason"] = escalation.get("reason", "")
        for i, resource in enumerate(content.get("resources", [])):
            fields[f"resources.{i}.resource"] = resource.get("resource", "")
        for i, entry in enumerate(content.get("communications", [])):
            fields[f"communications.{i}.with"] = entry.get("with", "")
            fields[f"communications.{i}.summary"] = entry.get("summary", "")
        for key in ("customer_updates", "root_cause", "lessons_learned"):
            fields[key] = content.get(key, "")
    else:
        for key in MARKDOWN_FIELDS[kind]:
            fields[key] = content.get(key, "")
    return {path: text for path, text in fields.items() if text}


def set_text_field(content: dict, path: str, value: str) -> None:
    """Change one text field in place, addressed by its path."""
    target = content
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    target[parts[-1]] = value


def render_html(kind: EvidenceKind, content: dict) -> dict[str, str]:
    """The Markdown fields rendered once, to be kept with the version; a field longer than any
    form takes is refused, by its name."""
    for key in MARKDOWN_FIELDS[kind]:
        check_length(content.get(key, ""), MARKDOWN_LIMIT, field_label(key), field=key)
    return {key: render_markdown(content.get(key, "")) for key in MARKDOWN_FIELDS[kind]}


def plain_text(kind: EvidenceKind, title: str, content: dict) -> str:
    """All the item's words, for suggestions."""
    return "\n".join([title, *text_fields(kind, content).values()])


def word_count(text: str) -> int:
    return len(text.split())
