"""The assessor's side of evidence: the marking queue, decisions and their own records."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from portfolio import webhooks
from portfolio.accounts.models import Role, User
from portfolio.assessment.models import CriterionJudgement, Decision, Outcome
from portfolio.assessment.workdays import first_day_within, working_days_between
from portfolio.audit import trail as audit
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.errors import Conflict, DomainError
from portfolio.evidence.models import CriterionClaim, EvidenceItem, EvidenceStatus, EvidenceVersion
from portfolio.listing import paginate
from portfolio.notifications import notify, settle
from portfolio.progress import refresh
from portfolio.text import check_length, render_markdown
from portfolio.units.models import Criterion

# The longest feedback and comment on a criterion an assessor may write, in characters.
FEEDBACK_LIMIT = 20_000
COMMENT_LIMIT = 1_000


@dataclass(frozen=True)
class QueueEntry:
    item: EvidenceItem
    age_days: int
    target_days: int

    @property
    def overdue(self) -> bool:
        return self.age_days > self.target_days


def _waiting(query: Select, assessor: User) -> Select:
    """``query`` limited to the submitted evidence of the assessor's caseload that can be
    marked: none of a signed-off unit (``flask assessment leave-out-unmarked`` repairs
    items left so by sign-offs made before sign-off waited for marking)."""
    return query.join(Enrolment, EvidenceItem.enrolment_id == Enrolment.id).where(
        Enrolment.assessor_id == assessor.id,
        Enrolment.provider_id == assessor.provider_id,
        Enrolment.locked.is_(False),
        EvidenceItem.status == EvidenceStatus.SUBMITTED,
    )


def queue_summary(assessor: User, today: date | None = None) -> tuple[int, int]:
    """How many items of the assessor's marking queue wait, and how many of them are over
    the marking target: those submitted before the first day still within it."""
    today = today or date.today()
    within = first_day_within(today, assessor.provider.marking_target_days)
    over = EvidenceItem.submitted_at < datetime.combine(within, time.min, tzinfo=UTC)
    waiting, overdue = db.session.execute(
        _waiting(select(func.count(), func.count().filter(over)), assessor)
    ).one()
    return waiting, overdue


def marking_queue(assessor: User, page: int = 1,
                  today: date | None = None) -> tuple[Pagination, int, list[QueueEntry]]:  # fmt: skip
    """A page of the submitted evidence of the assessor's caseload, oldest first, aged in
    working days: the paging (of every item waiting), how many of them are over the marking
    target, and the page's entries."""
    today = today or date.today()
    waiting, overdue = queue_summary(assessor, today)
    paging = paginate(
        _waiting(select(EvidenceItem), assessor)
        .order_by(EvidenceItem.submitted_at, EvidenceItem.id)
        .options(
            joinedload(EvidenceItem.learner),
            joinedload(EvidenceItem.enrolment).joinedload(Enrolment.unit),
            # The queue shows each item's version number, not what the versions say.
            selectinload(EvidenceItem.versions).load_only(EvidenceVersion.number),
        ),
        page,
        total=waiting,
    )
    target = assessor.provider.marking_target_days
    entries = [
        QueueEntry(item, working_days_between(item.submitted_at.date(), today), target)
        for item in paging.items
    ]
    return paging, overdue, entries


@dataclass(frozen=True)
class Judgement:
    criterion_id: int
    met: bool
    comment: str = ""


def refuse(actor: User, item: EvidenceItem, message: str, error=DomainError):
    """A refusal to raise; the view records it in the audit trail after rolling back."""
    return refusal(error(message), actor, item.provider_id, "evidence", item.id, item.learner_id)


def refusal(
    error, actor: User, provider_id: int, object_type: str, object_id: int, learner_id: int
):
    error.audit = {
        "action": "access.refused", "provider_id": provider_id, "actor": actor,
        "object_type": object_type, "object_id": object_id, "learner_id": learner_id,
        "summary": error.message[:300],
    }  # fmt: skip
    return error


