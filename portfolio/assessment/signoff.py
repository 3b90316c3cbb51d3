"""Unit sign-off: readiness, the manifest of what is signed, declaration, sign-off, withdrawal
and the IQA's countersignature."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, String, bindparam, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portfolio import webhooks
from portfolio.accounts.models import User
from portfolio.assessment.marking import refusal
from portfolio.assessment.models import (
    CriterionJudgement,
    Decision,
    Declaration,
    Outcome,
    Sample,
    SampleStatus,
    SignOff,
)
from portfolio.assessment.readiness import (
    Readiness,
    WaitingSample,
    countersign_problems,
    declaration_problems,
    in_words,
    sign_off_problems,
    unfinished_items,
)
from portfolio.audit import trail as audit
from portfolio.db import UTCDateTime, db, hold, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.errors import Conflict, DomainError
from portfolio.evidence.coverage import evidence_tallies, requirement_states
from portfolio.evidence.models import EvidenceItem, EvidenceStatus
from portfolio.notifications import notify, settle
from portfolio.progress import refresh
from portfolio.text import check_length
from portfolio.units.models import Criterion

# The longest reason for withdrawing a sign-off, in characters.
REASON_LIMIT = 500


def canonical_hash(data: dict) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _accepted_items(enrolment: Enrolment) -> list[EvidenceItem]:
    return db.session.scalars(
        select(EvidenceItem)
        .where(
            EvidenceItem.enrolment_id == enrolment.id,
            EvidenceItem.status == EvidenceStatus.ACCEPTED,
        )
        .order_by(EvidenceItem.id)
        .options(selectinload(EvidenceItem.versions), selectinload(EvidenceItem.files))
    ).all()


def _latest_decisions(item_ids: list[int]) -> dict[int, Decision]:
    decisions = db.session.scalars(
        select(Decision)
        .where(Decision.item_id.in_(item_ids))
        .order_by(Decision.decided_at, Decision.id)
        .options(selectinload(Decision.judgements).selectinload(CriterionJudgement.criterion))
    ).all()
    return {d.item_id: d for d in decisions}  # the last one per item wins


def met_criteria(enrolment: Enrolment) -> dict[int, list[EvidenceItem]]:
    """Criteria met by accepted evidence: criterion id to the items that meet it."""
    items = _accepted_items(enrolment)
    latest = _latest_decisions([i.id for i in items])
    met: dict[int, list[EvidenceItem]] = {}
    for item in items:
        decision = latest.get(item.id)
        if decision and decision.outcome is Outcome.ACCEPTED:
            for judgement in decision.judgements:
                if judgement.met:
                    met.setdefault(judgement.criterion_id, []).append(item)
    return met


def readiness(enrolment: Enrolment) -> Readiness:
    """Where the unit stands against the one rule of completeness (readiness.Readiness),
    from the judgements themselves."""
    criteria = db.session.scalars(
        select(Criterion)
        .where(Criterion.criteria_set_id == enrolment.criteria_set_id)
        .order_by(Criterion.position)
    ).all()
    met = met_criteria(enrolment)
    wanted = enrolment.criteria_set.evidence_requirements
    return Readiness(
        unmet=[c for c in criteria if c.id not in met],
        requirements=requirement_states(wanted, evidence_tallies(enrolment.id, wanted)),
        unfinished=unfinished_items(enrolment.id),
    )


def page_readiness(portfolio, unfinished) -> Readiness:
    """The same, from what the portfolio page has already loaded and the enrolment's
    unfinished items (readiness.unfinished_items)."""
    return Readiness(
        unmet=[row.criterion for row in portfolio.rows if not row.met],
        requirements=portfolio.requirements,
        unfinished=unfinished,
    )


def manifest(enrolment: Enrolment) -> dict:
    """Exactly what a signature covers: each accepted evidence version, file and judgement."""
    items = _accepted_items(enrolment)
    latest = _latest_decisions([i.id for i in items])
    criteria_set = enrolment.criteria_set
    evidence = []
    for item in items:
        decision = latest[item.id]
        version = next(v for v in item.versions if v.number == decision.version_number)
        evidence.append({
            "item": item.id,
            "kind": item.kind.value,
            "title": item.title,
            "version": version.number,
            "content_sha256": canonical_hash(version.content),
            "files": sorted(
                ({"name": f.original_name, "sha256": f.sha256} for f in item.files
                 if f.added_in_version <= version.number
                 and (f.removed_in_version is None or f.removed_in_version > version.number)),
                key=lambda f: (f["sha256"], f["name"]),
            ),
            "decision": decision.id,
            "criteria_met": sorted(j.criterion.number for j in decision.judgements if j.met),
        })  # fmt: skip
    return {
        "enrolment": enrolment.id,
        "learner": enrolment.learner_id,
        "unit": {
            "awarding_body": enrolment.unit.awarding_body.code,
            "code": enrolment.unit.code,
            "criteria_set": criteria_set.id,
            "version": criteria_set.version,
            "content_hash": criteria_set.content_hash,
        },  # fmt: skip
        "evidence": evidence,
    }


def sign_off_in_force(enrolment: Enrolment) -> SignOff | None:
    """The unit's sign-off not withdrawn, as it stands now (read again if read before)."""
    return db.session.scalar(
        select(SignOff)
        .where(SignOff.enrolment_id == enrolment.id, SignOff.withdrawn_at.is_(None))
        .execution_options(populate_existing=True)
    )


