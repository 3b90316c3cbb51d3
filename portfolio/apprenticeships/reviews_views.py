"""The progress review pages: an apprenticeship's reviews with the next due date, one review
with each party's part and signature, its signed PDF, and the provider's review interval."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role, User
from portfolio.apprenticeships import reviews, reviews_due, reviews_facts, reviews_pdf
from portfolio.apprenticeships.models import Apprenticeship
from portfolio.apprenticeships.reviews_forms import (
    CommentsForm,
    ReviewerPartForm,
    ReviewIntervalForm,
    TargetForm,
)
from portfolio.apprenticeships.reviews_models import (
    Party,
    ProgressReview,
    ReviewDocument,
    ReviewDocumentStatus,
    ReviewSignature,
    ReviewStatus,
    TargetState,
)
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import enrolment_or_404, visible_enrolment_ids
from portfolio.errors import DomainError
from portfolio.exports import service
from portfolio.forms import EmptyForm, attach_error, form_status

bp = Blueprint("reviews", __name__)


@bp.app_template_global()
def target_state_label(state: TargetState | str) -> str:
    """A target's state as every page names it, also from a review's stored facts (a str)."""
    return TargetState(state).label


def _apprenticeship_or_404(enrolment: Enrolment) -> Apprenticeship:
    apprenticeship = reviews.apprenticeship_of(enrolment)
    if apprenticeship is None:
        abort(404)
    return apprenticeship


def review_or_404(user: User, review_id: int) -> ProgressReview:
    """The review, if ``user`` may see its enrolment (``enrolments.permissions``); 404
    otherwise, another provider's above all."""
    review = db.session.scalar(
        select(ProgressReview)
        .where(ProgressReview.id == review_id,
               ProgressReview.enrolment_id.in_(visible_enrolment_ids(user)))
        .options(
            joinedload(ProgressReview.enrolment).joinedload(Enrolment.learner),
            selectinload(ProgressReview.targets),
            selectinload(ProgressReview.signatures).selectinload(ReviewSignature.user),
        )
    )  # fmt: skip
    if review is None:
        abort(404)
    return review


@bp.route("/enrolments/<int:enrolment_id>/reviews", methods=["GET", "POST"])
@login_required
def index(enrolment_id: int):
    """The apprenticeship's reviews, newest first, and when the next is due; the reviewer
    starts the next one here."""
    enrolment = enrolment_or_404(current_user, enrolment_id)
    apprenticeship = _apprenticeship_or_404(enrolment)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form was incomplete: reload the page and try again.")
        try:
            review = reviews.start_review(current_user, enrolment)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("reviews.index", enrolment_id=enrolment_id))
        db.session.commit()
        flash(f"Review {review.number} is started with what changed since the last one.",
              "success")  # fmt: skip
        return redirect(url_for("reviews.review", review_id=review.id))
    found = reviews.reviews_of(enrolment.id)
    due = reviews_due.next_due(enrolment)
    today = reviews_facts.today_for(enrolment)
    return render_template(
        "apprenticeships/reviews.html", enrolment=enrolment, apprenticeship=apprenticeship,
        reviews=found, due=due, today=today, form=form,
        paused=due is None, interval=enrolment.provider.review_interval_weeks,
        reviewing=Party.REVIEWER in reviews.parties_of(
            current_user, enrolment, apprenticeship.line_manager_id),
        unfinished=bool(found) and found[0].status is not ReviewStatus.SIGNED,
    )  # fmt: skip