def check_assessor(assessor: User, item: EvidenceItem) -> None:
    """Segregation of duties: only the learner's own assessor, never on their own work."""
    if assessor.role is not Role.ASSESSOR or item.enrolment.assessor_id != assessor.id:
        raise refuse(
            assessor, item, "Only the learner's assigned assessor can decide on this evidence."
        )
    if item.learner_id == assessor.id or (
        not item.kind.by_assessor and item.created_by_id == assessor.id
    ):
        raise refuse(assessor, item, "You cannot decide on evidence about your own work.")


def latest_decision(item: EvidenceItem) -> Decision | None:
    return db.session.scalar(
        select(Decision)
        .where(Decision.item_id == item.id)
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
        .options(selectinload(Decision.judgements).selectinload(CriterionJudgement.criterion))
        .limit(1)
    )


def record_decision(
    assessor: User,
    item: EvidenceItem,
    *,
    judgements: list[Judgement],
    outcome: Outcome,
    feedback: str,
    lock_version: int | None,
) -> Decision:
    """Judge every claimed criterion of the submitted version, then accept or return it."""
    check_assessor(assessor, item)
    if item.enrolment.locked:
        raise refuse(
            assessor, item, "The unit is signed off; withdraw the sign-off first.", Conflict
        )
    if lock_version is not None and lock_version != item.lock_version:
        raise Conflict(
            "This evidence changed after you opened it (someone else decided on it, or the "
            "learner changed it). Your judgements are below, not saved: reload to see the change."
        )
    if item.status is not EvidenceStatus.SUBMITTED:
        raise refuse(
            assessor,
            item,
            f"This evidence is {item.status.label.lower()}, not awaiting a decision.",
            Conflict,
        )
    allowed = {
        criterion_id: number
        for criterion_id, number in db.session.execute(
            select(Criterion.id, Criterion.number).where(
                Criterion.criteria_set_id == item.enrolment.criteria_set_id
            )
        )
    }
    claimed = {c.criterion_id for c in item.claims}
    judged = {j.criterion_id for j in judgements}
    if judged - set(allowed):
        raise DomainError("Judge only criteria of the learner's unit.")
    check_length(feedback, FEEDBACK_LIMIT, "Feedback to the learner", field="feedback")
    for j in judgements:
        check_length(j.comment, COMMENT_LIMIT, f"The comment on criterion {allowed[j.criterion_id]}",
                     field=f"comment_{j.criterion_id}")  # fmt: skip
    missing = claimed - judged
    if missing:
        raise DomainError("Judge every criterion the learner claimed: met or not yet met.")
    if outcome is Outcome.RETURNED and not feedback.strip():
        raise DomainError(
            "Say what the learner should change when you return evidence.", field="feedback"
        )
    if outcome is Outcome.ACCEPTED and not any(j.met for j in judgements):
        raise DomainError(
            "Evidence is accepted when it meets at least one criterion; return it otherwise."
        )
    version = item.current.number
    decision = Decision(
        provider_id=item.provider_id, item=item, version_number=version, assessor_id=assessor.id,
        outcome=outcome, feedback=feedback, feedback_html=render_markdown(feedback),
        marking_days=working_days_between(item.submitted_at.date(), utcnow().date()),
        enrolment_id=item.enrolment_id, unit_id=item.enrolment.unit_id,
        cohort_id=item.enrolment.cohort_id, qualification_id=item.enrolment.qualification_id,
    )  # fmt: skip
    db.session.add(decision)
    for judgement in judgements:
        added = judgement.criterion_id not in claimed
        if added:
            db.session.add(
                CriterionClaim(
                    item=item,
                    criterion_id=judgement.criterion_id,
                    note="Mapped by the assessor",
                    created_by_id=assessor.id,
                )  # fmt: skip
            )
        db.session.add(
            CriterionJudgement(
                decision=decision,
                criterion_id=judgement.criterion_id,
                met=judgement.met,
                comment=judgement.comment.strip(),
                added_by_assessor=added,
            )  # fmt: skip
        )
    before = item.status
    item.status = (
        EvidenceStatus.ACCEPTED if outcome is Outcome.ACCEPTED else EvidenceStatus.RETURNED
    )
    item.updated_at = utcnow()
    db.session.flush()
    met = sorted(j.criterion_id for j in judgements if j.met)
    audit.record(
        "decision.recorded", provider_id=item.provider_id, actor=assessor, object_type="evidence",
        object_id=item.id, learner_id=item.learner_id,
        before={"status": before.value},
        after={"status": item.status.value, "version": version, "decision": decision.id, "criteria_met": met},
        summary=f"{'Accepted' if outcome is Outcome.ACCEPTED else 'Returned for rework'} "
                f"'{item.title}' version {version}",
    )  # fmt: skip
    told = ("evidence_returned" if outcome is Outcome.RETURNED
            else "evidence_accepted_feedback" if feedback.strip() else "evidence_accepted")  # fmt: skip
    # A line manager's witness testimony is theirs to rework: they are told as well.
    authors = [item.learner_id, item.created_by_id if item.by_employer else None]
    notify(item.provider_id, authors, told, item=item.id, title=item.title, assessor=assessor.name)  # fmt: skip
    settle(assessor.id, "evidence_submitted", item=item.id)
    webhooks.publish(item.provider_id, "decision.recorded", {"decision": {"id": decision.id, "outcome": outcome.value, "decided_at": decision.decided_at, "assessor_id": assessor.id}, "evidence": {"id": item.id, "version": version}, **webhooks.enrolment_facts(item.enrolment)})  # fmt: skip
    refresh.enrolments([item.enrolment_id])
    return decision