def current_declaration(enrolment: Enrolment) -> Declaration | None:
    return db.session.scalar(
        select(Declaration)
        .where(Declaration.enrolment_id == enrolment.id)
        .order_by(Declaration.declared_at.desc(), Declaration.id.desc())
        .limit(1)
    )


def _refuse(actor: User, enrolment: Enrolment, message: str, error=DomainError, problems=()):
    """A refusal to raise; its audit event lists every problem when there are several."""
    refused = refusal(
        error(message),
        actor,
        enrolment.provider_id,
        "enrolment",
        enrolment.id,
        enrolment.learner_id,
    )
    if problems:
        refused.audit["after"] = {"problems": [str(p) for p in problems]}
    return refused


def declared_state(enrolment: Enrolment, declaration: Declaration | None) -> bool | None:
    """Whether the learner's latest declaration covers the evidence as it stands: None when
    there is none."""
    if declaration is None:
        return None
    return declaration.manifest_hash == canonical_hash(manifest(enrolment))


def declare(learner: User, enrolment: Enrolment) -> Declaration:
    """The learner declares the evidence their own work: possible once the unit is complete
    and nothing awaits marking or rework."""
    if enrolment.learner_id != learner.id:
        raise _refuse(learner, enrolment, "Only the learner can sign their declaration.")
    hold(enrolment)
    if enrolment.locked:
        raise Conflict("The unit is already signed off.")
    problems = declaration_problems(readiness(enrolment))
    if problems:
        raise _refuse(learner, enrolment, "The unit is not complete yet: " + in_words(problems),
                      problems=problems)  # fmt: skip
    data = manifest(enrolment)
    latest = current_declaration(enrolment)
    if latest is not None and latest.manifest_hash == canonical_hash(data):
        raise Conflict("You have already declared this evidence your own work, and it has not "
                       "changed since.")  # fmt: skip
    declaration = Declaration(
        provider_id=enrolment.provider_id, enrolment_id=enrolment.id, learner_id=learner.id,
        manifest=data, manifest_hash=canonical_hash(data),
    )  # fmt: skip
    db.session.add(declaration)
    db.session.flush()
    audit.record(
        "declaration.signed", provider_id=enrolment.provider_id, actor=learner, object_type="enrolment",
        object_id=enrolment.id, learner_id=enrolment.learner_id,
        after={"manifest_sha256": declaration.manifest_hash},
        summary=f"Declared the evidence for {enrolment.unit.title} to be their own work",
    )  # fmt: skip
    return declaration


