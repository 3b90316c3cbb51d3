"""The incident log: priority matrix, SLA targets, escalation rule and the timeline.

The priority matrix is the usual ITIL-style one: impact (how much is affected) against
urgency (how soon it hurts) gives a priority from P1 to P5, and the priority sets the SLA
target for resolution. P1 and P2 incidents are escalated as a matter of course.

| impact \\ urgency | high | medium | low |
|------------------|------|--------|-----|
| high             | P1   | P2     | P3  |
| medium           | P2   | P3     | P4  |
| low              | P3   | P4     | P5  |
"""

from dataclasses import dataclass
from datetime import datetime

LEVELS = ("high", "medium", "low")

PRIORITY_MATRIX = {
    ("high", "high"): "P1",
    ("high", "medium"): "P2",
    ("high", "low"): "P3",
    ("medium", "high"): "P2",
    ("medium", "medium"): "P3",
    ("medium", "low"): "P4",
    ("low", "high"): "P3",
    ("low", "medium"): "P4",
    ("low", "low"): "P5",
}

SLA_TARGETS = {
    "P1": "resolve within 1 hour",
    "P2": "resolve within 4 hours",
    "P3": "resolve within 1 working day",
    "P4": "resolve within 3 working days",
    "P5": "resolve within 5 working days",
}

ESCALATED_PRIORITIES = {"P1", "P2"}

CHANNELS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("web_chat", "Web chat"),
    ("sms", "SMS or messaging"),
    ("social_media", "Social media"),
    ("radio", "Radio"),
    ("alarm", "Alarm or monitoring system"),
    ("in_person", "In person"),
    ("other", "Other"),
]

INCIDENT_TYPES = [
    ("service_outage", "Service outage"),
    ("safety", "Safety or emergency"),
    ("equipment_failure", "Equipment or property failure"),
    ("security", "Security or fraud"),
    ("it_data", "IT or data"),
    ("billing", "Billing or payment"),
    ("delivery", "Delivery or logistics"),
    ("complaint", "Complaint"),
    ("safeguarding", "Safeguarding or welfare"),
    ("other", "Other"),
]

SEVERITIES = [
    ("critical", "Critical"),
    ("major", "Major"),
    ("moderate", "Moderate"),
    ("minor", "Minor"),
]

CHANNEL_LABELS = dict(CHANNELS)
TYPE_LABELS = dict(INCIDENT_TYPES)
SEVERITY_LABELS = dict(SEVERITIES)


def priority(impact: str | None, urgency: str | None) -> str | None:
    """The priority the matrix gives, or None until both impact and urgency are set."""
    return PRIORITY_MATRIX.get((impact or "", urgency or ""))


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    what: str
    detail: str = ""


def timeline(content: dict) -> list[TimelineEvent]:
    """Everything in the log that has a time, in time order."""
    events = []
    reported = parse_time(content.get("reported_at"))
    if reported:
        channel = CHANNEL_LABELS.get(content.get("channel", ""), "")
        events.append(TimelineEvent(reported, "Reported", f"by {channel}" if channel else ""))
    escalation = content.get("escalation") or {}
    if content.get("escalated") and escalation.get("at"):
        events.append(
            TimelineEvent(
                parse_time(escalation["at"]),
                f"Escalated to {escalation.get('to', '')}",
                escalation.get("reason", ""),
            )  # fmt: skip
        )
    for resource in content.get("resources", []):
        if resource.get("dispatched_at"):
            confirmed = (
                "receipt confirmed"
                if resource.get("receipt_confirmed")
                else "receipt not confirmed"
            )
            events.append(
                TimelineEvent(
                    parse_time(resource["dispatched_at"]),
                    f"Dispatched {resource.get('resource', '')}",
                    confirmed,
                )  # fmt: skip
            )
    for entry in content.get("communications", []):
        channel = CHANNEL_LABELS.get(entry.get("channel", ""), entry.get("channel", ""))
        events.append(
            TimelineEvent(
                parse_time(entry["at"]),
                f"{channel} with {entry.get('with', '')}",
                entry.get("summary", ""),
            )  # fmt: skip
        )
    resolved = parse_time(content.get("resolved_at"))
    if resolved:
        events.append(TimelineEvent(resolved, "Resolved"))
    return sorted(events, key=lambda e: e.at)