def confirm_record(assessor: User, item: EvidenceItem) -> Decision:
    """An assessor's own record (observation, discussion, witness) becomes accepted evidence.

    Writing the record is the assessor's judgement: each criterion mapped to it is met.
    """
    if not item.kind.by_assessor or item.created_by_id != assessor.id:
        raise DomainError("Only the assessor who wrote a record can confirm it.")
    if item.enrolment.assessor_id != assessor.id:
        raise DomainError("Only the learner's assigned assessor can confirm records.")
    if item.enrolment.locked:
        raise Conflict("The unit is signed off; withdraw the sign-off first.")
    if item.status is not EvidenceStatus.DRAFT:
        raise Conflict("This record is already confirmed.")
    if not item.claims:
        raise DomainError("Map the record to at least one criterion before confirming it.")
    now = utcnow()
    item.current.submitted_at = now
    item.submitted_at = now
    decision = Decision(
        provider_id=item.provider_id, item=item, version_number=item.current.number,
        assessor_id=assessor.id, outcome=Outcome.ACCEPTED, feedback="", feedback_html="",
        enrolment_id=item.enrolment_id, unit_id=item.enrolment.unit_id,
        cohort_id=item.enrolment.cohort_id, qualification_id=item.enrolment.qualification_id,
    )  # fmt: skip
    db.session.add(decision)
    for claim in item.claims:
        db.session.add(CriterionJudgement(decision=decision, criterion_id=claim.criterion_id, met=True,
                                          comment=claim.note))  # fmt: skip
    item.status = EvidenceStatus.ACCEPTED
    db.session.flush()
    audit.record(
        "decision.recorded", provider_id=item.provider_id, actor=assessor, object_type="evidence",
        object_id=item.id, learner_id=item.learner_id,
        before={"status": "draft"}, after={"status": "accepted", "decision": decision.id},
        summary=f"Confirmed {item.kind.label.lower()} '{item.title}'",
    )  # fmt: skip
    webhooks.publish(item.provider_id, "decision.recorded", {"decision": {"id": decision.id, "outcome": Outcome.ACCEPTED.value, "decided_at": decision.decided_at, "assessor_id": assessor.id}, "evidence": {"id": item.id, "version": item.current.number}, **webhooks.enrolment_facts(item.enrolment)})  # fmt: skip
    refresh.enrolments([item.enrolment_id])
    return decision
