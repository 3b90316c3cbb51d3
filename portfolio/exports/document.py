"""What goes into a portfolio PDF, gathered from the sign-off's manifest, as HTML."""

from dataclasses import dataclass, field

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from portfolio.assessment import trail_reading
from portfolio.assessment.models import CriterionJudgement, Decision, Sample, SignOff
from portfolio.audit import trail as audit
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.evidence import incident
from portfolio.evidence.kinds import STAR_PARTS
from portfolio.evidence.models import EvidenceFile, EvidenceItem
from portfolio.units.models import LearningOutcome

IMAGE_TYPES = {"image/png", "image/jpeg"}


@dataclass
class ItemSection:
    item: EvidenceItem
    version: object
    decision: Decision
    files: list[EvidenceFile]
    anchor: str
    timeline: list = field(default_factory=list)
    priority: str | None = None

    @property
    def images(self):
        return [f for f in self.files if f.media_type in IMAGE_TYPES]

    @property
    def pdfs(self):
        return [f for f in self.files if f.media_type == "application/pdf"]

    @property
    def others(self):
        return [f for f in self.files if f.media_type not in IMAGE_TYPES]


def gather(sign_off: SignOff) -> dict:
    """Everything the PDF shows, in a fixed number of queries."""
    enrolment = sign_off.enrolment
    entries = sign_off.manifest["evidence"]
    items = {
        i.id: i
        for i in db.session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.id.in_([e["item"] for e in entries]))
            .options(selectinload(EvidenceItem.versions), selectinload(EvidenceItem.files))
        )
    }
    decisions = {
        d.id: d
        for d in db.session.scalars(
            select(Decision)
            .where(Decision.id.in_([e["decision"] for e in entries]))
            .options(selectinload(Decision.judgements).selectinload(CriterionJudgement.criterion))
        )
    }
    sections = []
    for index, entry in enumerate(entries, start=1):
        item = items[entry["item"]]
        version = next(v for v in item.versions if v.number == entry["version"])
        files = [
            f for f in item.files
            if f.added_in_version <= version.number
            and (f.removed_in_version is None or f.removed_in_version > version.number)
        ]  # fmt: skip
        content = version.content
        sections.append(
            ItemSection(
                item,
                version,
                decisions[entry["decision"]],
                files,
                f"item-{index}",
                timeline=incident.timeline(content) if item.kind.value == "incident_log" else [],
                priority=incident.priority(content.get("impact"), content.get("urgency")),
            )  # fmt: skip
        )
    outcomes = db.session.scalars(
        select(LearningOutcome)
        .where(LearningOutcome.criteria_set_id == enrolment.criteria_set_id)
        .order_by(LearningOutcome.number)
        .options(selectinload(LearningOutcome.criteria))
    ).all()
    meets: dict[int, list[ItemSection]] = {}
    for section in sections:
        for judgement in section.decision.judgements:
            if judgement.met:
                meets.setdefault(judgement.criterion_id, []).append(section)
    # Every sample of a decision on this evidence, the earlier versions' decisions too: a
    # decision sent back and answered before the version signed off is part of its story.
    samples = db.session.scalars(
        select(Sample)
        .join(Decision, Decision.id == Sample.decision_id)
        .where(Decision.item_id.in_(list(items)))
        .order_by(Sample.created_at, Sample.id)
        .options(selectinload(Sample.iqa), contains_eager(Sample.decision))
    ).all()
    return {
        "sign_off": sign_off,
        "enrolment": enrolment,
        "declaration": sign_off.declaration,
        "sections": sections,
        "outcomes": outcomes,
        "meets": meets,
        "samples": samples,
        # The audit trail as sentences, oldest first; refused attempts (a second press of a
        # button, a page not theirs) stay in the provider's trail, not the learner's record.
        "readings": trail_reading.read(list(reversed(audit.events_for_learner(
            enrolment.learner_id, enrolment.provider_id, AuditEvent.action != "access.refused"
        )))),  # fmt: skip
        "labels": {
            "channel": incident.CHANNEL_LABELS,
            "type": incident.TYPE_LABELS,
            "severity": incident.SEVERITY_LABELS,
            "sla": incident.SLA_TARGETS,
        },  # fmt: skip
        "star_parts": STAR_PARTS,
        # Times in the provider's zone, with UTC beside them (portfolio.dates).
        "time_zone": enrolment.provider.time_zone,
    }


def render_html(context: dict, *, verify_url: str, attachment_pages: dict[int, int]) -> str:
    """The gathered portfolio as HTML for WeasyPrint; ``attachment_pages`` reserves pages for PDFs."""
    return render_template(
        "exports/portfolio.html",
        verify_url=verify_url,
        attachment_pages=attachment_pages,
        **context,
    )
