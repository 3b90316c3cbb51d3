"""Unit sign-off: readiness, the manifest of what is signed, declaration, sign-off, withdrawal
and the IQA's countersignature."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, String, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portfolio.accounts.models import User
from portfolio.assessment.marking import refusal
from portfolio.assessment.models import CriterionJudgement, Decision, Declaration, Outcome, SignOff
from portfolio.audit import trail as audit
from portfolio.db import UTCDateTime, db, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.errors import Conflict, DomainError
from portfolio.evidence.coverage import (
    CriterionInfo,
    RequirementState,
    evidence_tallies,
    requirement_states,
)
from portfolio.evidence.models import EvidenceItem, EvidenceStatus
from portfolio.progress import refresh
from portfolio.progress.models import MET, CriterionState
from portfolio.text import check_length
from portfolio.units.models import Criterion

# The longest reason for withdrawing a sign-off, in characters.
REASON_LIMIT = 500


def canonical_hash(data: dict) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Readiness:
    unmet: list[Criterion | CriterionInfo]
    requirements: list[RequirementState]

    @property
    def ready(self) -> bool:
        return not self.unmet and all(r.met for r in self.requirements)

    def reasons(self) -> list[str]:
        out = [f"Criterion {c.number} is not yet met by accepted evidence." for c in self.unmet]
        out += [
            f"Not yet met: {r.text} ({r.detail}; {r.needed} needed)."
            for r in self.requirements
            if not r.met
        ]
        return out


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


def met_criteria_statement(enrolment_id: int) -> Select:
    """The ids of the criteria met by the enrolment's accepted evidence, as its criterion
    states record them: ``portfolio.progress.refresh`` works them out from the judgements,
    as ``met_criteria`` does, whenever those change. One index lookup, where the judgements
    behind them are three joins over every accepted item."""
    return select(CriterionState.criterion_id).where(
        CriterionState.enrolment_id == enrolment_id, CriterionState.state == MET
    )


def readiness(enrolment: Enrolment) -> Readiness:
    criteria = db.session.scalars(
        select(Criterion)
        .where(Criterion.criteria_set_id == enrolment.criteria_set_id)
        .order_by(Criterion.position)
    ).all()
    met = met_criteria(enrolment)
    wanted = enrolment.criteria_set.evidence_requirements
    return Readiness(
        unmet=[c for c in criteria if c.id not in met],
        requirements=requirement_states(
            wanted, evidence_tallies(enrolment.id, wanted), {EvidenceStatus.ACCEPTED}
        ),
    )


def page_readiness(portfolio) -> Readiness:
    """Readiness from what the portfolio page has already loaded (no further queries)."""
    return Readiness(
        unmet=[row.criterion for row in portfolio.rows if not row.met],
        requirements=requirement_states(
            portfolio.enrolment.criteria_set.evidence_requirements,
            portfolio.tallies,
            {EvidenceStatus.ACCEPTED},
        ),
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
    return db.session.scalar(
        select(SignOff).where(SignOff.enrolment_id == enrolment.id, SignOff.withdrawn_at.is_(None))
    )


def current_declaration(enrolment: Enrolment) -> Declaration | None:
    return db.session.scalar(
        select(Declaration)
        .where(Declaration.enrolment_id == enrolment.id)
        .order_by(Declaration.declared_at.desc(), Declaration.id.desc())
        .limit(1)
    )


def _refuse(actor: User, enrolment: Enrolment, message: str, error=DomainError):
    return refusal(
        error(message),
        actor,
        enrolment.provider_id,
        "enrolment",
        enrolment.id,
        enrolment.learner_id,
    )


def declare(learner: User, enrolment: Enrolment) -> Declaration:
    """The learner declares the evidence their own work: possible once the unit is complete."""
    if enrolment.learner_id != learner.id:
        raise _refuse(learner, enrolment, "Only the learner can sign their declaration.")
    if enrolment.locked:
        raise Conflict("The unit is already signed off.")
    state = readiness(enrolment)
    if not state.ready:
        raise _refuse(
            learner, enrolment, "The unit is not complete yet: " + " ".join(state.reasons())
        )
    data = manifest(enrolment)
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
    """The assessor signs the unit off: every criterion met, requirements held, declaration current."""
    if enrolment.assessor_id != assessor.id:
        raise _refuse(
            assessor, enrolment, "Only the learner's assigned assessor can sign the unit off."
        )
    if sign_off_in_force(enrolment) is not None:
        raise _refuse(assessor, enrolment, "This unit is already signed off.", Conflict)
    state = readiness(enrolment)
    if not state.ready:
        raise _refuse(
            assessor, enrolment, "The unit cannot be signed off yet: " + " ".join(state.reasons())
        )
    data = manifest(enrolment)
    digest = canonical_hash(data)
    declaration = current_declaration(enrolment)
    if declaration is None or declaration.manifest_hash != digest:
        raise _refuse(
            assessor, enrolment,
            "The learner's declaration does not cover the evidence as it stands now: the learner "
            "must sign the declaration (again) before sign-off.",
        )  # fmt: skip
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
    refresh.enrolments([enrolment.id])
    return record


def withdraw(assessor: User, enrolment: Enrolment, reason: str) -> SignOff:
    """Withdraw a sign-off, with a reason, so that the evidence can change again."""
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
    refresh.enrolments([enrolment.id])
    return record


def countersign(iqa: User, enrolment: Enrolment) -> SignOff:
    """The IQA countersigns a signed-off unit, completing it."""
    if enrolment.iqa_id != iqa.id:
        raise _refuse(iqa, enrolment, "Only the learner's assigned IQA can countersign.")
    record = sign_off_in_force(enrolment)
    if record is None:
        raise _refuse(
            iqa,
            enrolment,
            "The unit must be signed off by the assessor before the IQA countersigns.",
        )
    if record.countersigned_at is not None:
        raise _refuse(iqa, enrolment, "This unit is already countersigned.", Conflict)
    if record.assessor_id == iqa.id:
        raise _refuse(iqa, enrolment, "You cannot countersign a unit you signed off yourself.")
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

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class DeclarationRecord:
    declared_at: datetime
    manifest_hash: str


def sign_off_records(enrolment_id: int) -> tuple[list[SignOffRecord], DeclarationRecord | None]:
    """The enrolment's sign-offs, oldest first, with the names of the people in them, and its
    latest declaration: one statement, with no manifests read."""

    def name_of(person_id):
        return select(User.name).where(User.id == person_id).scalar_subquery()

    no_time, no_text = literal(None, UTCDateTime), literal(None, String)
    rows = db.session.execute(
        union_all(
            select(literal("sign-off").label("kind"), SignOff.id, SignOff.signed_at.label("at"),
                   SignOff.manifest_hash, name_of(SignOff.assessor_id).label("assessor_name"),
                   SignOff.countersigned_at,
                   name_of(SignOff.countersigned_by_id).label("countersigned_by_name"),
                   SignOff.withdrawn_at, name_of(SignOff.withdrawn_by_id).label("withdrawn_by_name"),
                   SignOff.withdrawal_reason)
            .where(SignOff.enrolment_id == enrolment_id),
            select(literal("declaration"), Declaration.id, Declaration.declared_at,
                   Declaration.manifest_hash, no_text, no_time, no_text, no_time, no_text, no_text)
            .where(Declaration.enrolment_id == enrolment_id),
        )
    ).all()  # fmt: skip
    sign_offs = sorted((r for r in rows if r.kind == "sign-off"), key=lambda r: (r.at, r.id))
    declarations = [r for r in rows if r.kind == "declaration"]
    latest = max(declarations, key=lambda r: (r.at, r.id), default=None)
    return [
        SignOffRecord(r.at, r.assessor_name, r.manifest_hash, r.countersigned_at,
                      r.countersigned_by_name, r.withdrawn_at, r.withdrawn_by_name,
                      r.withdrawal_reason)
        for r in sign_offs
    ], (DeclarationRecord(latest.at, latest.manifest_hash) if latest else None)  # fmt: skip
