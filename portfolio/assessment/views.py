"""The assessor's queue and marking, the portfolio with sign-off, and IQA sampling."""


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role
from portfolio.apprenticeships import breaks
from portfolio.assessment import marking, marking_view, sampling, signoff
from portfolio.assessment.forms import SampleResponseForm, SampleReviewForm, marking_form
from portfolio.assessment.models import Decision, Outcome, Sample, SampleStatus
from portfolio.assessment.permissions import sample_or_404
from portfolio.assessment.readiness import (
    any_unfinished,
    countersign_problems,
    declaration_problems,
    sign_off_problems,
    unfinished_items,
)
from portfolio.audit import trail as audit
from portfolio.dates import local_today
from portfolio.db import db
from portfolio.enrolments.permissions import enrolment_or_404
from portfolio.errors import DomainError
from portfolio.evidence.coverage import build_portfolio
from portfolio.evidence.models import (
    ASSESSOR_KINDS,
    EMPLOYER_KINDS,
    LEARNER_KINDS,
    EvidenceItem,
    EvidenceStatus,
)
from portfolio.evidence.permissions import item_or_404
from portfolio.forms import EmptyForm, attach_error, form_status
from portfolio.listing import page_number, paginate, whole_number
from portfolio.units.models import LearningOutcome

bp = Blueprint("assessment", __name__)


def _refused(error: DomainError) -> None:
    """Undo the refused change, but keep the refusal itself in the audit trail."""
    db.session.rollback()
    if error.audit:
        audit.record(**error.audit)
        db.session.commit()


def _csrf_or_400() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.get("/enrolments/<int:enrolment_id>/portfolio")
@login_required
def portfolio(enrolment_id: int):
    return _portfolio_page(enrolment_id)


def _portfolio_page(enrolment_id: int, error: DomainError | None = None):
    """The portfolio with its sign-off panel; with a refusal shown at the top when given.

    The manifest is worked out only when a declaration is there to compare it with, and the
    unfinished items are read only when the tallies show some.
    """
    page = whole_number(request.args.get("page", "1"))
    criterion = request.args.get("criterion")
    criterion_id = whole_number(criterion)
    if not page or (criterion is not None and criterion_id is None):
        abort(400, "The page and the criterion are given by whole numbers, such as ?page=2.")
    enrolment = enrolment_or_404(current_user, enrolment_id)
    try:
        portfolio = build_portfolio(enrolment, page=page, criterion_id=criterion_id)
    except LookupError as missing:
        abort(404, str(missing))
    unfinished = unfinished_items(enrolment.id) if any_unfinished(portfolio.tallies) else []
    readiness = signoff.page_readiness(portfolio, unfinished)
    story = signoff.sign_off_records(enrolment.id)
    sign_off = next((h for h in story.history if h.in_force), None)
    declared = None
    if sign_off is None and story.declaration is not None:
        manifest_hash = signoff.canonical_hash(signoff.manifest(enrolment))
        declared = story.declaration.manifest_hash == manifest_hash
    # What stands in the way of the button this person would press: the lists the domain
    # functions refuse with.
    problems = []
    if sign_off is None and current_user.id == enrolment.learner_id:
        problems = declaration_problems(readiness)
    elif sign_off is None and current_user.id == enrolment.assessor_id:
        problems = sign_off_problems(readiness, declared)
    elif current_user.id == enrolment.iqa_id and not (sign_off and sign_off.countersigned_at):
        problems = countersign_problems(
            signed_off=sign_off is not None,
            own=sign_off is not None and sign_off.assessor_id == current_user.id,
            sent_back=story.sent_back,
            awaiting_review=story.awaiting_review,
        )
    kinds = (
        ASSESSOR_KINDS if current_user.id == enrolment.assessor_id
        else EMPLOYER_KINDS if current_user.role is Role.EMPLOYER
        else LEARNER_KINDS
    )  # fmt: skip
    page = render_template(
        "evidence/portfolio.html",
        portfolio=portfolio,
        kinds=kinds,
        readiness=readiness,
        sign_off=sign_off,
        declaration=story.declaration,
        declared=declared,
        history=story.history,
        sent_back=story.sent_back,
        problems=problems,
        error=error.message if error else None,
        # A break in learning going on today pauses what is expected of the learner.
        on_break=breaks.current_break(enrolment.id, local_today(enrolment.provider.time_zone)),
    )
    return page, (error.status if error else 200)