def sign_off(assessor: User, enrolment: Enrolment) -> SignOff:
    """The assessor signs the unit off: every criterion and requirement met by accepted
    evidence, nothing awaiting marking or rework, the learner's declaration current. Drafts
    are left out of what is signed."""
    if enrolment.assessor_id != assessor.id:
        raise _refuse(
            assessor, enrolment, "Only the learner's assigned assessor can sign the unit off."
        )
    if sign_off_in_force(enrolment) is not None:
        raise _refuse(assessor, enrolment, "This unit is already signed off.", Conflict)
    data = manifest(enrolment)
    digest = canonical_hash(data)
    declaration = current_declaration(enrolment)
    declared = None if declaration is None else declaration.manifest_hash == digest
    problems = sign_off_problems(readiness(enrolment), declared)
    if problems:
        raise _refuse(assessor, enrolment, "The unit cannot be signed off yet: " + in_words(problems),
                      problems=problems)  # fmt: skip
    record = SignOff(
        provider_id=enrolment.provider_id, enrolment_id=enrolment.id, declaration_id=declaration.id,
        assessor_id=assessor.id, manifest=data, manifest_hash=digest,
    )  # fmt: skip
    db.session.add(record)
    enrolment.locked = True
    try:
        db.session.flush()
    except IntegrityError:
        # Someone else signed it off in the same moment: the unique index lets one win.
        raise Conflict("This unit was signed off by someone else a moment ago.") from None
    audit.record(
        "unit.signed_off", provider_id=enrolment.provider_id, actor=assessor, object_type="enrolment",
        object_id=enrolment.id, learner_id=enrolment.learner_id,
        after={"sign_off": record.id, "manifest_sha256": digest},
        summary=f"Signed off {enrolment.unit.title}",
    )  # fmt: skip
    facts = {"enrolment": enrolment.id, "unit": enrolment.unit.title, "assessor": assessor.name}
    notify(enrolment.provider_id, [enrolment.learner_id], "unit_signed_off", **facts)
    notify(enrolment.provider_id, [enrolment.iqa_id], "unit_ready_to_countersign", learner=enrolment.learner.name, **facts)  # fmt: skip
    webhooks.publish(enrolment.provider_id, "unit.signed_off", {"sign_off": {"id": record.id, "signed_at": record.signed_at, "assessor_id": assessor.id, "manifest_sha256": digest}, **webhooks.enrolment_facts(enrolment)})  # fmt: skip
    refresh.enrolments([enrolment.id])
    return record


def withdraw(assessor: User, enrolment: Enrolment, reason: str) -> SignOff:
    """Withdraw a sign-off, with a reason, so that the evidence can change again."""
    hold(enrolment)
    record = sign_off_in_force(enrolment)
    if record is None:
        raise Conflict("There is no sign-off in force to withdraw.")
    if enrolment.assessor_id != assessor.id:
        raise _refuse(
            assessor, enrolment, "Only the learner's assigned assessor can withdraw the sign-off."
        )
    reason = reason.strip()
    if len(reason) < 5:
        raise DomainError("Give the reason for withdrawing the sign-off.", field="reason")
    check_length(reason, REASON_LIMIT, "The reason for withdrawing the sign-off", field="reason")
    record.withdrawn_at = utcnow()
    record.withdrawn_by_id = assessor.id
    record.withdrawal_reason = reason
    enrolment.locked = False
    db.session.flush()
    audit.record(
        "signoff.withdrawn", provider_id=enrolment.provider_id, actor=assessor, object_type="enrolment",
        object_id=enrolment.id, learner_id=enrolment.learner_id,
        before={"sign_off": record.id, "in_force": True}, after={"in_force": False, "reason": reason},
        summary=f"Withdrew the sign-off of {enrolment.unit.title}: {reason}"[:300],
    )  # fmt: skip
    facts = {"enrolment": enrolment.id, "unit": enrolment.unit.title, "assessor": assessor.name,
             "learner": enrolment.learner.name, "reason": reason}  # fmt: skip
    notify(enrolment.provider_id, [enrolment.learner_id, enrolment.iqa_id], "sign_off_withdrawn",
           **facts)  # fmt: skip
    webhooks.publish(enrolment.provider_id, "signoff.withdrawn", {"sign_off": {"id": record.id, "signed_at": record.signed_at, "withdrawn_at": record.withdrawn_at, "withdrawn_by_id": assessor.id}, **webhooks.enrolment_facts(enrolment)})  # fmt: skip
    refresh.enrolments([enrolment.id])
    return record


