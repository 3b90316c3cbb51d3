"""IQA sampling: the provider's plan, choosing decisions to sample (with reasons), review and
the assessor's response."""

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import joinedload

from portfolio.accounts.models import Role, User
from portfolio.assessment import signoff
from portfolio.assessment.models import Decision, Sample, SampleStatus, SamplingPlan, share_met
from portfolio.audit import trail as audit
from portfolio.db import db, hold, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.errors import Conflict, DomainError
from portfolio.evidence.models import EvidenceItem
from portfolio.notifications import notify, settle
from portfolio.text import check_length

# The longest IQA comment, required actions and assessor's response, in characters.
TEXT_LIMIT = 5_000


def plan_for(provider_id: int) -> SamplingPlan:
    plan = db.session.scalar(select(SamplingPlan).where(SamplingPlan.provider_id == provider_id))
    if plan is None:
        plan = SamplingPlan(provider_id=provider_id, share_percent=25, new_assessor_share_percent=50,
                            period_days=90)  # fmt: skip
        db.session.add(plan)
        db.session.flush()
    return plan


def update_plan(admin: User, share: int, new_share: int, period_days: int) -> SamplingPlan:
    for value, what in ((share, "share"), (new_share, "share for new assessors")):
        if not 1 <= value <= 100:
            raise DomainError(f"The {what} must be from 1 to 100 per cent.")
    if new_share < share:
        raise DomainError(
            "New assessors are sampled at least as much as others.",
            field="new_assessor_share_percent",
        )
    if not 7 <= period_days <= 366:
        raise DomainError("The period must be from 7 to 366 days.", field="period_days")
    plan = plan_for(admin.provider_id)
    before = {
        "share": plan.share_percent,
        "new": plan.new_assessor_share_percent,
        "period": plan.period_days,
    }
    plan.share_percent, plan.new_assessor_share_percent, plan.period_days = (
        share,
        new_share,
        period_days,
    )
    db.session.flush()
    audit.record(
        "sampling_plan.changed", provider_id=admin.provider_id, actor=admin, object_type="sampling_plan",
        object_id=plan.id, before=before, after={"share": share, "new": new_share, "period": period_days},
        summary=f"Sampling plan: {share}% ({new_share}% for new assessors) over {period_days} days",
    )  # fmt: skip
    return plan


@dataclass
class AssessorCoverage:
    assessor: User
    decisions: int = 0
    sampled: int = 0
    share: int = 0
    units: int = 0  # units among the decisions
    sampled_units: int = 0  # of those, units with a sampled decision, whoever's

    @property
    def target(self) -> int:
        return math.ceil(self.decisions * self.share / 100) if self.decisions else 0

    @property
    def sampled_percent(self) -> int:
        return round(100 * self.sampled / self.decisions) if self.decisions else 0

    @property
    def met(self) -> bool:
        """The plan holds for this assessor: their share is sampled, and every unit they
        decided on has a sample (the decision sampled may be another assessor's)."""
        return share_met(self.decisions, self.sampled, self.share) and self.sampled_units == self.units


def _this_period(iqa: User, plan: SamplingPlan) -> tuple[ColumnElement[bool], ...]:
    """Decisions on the IQA's learners (a query joined to their Enrolment) in the period."""
    since = utcnow() - timedelta(days=plan.period_days)
    return (
        Decision.provider_id == iqa.provider_id,
        Enrolment.iqa_id == iqa.id,
        Decision.decided_at >= since,
    )


def _period_decisions(iqa: User, plan: SamplingPlan) -> list[Decision]:
    return db.session.scalars(
        select(Decision)
        .join(EvidenceItem, Decision.item_id == EvidenceItem.id)
        .join(Enrolment, EvidenceItem.enrolment_id == Enrolment.id)
        .where(*_this_period(iqa, plan))
        .order_by(Decision.decided_at, Decision.id)
        .options(
            joinedload(Decision.assessor),
            joinedload(Decision.item).joinedload(EvidenceItem.enrolment).joinedload(Enrolment.unit),
        )
    ).all()


