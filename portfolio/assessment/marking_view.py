"""What the marking page shows beside the criteria: the evidence in full, its files as the
browser can show them, what the learner said is not personal data, the last decision's
judgements, and what changed since it."""

from dataclasses import dataclass

from portfolio.assessment.models import Decision
from portfolio.evidence import history, incident
from portfolio.evidence.files import SHOWN_INLINE
from portfolio.evidence.kinds import STAR_PARTS
from portfolio.evidence.models import EvidenceFile, EvidenceItem, EvidenceKind
from portfolio.evidence.operations import dismissed


@dataclass(frozen=True)
class ShownFile:
    file: EvidenceFile
    shown_as: str | None  # "image", "pdf", "audio", or None for a download link only


@dataclass(frozen=True)
class SinceDecision:
    """The fields changed (words marked) and the files added and removed since a decision."""

    changes: list[history.Change]
    added: list[EvidenceFile]
    removed: list[EvidenceFile]


def evidence_in_full(item: EvidenceItem) -> dict:
    """What the content macro of templates/evidence/_content.html needs for the current
    version, the files the current version holds, and the personal-data findings the
    learner dismissed."""
    version = item.current
    content = version.content
    return {
        "dismissed": dismissed(item),
        "version": version,
        "timeline": incident.timeline(content) if item.kind is EvidenceKind.INCIDENT_LOG else [],
        "priority": incident.priority(content.get("impact"), content.get("urgency")),
        "labels": {
            "channel": incident.CHANNEL_LABELS,
            "type": incident.TYPE_LABELS,
            "severity": incident.SEVERITY_LABELS,
            "sla": incident.SLA_TARGETS,
        },
        "star_parts": STAR_PARTS,
        "files": [ShownFile(f, SHOWN_INLINE.get(f.media_type)) for f in item.current_files],
    }


def since(item: EvidenceItem, decision: Decision | None) -> SinceDecision | None:
    """What changed between the version a decision was made on and the current one; None
    without a decision, or when the decision was on the current version."""
    if decision is None or decision.version_number == item.current.number:
        return None
    decided = next(v for v in item.versions if v.number == decision.version_number)
    newer = range(decision.version_number + 1, item.current.number + 1)
    return SinceDecision(
        changes=history.changes(decided, item.current),
        added=[f for f in item.files if f.added_in_version in newer
               and (f.removed_in_version is None or f.removed_in_version not in newer)],
        removed=[f for f in item.files if f.removed_in_version in newer
                 and f.added_in_version <= decision.version_number],
    )  # fmt: skip


def earlier_judgements(decision: Decision | None) -> dict[int, tuple[bool, str]]:
    """The decision's judgement of each criterion: met or not, and the comment."""
    if decision is None:
        return {}
    return {j.criterion_id: (j.met, j.comment) for j in decision.judgements}


def fill_in(form, earlier: dict[int, tuple[bool, str]]) -> None:
    """Start a marking form from the earlier judgements (a resubmission is marked from where
    the last decision left it), with the comments on criteria it found met. A comment on a
    criterion not yet met asked for rework: it is shown beside the criterion, not carried
    into the new decision, where it would read as said of the reworked evidence."""
    for criterion_id, (met, comment) in earlier.items():
        if f"judgement_{criterion_id}" in form:
            form[f"judgement_{criterion_id}"].data = "met" if met else "not_met"
            form[f"comment_{criterion_id}"].data = comment if met else ""