def leave_out_unmarked() -> list[EvidenceItem]:
    """Repair what sign-off allowed before it waited for marking: an item still awaiting
    marking in a signed-off unit can never be marked, so it is left out of the signed
    portfolio as a draft again (its submitted version kept as it was), with an audit event,
    and leaves the marking queue. Withdrawing the sign-off lets the learner submit it again.
    Returns the items changed; running it again changes nothing."""
    items = db.session.scalars(
        select(EvidenceItem)
        .join(Enrolment, Enrolment.id == EvidenceItem.enrolment_id)
        .where(Enrolment.locked.is_(True), EvidenceItem.status == EvidenceStatus.SUBMITTED)
        .order_by(EvidenceItem.id)
    ).all()
    for item in items:
        item.status = EvidenceStatus.DRAFT
        db.session.flush()
        audit.record(
            "evidence.left_out", provider_id=item.provider_id, object_type="evidence",
            object_id=item.id, learner_id=item.learner_id,
            before={"status": "submitted", "version": item.current.number},
            after={"status": "draft"},
            summary=f"Left '{item.title}' out of the signed portfolio of "
                    f"{item.enrolment.unit.title}: the unit was signed off while it awaited "
                    "marking; it is a draft again",
        )  # fmt: skip
    refresh.enrolments({item.enrolment_id for item in items})
    return items


def put_under_review(iqa: User, enrolment: Enrolment, sample: Sample) -> SignOff | None:
    """The IQA sent back a decision of this unit: a countersigned sign-off in force goes
    under IQA review (a sign-off awaiting countersignature simply cannot be countersigned)."""
    record = sign_off_in_force(enrolment)
    if record is None or record.countersigned_at is None or record.under_review_since:
        return None
    record.under_review_since = utcnow()
    db.session.flush()
    audit.record(
        "signoff.under_review", provider_id=enrolment.provider_id, actor=iqa, object_type="enrolment",
        object_id=enrolment.id, learner_id=enrolment.learner_id,
        before={"sign_off": record.id, "under_review": False},
        after={"under_review": True, "sample": sample.id},
        summary=f"The sign-off of {enrolment.unit.title} is under IQA review: the decision on "
                f"'{sample.decision.item.title}' was sent back",
    )  # fmt: skip
    refresh.enrolments([enrolment.id])
    return record


def restore_after_review(assessor: User, enrolment: Enrolment, sample: Sample) -> SignOff | None:
    """The assessor answered a sent-back sample: the sign-off under review stands again once
    no other sent-back sample of the unit waits for an answer."""
    record = sign_off_in_force(enrolment)
    if record is None or record.under_review_since is None or samples_waiting(
        enrolment.id, SampleStatus.ACTIONS_REQUIRED
    ):
        return None
    record.under_review_since = None
    db.session.flush()
    audit.record(
        "signoff.restored", provider_id=enrolment.provider_id, actor=assessor, object_type="enrolment",
        object_id=enrolment.id, learner_id=enrolment.learner_id,
        before={"sign_off": record.id, "under_review": True},
        after={"under_review": False, "sample": sample.id},
        summary=f"The sign-off of {enrolment.unit.title} stands again after the assessor "
                f"answered the IQA on '{sample.decision.item.title}'",
    )  # fmt: skip
    refresh.enrolments([enrolment.id])
    return record