def coverage(iqa: User, plan: SamplingPlan) -> list[AssessorCoverage]:
    """Per assessor of the IQA's learners: decisions this period, how many are sampled (by any
    of the provider's IQAs) against the plan's share, and the units among them with a sample
    this period. Counted in the database, so the page reads as many rows as there are
    assessors, however many thousand decisions the period holds. ``plan`` is the provider's
    (``plan_for``)."""
    sampled_units = (
        select(Decision.unit_id)
        .join(Enrolment, Decision.enrolment_id == Enrolment.id)
        .join(Sample, Sample.decision_id == Decision.id)
        .where(*_this_period(iqa, plan))
    )
    sampled_unit = case((Decision.unit_id.in_(sampled_units), Decision.unit_id))
    counted = db.session.execute(
        select(
            Decision.assessor_id,
            func.count(Decision.id).label("decisions"),
            func.count(Sample.id).label("sampled"),
            func.count(Decision.unit_id.distinct()).label("units"),
            func.count(sampled_unit.distinct()).label("sampled_units"),
        )
        .join(Enrolment, Decision.enrolment_id == Enrolment.id)
        .outerjoin(Sample, Sample.decision_id == Decision.id)
        .where(*_this_period(iqa, plan))
        .group_by(Decision.assessor_id)
    ).all()
    assessors = db.session.scalars(
        select(User).where(User.id.in_([row.assessor_id for row in counted]))
    )
    by_id = {assessor.id: assessor for assessor in assessors}
    out = []
    for row in counted:
        assessor = by_id[row.assessor_id]
        share = plan.new_assessor_share_percent if assessor.new_assessor else plan.share_percent
        out.append(AssessorCoverage(assessor, row.decisions, row.sampled, share, row.units,
                                    row.sampled_units))  # fmt: skip
    return sorted(out, key=lambda c: (c.assessor.name, c.assessor.id))


def _shuffle_key(decision: Decision) -> str:
    # Deterministic but unpredictable to the assessor: the order cannot be gamed by timing.
    return hashlib.sha256(
        f"sample:{decision.id}:{decision.decided_at.isoformat()}".encode()
    ).hexdigest()


def draw_samples(iqa: User) -> list[Sample]:
    """Choose decisions for this IQA to sample so that the plan holds; each with its reasons.

    Every assessor and every unit with decisions this period gets at least one sample, new
    assessors get the higher share, and the rest are drawn at random up to the share.
    An IQA never samples their own decisions.
    """
    if iqa.role is not Role.IQA:
        raise DomainError("Only IQAs sample assessment decisions.")
    plan = plan_for(iqa.provider_id)
    decisions = [d for d in _period_decisions(iqa, plan) if d.assessor_id != iqa.id]
    already = set(
        db.session.scalars(select(Sample.decision_id).where(Sample.provider_id == iqa.provider_id))
    )
    chosen: dict[int, list[str]] = {}
    sampled_units = {d.item.enrolment.unit_id for d in decisions if d.id in already}
    by_assessor: dict[int, list[Decision]] = {}
    for decision in decisions:
        by_assessor.setdefault(decision.assessor_id, []).append(decision)

    def choose(decision: Decision, reason: str) -> None:
        chosen.setdefault(decision.id, []).append(reason)
        sampled_units.add(decision.item.enrolment.unit_id)

    for assessor_decisions in by_assessor.values():
        assessor = assessor_decisions[0].assessor
        share = plan.new_assessor_share_percent if assessor.new_assessor else plan.share_percent
        target = max(1, math.ceil(len(assessor_decisions) * share / 100))
        have = sum(1 for d in assessor_decisions if d.id in already)
        open_ = [d for d in assessor_decisions if d.id not in already]
        # Units of this assessor not yet sampled come first.
        for decision in open_:
            unit = decision.item.enrolment.unit
            if unit.id not in sampled_units:
                choose(
                    decision,
                    f"{unit.title} ({unit.awarding_body.name}) has no sample yet this period",
                )
        have += sum(1 for d in open_ if d.id in chosen)
        label = (
            f"{assessor.name} is a new assessor: {share}% sampled"
            if assessor.new_assessor
            else f"{share}% of {assessor.name}'s decisions"
        )
        for decision in sorted((d for d in open_ if d.id not in chosen), key=_shuffle_key):
            if have >= target:
                break
            reason = "first sample of this assessor this period" if have == 0 else "drawn at random"
            choose(decision, f"{reason}, towards {label} ({target} of {len(assessor_decisions)})")
            have += 1
    samples = []
    for decision in decisions:
        if decision.id in chosen:
            sample = Sample(
                provider_id=iqa.provider_id,
                decision=decision,
                iqa_id=iqa.id,
                reasons=chosen[decision.id],
            )
            db.session.add(sample)
            samples.append(sample)
    db.session.flush()
    for sample in samples:
        item = sample.decision.item
        audit.record(
            "sample.created", provider_id=iqa.provider_id, actor=iqa, object_type="sample",
            object_id=sample.id, learner_id=item.learner_id,
            after={"decision": sample.decision_id, "reasons": sample.reasons},
            summary=f"Sampled the decision on '{item.title}'",
        )  # fmt: skip
    return samples