def _page(review: ProgressReview, status: int = 200, **forms):
    """The review page, with each part's form for the parties the signed-in person is."""
    enrolment = review.enrolment
    apprenticeship = _apprenticeship_or_404(enrolment)
    mine = reviews.parties_of(current_user, enrolment, apprenticeship.line_manager_id)
    if Party.REVIEWER in mine and "reviewer_form" not in forms:
        forms["reviewer_form"] = ReviewerPartForm(
            formdata=None, held_on=review.held_on, notes=review.reviewer_notes
        )
    if Party.REVIEWER in mine and "target_form" not in forms:
        forms["target_form"] = TargetForm(formdata=None)
    for party in (Party.APPRENTICE, Party.EMPLOYER):
        if party in mine and "comments_form" not in forms:
            forms["comments_form"] = CommentsForm(formdata=None, comments=review.comments(party))
    read = reviews.read_hash(review)  # the review as this page shows it, to sign as read
    if "comments_form" in forms:
        forms["comments_form"].read.data = read
    document = db.session.scalar(
        select(ReviewDocument).where(ReviewDocument.review_id == review.id)
    )
    return render_template(
        "apprenticeships/review.html", review=review, enrolment=enrolment,
        apprenticeship=apprenticeship, mine=mine, parties=list(Party),
        facts=reviews_facts.readable_facts(review.facts),
        states=[s for s in TargetState if s is not TargetState.OPEN], document=document,
        holds={s.party: reviews.signature_holds(review, s) for s in review.signatures},
        read=read, form=EmptyForm(), **forms,
    ), status  # fmt: skip


@bp.get("/reviews/<int:review_id>")
@login_required
def review(review_id: int):
    return _page(review_or_404(current_user, review_id))


def _refused(review_id: int, error: DomainError, **forms):
    """The page again after a refusal, with nothing saved and the message where it belongs."""
    db.session.rollback()
    review = review_or_404(current_user, review_id)
    for form in forms.values():
        attach_error(form, error)
    if not forms:  # a button's refusal: the page as it is, with why, and the refusal's status
        flash(error.message, "error")
    return _page(review, error.status, **forms)


def _states(review: ProgressReview) -> dict[int, TargetState]:
    """How the reviewer says each carried target went: a choice named state-<target id>."""
    out = {}
    for target in review.targets:
        value = request.form.get(f"state-{target.id}")
        if value is None or target.carried_from_id is None:
            continue
        try:
            out[target.id] = TargetState(value)
        except ValueError:
            raise DomainError(
                f"Choose how the target “{target.text[:60]}” went from the list."
            ) from None
    return out


@bp.post("/reviews/<int:review_id>/reviewer")
@roles_required(Role.ASSESSOR, Role.ADMIN)
def reviewer_part(review_id: int):
    review = review_or_404(current_user, review_id)
    form = ReviewerPartForm()
    if not form.validate_on_submit():
        return _page(review, form_status(form), reviewer_form=form)
    try:
        reviews.save_reviewer_part(current_user, review, form.held_on.data, form.notes.data,
                                   _states(review))  # fmt: skip
        if "sign" in request.form:
            reviews.sign(current_user, review, Party.REVIEWER)
    except DomainError as error:
        return _refused(review_id, error, reviewer_form=form)
    db.session.commit()
    flash("Your part is signed." if "sign" in request.form else "Your part is saved.", "success")
    return redirect(url_for("reviews.review", review_id=review.id))