def samples_waiting(enrolment_id: int, status: SampleStatus) -> list[WaitingSample]:
    """The enrolment's sampled decisions sent back with actions and not yet answered
    (``SampleStatus.ACTIONS_REQUIRED``), or those the IQA has not reviewed yet (``OPEN``)."""
    rows = db.session.execute(
        select(Sample.id, EvidenceItem.title)
        .join(Decision, Decision.id == Sample.decision_id)
        .join(EvidenceItem, EvidenceItem.id == Decision.item_id)
        .where(Decision.enrolment_id == enrolment_id, Sample.status == status)
        .order_by(Sample.reviewed_at, Sample.created_at, Sample.id)
    ).all()  # fmt: skip
    return [WaitingSample(r.id, r.title) for r in rows]


def countersign(iqa: User, enrolment: Enrolment) -> SignOff:
    """The IQA countersigns a signed-off unit, completing it: never while a sampled decision
    of the learner's is sent back and unanswered, or waits for the IQA's review."""
    if enrolment.iqa_id != iqa.id:
        raise _refuse(iqa, enrolment, "Only the learner's assigned IQA can countersign.")
    hold(enrolment)
    record = sign_off_in_force(enrolment)
    if record is not None and record.countersigned_at is not None:
        raise _refuse(iqa, enrolment, "This unit is already countersigned.", Conflict)
    problems = countersign_problems(
        signed_off=record is not None,
        own=record is not None and record.assessor_id == iqa.id,
        sent_back=samples_waiting(enrolment.id, SampleStatus.ACTIONS_REQUIRED),
        awaiting_review=samples_waiting(enrolment.id, SampleStatus.OPEN),
    )
    if problems:
        raise _refuse(iqa, enrolment, "The unit cannot be countersigned yet: " + in_words(problems),
                      problems=problems)  # fmt: skip
    record.countersigned_by_id = iqa.id
    record.countersigned_at = utcnow()
    record.countersign_hash = canonical_hash(
        {
            "sign_off": record.id,
            "manifest_sha256": record.manifest_hash,
            "iqa": iqa.id,
            "at": record.countersigned_at.isoformat(),
        }  # fmt: skip
    )
    db.session.flush()
    audit.record(
        "unit.countersigned", provider_id=enrolment.provider_id, actor=iqa, object_type="enrolment",
        object_id=enrolment.id, learner_id=enrolment.learner_id,
        after={"sign_off": record.id, "countersign_sha256": record.countersign_hash},
        summary=f"Countersigned {enrolment.unit.title}",
    )  # fmt: skip
    settle(iqa.id, "unit_ready_to_countersign", enrolment=enrolment.id)
    webhooks.publish(enrolment.provider_id, "unit.countersigned", {"sign_off": {"id": record.id, "signed_at": record.signed_at, "countersigned_at": record.countersigned_at, "iqa_id": iqa.id, "countersign_sha256": record.countersign_hash}, **webhooks.enrolment_facts(enrolment)})  # fmt: skip
    refresh.enrolments([enrolment.id])
    return record


@dataclass(frozen=True)
class SignOffRecord:
    """A sign-off as the portfolio page shows it, with the names of the people in it."""

    signed_at: datetime
    assessor_name: str
    manifest_hash: str
    countersigned_at: datetime | None
    countersigned_by_name: str | None
    withdrawn_at: datetime | None
    withdrawn_by_name: str | None
    withdrawal_reason: str | None
    under_review_since: datetime | None = None
    assessor_id: int | None = None

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None

    @property
    def under_review(self) -> bool:
        return self.in_force and self.under_review_since is not None


@dataclass(frozen=True)
class DeclarationRecord:
    declared_at: datetime
    manifest_hash: str