@bp.post("/enrolments/<int:enrolment_id>/declaration")
@roles_required(Role.LEARNER)
def declare(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    _csrf_or_400()
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm the declaration.", "error")
        return redirect(url_for("assessment.portfolio", enrolment_id=enrolment.id)), 303
    return _act(enrolment, lambda: signoff.declare(current_user, enrolment),
                "Your declaration is signed. Your assessor can now sign the unit off.")  # fmt: skip


@bp.post("/enrolments/<int:enrolment_id>/sign-off")
@roles_required(Role.ASSESSOR)
def sign_off(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    _csrf_or_400()
    return _act(enrolment, lambda: signoff.sign_off(current_user, enrolment),
                "The unit is signed off and its evidence is locked.")  # fmt: skip


@bp.post("/enrolments/<int:enrolment_id>/sign-off/withdraw")
@roles_required(Role.ASSESSOR)
def withdraw(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    _csrf_or_400()
    reason = request.form.get("reason", "")
    return _act(enrolment, lambda: signoff.withdraw(current_user, enrolment, reason),
                "The sign-off is withdrawn; the evidence can change again.")  # fmt: skip


@bp.post("/enrolments/<int:enrolment_id>/countersign")
@roles_required(Role.IQA)
def countersign(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    _csrf_or_400()
    return _act(enrolment, lambda: signoff.countersign(current_user, enrolment),
                "Countersigned: the unit is complete.")  # fmt: skip


def _act(enrolment, action, success: str):
    try:
        action()
    except DomainError as error:
        _refused(error)
        return _portfolio_page(enrolment.id, error)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("assessment.portfolio", enrolment_id=enrolment.id))


@bp.get("/queue")
@roles_required(Role.ASSESSOR)
def queue():
    samples = db.session.scalars(
        select(Sample)
        .join(Sample.decision)
        .where(
            Sample.provider_id == current_user.provider_id,
            Sample.status == SampleStatus.ACTIONS_REQUIRED,
            Decision.assessor_id == current_user.id,
        )
        .options(joinedload(Sample.decision).joinedload(Decision.item), joinedload(Sample.iqa))
    ).all()
    paging, overdue, entries = marking.marking_queue(current_user, page_number())
    return render_template(
        "assessment/queue.html",
        entries=entries,
        paging=paging,
        overdue=overdue,
        target=current_user.provider.marking_target_days,
        samples=samples,
    )


def _unit_outcomes(item: EvidenceItem):
    return db.session.scalars(
        select(LearningOutcome)
        .where(LearningOutcome.criteria_set_id == item.enrolment.criteria_set_id)
        .order_by(LearningOutcome.number)
    ).all()


@bp.route("/evidence/<int:item_id>/mark", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR)
def mark(item_id: int):
    item = item_or_404(current_user, item_id)
    if request.method == "GET" and (
        item.status is not EvidenceStatus.SUBMITTED
        or item.enrolment.assessor_id != current_user.id
    ):
        flash("This evidence is not awaiting your decision.", "info")
        return redirect(url_for("evidence.item", item_id=item.id))
    last = marking.latest_decision(item)
    earlier = marking_view.earlier_judgements(last)
    outcomes = _unit_outcomes(item)
    form = marking_form(outcomes, claimed={c.criterion_id for c in item.claims})
    if request.method == "GET":
        marking_view.fill_in(form, earlier)
    status = form_status(form)
    if form.validate_on_submit():
        try:
            marking.record_decision(
                current_user, item, judgements=form.judgements(),
                outcome=Outcome(form.outcome.data), feedback=form.feedback.data or "",
                lock_version=form.lock_version.data,
            )  # fmt: skip
        except DomainError as problem:
            _refused(problem)
            item = item_or_404(current_user, item_id)
            attach_error(form, problem)
            status = problem.status
        except StaleDataError:
            # Someone else decided in the same moment: keep what this assessor typed.
            db.session.rollback()
            item = item_or_404(current_user, item_id)
            form.form_errors.append(
                "Someone else decided on this evidence at the same moment. Your judgements "
                "and feedback are below, not saved: reload the evidence to see their decision."
            )
            status = 409
        else:
            db.session.commit()
            flash(f"Decision recorded: '{item.title}' is {item.status.label.lower()}.", "success")
            return redirect(url_for("assessment.queue"))
    return (
        render_template(
            "assessment/mark.html",
            item=item,
            outcomes=outcomes,
            claimed={c.criterion_id: c for c in item.claims},
            last=last,
            earlier=earlier,
            since=marking_view.since(item, last),
            evidence=marking_view.evidence_in_full(item),
            form=form,
        ),  # fmt: skip
        status,
    )


@bp.post("/evidence/<int:item_id>/confirm")
@roles_required(Role.ASSESSOR)
def confirm(item_id: int):
    item = item_or_404(current_user, item_id)
    _csrf_or_400()
    try:
        marking.confirm_record(current_user, item)
    except DomainError as error:
        _refused(error)
        flash(error.message, "error")
        return redirect(url_for("evidence.item", item_id=item.id)), 303
    db.session.commit()
    flash("The record is confirmed and counts as accepted evidence.", "success")
    return redirect(url_for("assessment.portfolio", enrolment_id=item.enrolment_id))


# The provider's own settings on the sampling page, each with the range it may take: the
# form offers them and the plan route refuses anything outside.
PROVIDER_SETTINGS = {"marking_target_days": (1, 60), "inactive_days": (7, 120)}


@bp.route("/sampling", methods=["GET"])
@roles_required(Role.IQA, Role.ADMIN)
def sampling_page():
    plan = sampling.plan_for(current_user.provider_id)
    samples = None
    coverage = []
    if current_user.role is Role.IQA:
        coverage = sampling.coverage(current_user, plan)
        # Those awaiting the IQA's review first, then those sent back to the assessor, then
        # the rest; newest first within each; fifty a page.
        waiting_first = case(
            {SampleStatus.OPEN: 0, SampleStatus.ACTIONS_REQUIRED: 1}, value=Sample.status, else_=2
        )
        samples = paginate(
            select(Sample)
            .where(Sample.iqa_id == current_user.id)
            .order_by(waiting_first, Sample.created_at.desc(), Sample.id.desc())
            .options(
                joinedload(Sample.decision).joinedload(Decision.item),
                joinedload(Sample.decision).joinedload(Decision.assessor),
            )
        )
    page = render_template(
        "assessment/sampling.html", plan=plan, coverage=coverage, samples=samples, form=EmptyForm(),
        limits=PROVIDER_SETTINGS,
    )  # fmt: skip
    # The plan is created with its defaults on first view. Committed once the page is made:
    # a commit expires what was read, and each sample would be read again as it is shown.
    db.session.commit()
    return page


@bp.post("/sampling/draw")
@roles_required(Role.IQA)
def draw():
    _csrf_or_400()
    drawn = sampling.draw_samples(current_user)
    db.session.commit()
    flash(f"{len(drawn)} new sample{'s' if len(drawn) != 1 else ''} drawn." if drawn else
          "The plan already holds: no new samples were needed.", "success")  # fmt: skip
    return redirect(url_for("assessment.sampling_page"))


@bp.post("/sampling/plan")
@roles_required(Role.ADMIN)
def plan():
    _csrf_or_400()
    try:
        share = int(request.form.get("share_percent", ""))
        new_share = int(request.form.get("new_assessor_share_percent", ""))
        period = int(request.form.get("period_days", ""))
        target = int(request.form.get("marking_target_days", ""))
        inactive = int(request.form.get("inactive_days", ""))
    except ValueError:
        flash("Enter whole numbers for every setting.", "error")
        return redirect(url_for("assessment.sampling_page")), 303
    try:
        low, high = PROVIDER_SETTINGS["marking_target_days"]
        if not low <= target <= high:
            raise DomainError(f"The marking target must be from {low} to {high} working days.")
        low, high = PROVIDER_SETTINGS["inactive_days"]
        if not low <= inactive <= high:
            raise DomainError("The days without activity before a learner is at risk must be "
                              f"from {low} to {high}.")  # fmt: skip
        sampling.update_plan(current_user, share, new_share, period)
        current_user.provider.marking_target_days = target
        current_user.provider.inactive_days = inactive
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("assessment.sampling_page")), 303
    db.session.commit()
    flash("Sampling plan, marking target and at-risk days saved.", "success")
    return redirect(url_for("assessment.sampling_page"))


def _ready_to_countersign(enrolment) -> bool:
    """Whether the unit is signed off, waits for the IQA's countersignature, and no sample of
    it waits for the IQA's review or the assessor's answer: where the IQA goes next."""
    record = signoff.sign_off_in_force(enrolment)
    return (
        record is not None
        and record.countersigned_at is None
        and not any(signoff.samples_waiting(enrolment.id, status)
                    for status in (SampleStatus.OPEN, SampleStatus.ACTIONS_REQUIRED))
    )  # fmt: skip


@bp.route("/samples/<int:sample_id>", methods=["GET", "POST"])
@roles_required(Role.IQA, Role.ASSESSOR)
def sample(sample_id: int):
    sample = sample_or_404(current_user, sample_id)
    reviewing = current_user.role is Role.IQA
    form = SampleReviewForm() if reviewing else SampleResponseForm()
    status = form_status(form)
    if form.validate_on_submit():
        try:
            if reviewing:
                sampling.review(current_user, sample, agree=form.verdict.data == "agree",
                                comment=form.comment.data or "", actions=form.actions.data or "")  # fmt: skip
            else:
                sampling.respond(current_user, sample, form.response.data or "",
                                 withdraw=form.sign_off.data == "withdraw")  # fmt: skip
        except DomainError as problem:
            _refused(problem)
            sample = sample_or_404(current_user, sample_id)
            attach_error(form, problem)
            status = problem.status
        else:
            db.session.commit()
            title, assessor = sample.decision.item.title, sample.decision.assessor.name
            after = url_for("assessment.sampling_page" if reviewing else "assessment.queue")
            if not reviewing:
                message = (f"Your answer on '{title}' is sent to {sample.iqa.name}, who is told; "
                           "the sample is closed.")  # fmt: skip
            elif form.verdict.data == "agree":
                message = f"Recorded that you agree with {assessor}'s decision on '{title}'."
                if _ready_to_countersign(sample.decision.item.enrolment):
                    message += " Nothing holds the unit's countersignature now."
                    after = url_for("assessment.portfolio", enrolment_id=sample.decision.enrolment_id)
            else:
                message = (f"Sent {assessor}'s decision on '{title}' back with your actions; "
                           f"{assessor} is told.")  # fmt: skip
            flash(message, "success")
            return redirect(after)
    decision = sample.decision
    version = next(v for v in decision.item.versions if v.number == decision.version_number)
    return (
        render_template(
            "assessment/sample.html", sample=sample, decision=decision, version=version, form=form,
            sign_off=signoff.sign_off_in_force(decision.item.enrolment),
        ),  # fmt: skip
        status,
    )