def _hold(sample: Sample) -> None:
    # A review or an answer changes the unit's sign-off too: it waits for the unit's other
    # one-time steps (``db.hold`` on its enrolment), then reads the sample as it now stands.
    hold(sample.decision.item.enrolment)
    db.session.refresh(sample)


def review(iqa: User, sample: Sample, *, agree: bool, comment: str, actions: str) -> Sample:
    if sample.iqa_id != iqa.id:
        raise DomainError("Only the IQA who drew this sample can review it.")
    if sample.decision.assessor_id == iqa.id:
        raise DomainError("You cannot review your own decision.")
    _hold(sample)
    if sample.status is not SampleStatus.OPEN:
        raise Conflict("This sample has already been reviewed.")
    if not agree and not actions.strip():
        raise DomainError(
            "Say what the assessor must do when you send a decision back.", field="actions"
        )
    check_length(comment, TEXT_LIMIT, "Comment", field="comment")
    check_length(actions, TEXT_LIMIT, "Required actions", field="actions")
    sample.status = SampleStatus.AGREED if agree else SampleStatus.ACTIONS_REQUIRED
    sample.review_comment = comment.strip()
    sample.required_actions = "" if agree else actions.strip()
    sample.reviewed_at = utcnow()
    db.session.flush()
    audit.record(
        "sample.reviewed", provider_id=iqa.provider_id, actor=iqa, object_type="sample",
        object_id=sample.id, learner_id=sample.decision.item.learner_id,
        before={"status": "open"}, after={"status": sample.status.value, "actions": sample.required_actions},
        summary=("Agreed with" if agree else "Sent back") + f" the decision on '{sample.decision.item.title}'",
    )  # fmt: skip
    if not agree:
        item = sample.decision.item
        notify(iqa.provider_id, [sample.decision.assessor_id], "sample_sent_back", sample=sample.id, title=item.title, learner=item.learner.name, iqa=iqa.name)  # fmt: skip
        signoff.put_under_review(iqa, item.enrolment, sample)
    return sample


def respond(assessor: User, sample: Sample, response: str, *, withdraw: bool = False) -> Sample:
    """The assessor answers the IQA's actions and closes the sample. The answer restores a
    sign-off under IQA review (once nothing else of the unit is sent back), or, with
    ``withdraw``, withdraws the unit's sign-off, the response being the reason."""
    if sample.decision.assessor_id != assessor.id:
        raise DomainError("Only the assessor who made the decision can respond.")
    _hold(sample)
    if sample.status is not SampleStatus.ACTIONS_REQUIRED:
        raise Conflict("This sample is not waiting for your response.")
    if len(response.strip()) < 5:
        raise DomainError("Say what you did about the IQA's actions.", field="response")
    check_length(response, TEXT_LIMIT, "What you did about the actions", field="response")
    enrolment = sample.decision.item.enrolment
    if withdraw and signoff.sign_off_in_force(enrolment) is None:
        raise Conflict("The unit has no sign-off in force to withdraw.", field="sign_off")
    sample.status = SampleStatus.CLOSED
    sample.assessor_response = response.strip()
    sample.responded_at = utcnow()
    db.session.flush()
    audit.record(
        "sample.closed", provider_id=assessor.provider_id, actor=assessor, object_type="sample",
        object_id=sample.id, learner_id=sample.decision.item.learner_id,
        before={"status": "actions_required"}, after={"status": "closed", "response": sample.assessor_response},
        summary=f"Responded to the IQA's actions on '{sample.decision.item.title}'",
    )  # fmt: skip
    item = sample.decision.item
    notify(assessor.provider_id, [sample.iqa_id], "sample_answered", sample=sample.id, title=item.title, learner=item.learner.name, assessor=assessor.name)  # fmt: skip
    settle(assessor.id, "sample_sent_back", sample=sample.id)
    if withdraw:
        reason = f"After the IQA's review of '{sample.decision.item.title}': {sample.assessor_response}"
        if len(reason) > signoff.REASON_LIMIT:
            reason = reason[: signoff.REASON_LIMIT - 1] + "…"
        signoff.withdraw(assessor, enrolment, reason)
    else:
        signoff.restore_after_review(assessor, enrolment, sample)
    return sample