@dataclass(frozen=True)
class SignOffStory:
    """What the portfolio page shows of an enrolment's sign-offs: each sign-off, oldest
    first; the latest declaration; the sampled decisions sent back and not yet answered;
    those the IQA has not reviewed yet."""

    history: list[SignOffRecord]
    declaration: DeclarationRecord | None
    sent_back: list[WaitingSample]
    awaiting_review: list[WaitingSample]


def sign_off_records(enrolment_id: int) -> SignOffStory:
    """The enrolment's sign-offs with the names of the people in them, its latest
    declaration, its unanswered sent-back samples and those not reviewed yet: one statement,
    with no manifests read.
    """
    rows = db.session.execute(SIGN_OFF_RECORDS, {"enrolment_id": enrolment_id}).all()
    sign_offs = sorted((r for r in rows if r.kind == "sign-off"), key=lambda r: (r.at, r.id))
    declarations = [r for r in rows if r.kind == "declaration"]
    samples = sorted((r for r in rows if r.kind in (SampleStatus.ACTIONS_REQUIRED, SampleStatus.OPEN)),
                     key=lambda r: (r.at, r.id))  # fmt: skip
    latest = max(declarations, key=lambda r: (r.at, r.id), default=None)
    return SignOffStory(
        [SignOffRecord(r.at, r.assessor_name, r.manifest_hash, r.countersigned_at,
                       r.countersigned_by_name, r.withdrawn_at, r.withdrawn_by_name,
                       r.withdrawal_reason, r.under_review_since, r.assessor_id)
         for r in sign_offs],
        DeclarationRecord(latest.at, latest.manifest_hash) if latest else None,
        [WaitingSample(r.id, r.assessor_name) for r in samples if r.kind == SampleStatus.ACTIONS_REQUIRED],
        [WaitingSample(r.id, r.assessor_name) for r in samples if r.kind == SampleStatus.OPEN],
    )  # fmt: skip


def _sign_off_records() -> Select:
    """sign_off_records' statement, built once as the module is imported and run with the
    enrolment's id bound (docs/performance.md, "Statements built once")."""

    def name_of(person_id):
        return select(User.name).where(User.id == person_id).scalar_subquery()

    enrolment_id = bindparam("enrolment_id")
    no_time, no_text, no_id = literal(None, UTCDateTime), literal(None, String), literal(None, Integer)
    # The branches share the first one's column names: a sample's row carries its status as
    # its "kind" and the title of the evidence whose decision was sampled as its
    # "assessor_name".
    return union_all(
        select(literal("sign-off").label("kind"), SignOff.id, SignOff.signed_at.label("at"),
               SignOff.manifest_hash, name_of(SignOff.assessor_id).label("assessor_name"),
               SignOff.countersigned_at,
               name_of(SignOff.countersigned_by_id).label("countersigned_by_name"),
               SignOff.withdrawn_at, name_of(SignOff.withdrawn_by_id).label("withdrawn_by_name"),
               SignOff.withdrawal_reason, SignOff.under_review_since, SignOff.assessor_id)
        .where(SignOff.enrolment_id == enrolment_id),
        select(literal("declaration"), Declaration.id, Declaration.declared_at,
               Declaration.manifest_hash, no_text, no_time, no_text, no_time, no_text, no_text,
               no_time, no_id)
        .where(Declaration.enrolment_id == enrolment_id),
        select(Sample.status, Sample.id, func.coalesce(Sample.reviewed_at, Sample.created_at),
               no_text,
               select(EvidenceItem.title).where(EvidenceItem.id == Decision.item_id)
               .scalar_subquery(),
               no_time, no_text, no_time, no_text, no_text, no_time, no_id)
        .join(Decision, Decision.id == Sample.decision_id)
        .where(Decision.enrolment_id == enrolment_id,
               Sample.status.in_([SampleStatus.ACTIONS_REQUIRED, SampleStatus.OPEN])),
    )  # fmt: skip


SIGN_OFF_RECORDS = _sign_off_records()