@bp.post("/reviews/<int:review_id>/sign")
@roles_required(Role.ASSESSOR, Role.ADMIN)
def sign(review_id: int):
    """The reviewer signs a review that others have signed already (their part is frozen)."""
    review = review_or_404(current_user, review_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form was incomplete: reload the page and try again.")
    try:
        reviews.sign(current_user, review, Party.REVIEWER, read=request.form.get("read", ""))
    except DomainError as error:
        return _refused(review_id, error)
    db.session.commit()
    flash("You have signed the review.", "success")
    return redirect(url_for("reviews.review", review_id=review.id))


@bp.post("/reviews/<int:review_id>/targets")
@roles_required(Role.ASSESSOR, Role.ADMIN)
def add_target(review_id: int):
    review = review_or_404(current_user, review_id)
    form = TargetForm()
    if not form.validate_on_submit():
        return _page(review, form_status(form), target_form=form)
    try:
        reviews.add_target(current_user, review, form.text.data, form.due_on.data)
    except DomainError as error:
        return _refused(review_id, error, target_form=form)
    db.session.commit()
    flash("The target is added.", "success")
    return redirect(url_for("reviews.review", review_id=review.id, _anchor="targets-h"))


@bp.post("/reviews/<int:review_id>/targets/<int:target_id>/remove")
@roles_required(Role.ASSESSOR, Role.ADMIN)
def remove_target(review_id: int, target_id: int):
    review = review_or_404(current_user, review_id)
    target = next((t for t in review.targets if t.id == target_id), None)
    if target is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form was incomplete: reload the page and try again.")
    try:
        reviews.remove_target(current_user, review, target)
    except DomainError as error:
        return _refused(review_id, error)
    db.session.commit()
    flash("The target is removed.", "success")
    return redirect(url_for("reviews.review", review_id=review.id, _anchor="targets-h"))


@bp.post("/reviews/<int:review_id>/comments")
@roles_required(Role.LEARNER, Role.EMPLOYER)
def comments(review_id: int):
    """The apprentice's or the employer's comments, saved, or saved and signed."""
    review = review_or_404(current_user, review_id)
    party = Party.APPRENTICE if current_user.role is Role.LEARNER else Party.EMPLOYER
    form = CommentsForm()
    if not form.validate_on_submit():
        return _page(review, form_status(form), comments_form=form)
    try:
        reviews.save_comments(current_user, review, party, form.comments.data)
        if "sign" in request.form:
            reviews.sign(current_user, review, party, read=form.read.data or "")
    except DomainError as error:
        return _refused(review_id, error, comments_form=form)
    db.session.commit()
    flash("Your comments are signed." if "sign" in request.form else "Your comments are saved.",
          "success")  # fmt: skip
    return redirect(url_for("reviews.review", review_id=review.id))


@bp.post("/reviews/<int:review_id>/refresh")
@roles_required(Role.ASSESSOR, Role.ADMIN)
def refresh(review_id: int):
    review = review_or_404(current_user, review_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form was incomplete: reload the page and try again.")
    try:
        reviews.refresh_facts(current_user, review)
    except DomainError as error:
        return _refused(review_id, error)
    db.session.commit()
    flash("What changed since the last review is brought up to date.", "success")
    return redirect(url_for("reviews.review", review_id=review.id))


@bp.post("/reviews/<int:review_id>/reopen")
@roles_required(Role.ASSESSOR, Role.ADMIN)
def reopen(review_id: int):
    review = review_or_404(current_user, review_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form was incomplete: reload the page and try again.")
    try:
        reviews.reopen(current_user, review)
    except DomainError as error:
        return _refused(review_id, error)
    db.session.commit()
    flash("The review is reopened and its signatures cleared: each party signs again.", "success")
    return redirect(url_for("reviews.review", review_id=review.id))


@bp.route("/reviews/<int:review_id>.pdf", methods=["GET", "POST"])
@login_required
def pdf(review_id: int):
    """The signed review's PDF, for whoever may see the enrolment; while it is being made,
    or if making it failed, the review page says so (POST tries a failed one again)."""
    review = review_or_404(current_user, review_id)
    record = db.session.scalar(select(ReviewDocument).where(ReviewDocument.review_id == review.id))
    if record is None:
        abort(404)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400, "The form was incomplete: reload the page and try again.")
        reviews_pdf.retry(record, current_user.id)
        db.session.commit()
        return redirect(url_for("reviews.review", review_id=review.id, _anchor="document-h"))
    if record.status is not ReviewDocumentStatus.READY:
        return redirect(url_for("reviews.review", review_id=review.id, _anchor="document-h"))
    name = f"progress-review-{review.number}-{review.enrolment_id}.pdf"
    try:
        response = send_file(
            service.stored_path(record.stored_name), mimetype="application/pdf",
            as_attachment="inline" not in request.args, download_name=name, conditional=True,
            etag=record.sha256,
        )  # fmt: skip
    except FileNotFoundError:
        current_app.logger.error("stored review PDF %s is missing", record.stored_name)
        abort(404)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/provider/reviews", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def interval():
    """How many weeks apart the provider's progress reviews fall due."""
    form = ReviewIntervalForm(obj=current_user.provider)
    if form.validate_on_submit():
        try:
            reviews_due.change_interval(current_user, form.review_interval_weeks.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            weeks = form.review_interval_weeks.data
            flash(f"Progress reviews now fall due every {'week' if weeks == 1 else f'{weeks} weeks'}.",
                  "success")  # fmt: skip
            return redirect(url_for("reviews.interval"))
    return render_template("apprenticeships/review_interval.html", form=form), form_status(form)
