"""The learner's evidence pages: portfolio, each kind's form, claims, files, checks, history."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.enrolments.permissions import enrolment_or_404
from portfolio.errors import Conflict, DomainError
from portfolio.evidence import comments, files, history, incident, operations, quality
from portfolio.evidence.forms import (
    FORMS,
    CommentForm,
    DismissForm,
    RedactForm,
    StarAccountForm,
    UploadForm,
)
from portfolio.evidence.item_suggestions import is_read, suggest_for_item
from portfolio.evidence.kinds import STAR_PARTS, field_label, plain_text, text_fields
from portfolio.evidence.models import EvidenceFile, EvidenceItem, EvidenceKind, EvidenceStatus
from portfolio.evidence.permissions import (
    author_or_403,
    item_or_404,
    kind_for_author_or_404,
    own_item_or_404,
)
from portfolio.forms import EmptyForm, attach_error, form_status
from portfolio.listing import whole_number
from portfolio.units.models import LearningOutcome

bp = Blueprint("evidence", __name__)


def _incident_log_choices(form, learner_id: int, enrolment_id: int, exclude: int | None = None):
    if not isinstance(form, StarAccountForm):
        return
    logs = db.session.execute(
        select(EvidenceItem.id, EvidenceItem.title).where(
            EvidenceItem.learner_id == learner_id,
            EvidenceItem.enrolment_id == enrolment_id,
            EvidenceItem.kind == EvidenceKind.INCIDENT_LOG,
        )
    ).all()
    form.linked_item_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(i, title) for i, title in logs if i != exclude
    ]


def _wants_another_row(form) -> bool:
    """The no-JavaScript way to lengthen a list: a button that adds an empty row."""
    row = request.form.get("add_row")
    if row in ("communications", "resources") and hasattr(form, row):
        getattr(form, row).append_entry()
        return True
    return False


@bp.route("/enrolments/<int:enrolment_id>/evidence/new/<kind>", methods=["GET", "POST"])
@roles_required(Role.LEARNER, Role.ASSESSOR, Role.EMPLOYER)
def new(enrolment_id: int, kind: str):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    kind = kind_for_author_or_404(current_user, kind, enrolment)
    if request.method == "GET" and enrolment.locked:
        # Said before anything is typed, not only once it is sent (start_item refuses it too).
        flash("This unit is signed off: no evidence can be added until the sign-off is "
              "withdrawn.", "error")  # fmt: skip
        return redirect(url_for("assessment.portfolio", enrolment_id=enrolment.id))
    form = FORMS[kind.value]()
    _incident_log_choices(form, current_user.id, enrolment.id)
    if request.method == "GET" and current_user.role is Role.EMPLOYER:
        # The line manager is the witness: their name and role to start from.
        form.witness_name.data = current_user.name
        form.witness_role.data = "Line manager"
    if request.method == "POST" and _wants_another_row(form):
        return render_template(
            "evidence/form.html", form=form, kind=kind, enrolment=enrolment, item=None
        )
    if form.validate_on_submit():
        try:
            item = operations.start_item(
                current_user, enrolment, kind, form.title.data, form.content(),
                linked_item_id=getattr(form, "linked_item_id", None) and form.linked_item_id.data,
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Saved as a draft. Next, claim the criteria it shows.", "success")
            return redirect(url_for("evidence.item", item_id=item.id))
    return (
        render_template("evidence/form.html", form=form, kind=kind, enrolment=enrolment, item=None),
        form_status(form),
    )


@bp.get("/evidence/<int:item_id>")
@login_required
def item(item_id: int):
    return _item_page(item_or_404(current_user, item_id))


def _item_page(
    item: EvidenceItem, *, upload_form=None, comment_form=None,
    error: DomainError | str | None = None, status: int = 200,
):  # fmt: skip
    version = item.current
    content = version.content
    is_log = item.kind is EvidenceKind.INCIDENT_LOG
    found = operations.findings(item) if item.editable else []
    if isinstance(error, DomainError):
        # The problems are listed beside the Submit button: the summary need not repeat them.
        error = "It was refused for the reasons listed under “Before you submit”."
    return (
        render_template(
            "evidence/item.html",
            item=item,
            version=version,
            warnings=quality.check(item.kind, content) if item.editable else [],
            findings=found,
            # The same list submit_item refuses with, shown before the button is pressed.
            blockers=operations.submission_problems(item, found) if item.editable else [],
            upload_form=upload_form or UploadForm(),
            empty_form=EmptyForm(),
            timeline=incident.timeline(content) if is_log else [],
            star_parts=STAR_PARTS,
            priority=incident.priority(content.get("impact"), content.get("urgency")),
            labels=_labels(),
            error=error,
            comments=comments.comments_on(item),
            comment_form=(comment_form or CommentForm())
            if comments.may_comment(current_user)
            else None,
        ),
        status,
    )


@bp.post("/evidence/<int:item_id>/comments")
@roles_required(*comments.COMMENTERS)
def comment(item_id: int):
    item = item_or_404(current_user, item_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comments.add_comment(current_user, item, form.body.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Your comment is added.", "success")
            return redirect(url_for("evidence.item", item_id=item.id) + "#comments")
        item = item_or_404(current_user, item_id)
    return _item_page(item, comment_form=form, status=form_status(form))


def _labels():
    return {
        "channel": incident.CHANNEL_LABELS,
        "type": incident.TYPE_LABELS,
        "severity": incident.SEVERITY_LABELS,
        "sla": incident.SLA_TARGETS,
    }


@bp.route("/evidence/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(Role.LEARNER, Role.ASSESSOR, Role.EMPLOYER)
def edit(item_id: int):
    item = own_item_or_404(current_user, item_id)
    if not item.editable:
        flash(
            "This evidence cannot be changed now: it is with the assessor, accepted, "
            "or part of a signed-off unit.",
            "info",
        )
        return redirect(url_for("evidence.item", item_id=item.id))
    form = FORMS[item.kind.value]()
    _incident_log_choices(form, current_user.id, item.enrolment_id, exclude=item.id)
    if request.method == "GET":
        form.fill(item.title, item.current.content)
        if isinstance(form, StarAccountForm):
            form.linked_item_id.data = item.linked_item_id
    elif _wants_another_row(form):
        return render_template(
            "evidence/form.html", form=form, kind=item.kind, enrolment=item.enrolment, item=item
        )
    status = None
    if form.validate_on_submit():
        try:
            operations.save_item(
                current_user, item, form.title.data, form.content(),
                linked_item_id=getattr(form, "linked_item_id", None) and form.linked_item_id.data,
                lock_version=request.form.get("lock_version", type=int),
            )  # fmt: skip
            db.session.commit()
        except (DomainError, StaleDataError) as error:
            # A conflict keeps the learner's text on the page: nothing typed is lost.
            db.session.rollback()
            if isinstance(error, StaleDataError):
                error = Conflict("This evidence was changed somewhere else at the same moment. "
                                 "Your changes are below, not saved: copy what you need and reload.")  # fmt: skip
            attach_error(form, error)
            status = error.status
        else:
            flash("Your changes are saved.", "success")
            return redirect(url_for("evidence.item", item_id=item.id))
    item = own_item_or_404(current_user, item_id)
    return (
        render_template(
            "evidence/form.html", form=form, kind=item.kind, enrolment=item.enrolment, item=item
        ),
        status or form_status(form),
    )


@bp.route("/evidence/<int:item_id>/claims", methods=["GET", "POST"])
@login_required
def claims(item_id: int):
    item = item_or_404(current_user, item_id)
    outcomes = db.session.scalars(
        select(LearningOutcome)
        .where(LearningOutcome.criteria_set_id == item.enrolment.criteria_set_id)
        .order_by(LearningOutcome.number)
    ).all()
    form = EmptyForm()
    current = {c.criterion_id: c.note for c in item.claims}
    error, status = None, 200
    if request.method == "POST":
        author_or_403(current_user, item)
        if form.validate_on_submit():
            # The claims are the boxes ticked, and a suggestion's "Claim" button adds its
            # criterion to them; posted without the boxes, it adds to the claims saved.
            accepted = request.form.get("accept")
            boxes = request.form.get("boxes") == "sent"
            chosen = {} if boxes or not accepted else {c.criterion_id: c.note for c in item.claims}
            keys = request.form.getlist("criterion") if boxes or not accepted else []
            for key in keys + ([accepted] if accepted else []):
                criterion_id = whole_number(key)
                if criterion_id is None:
                    abort(400, f"“{key[:20]}” is not a criterion of this unit: choose from the list.")
                chosen.setdefault(criterion_id, request.form.get(f"note_{key}", ""))
            try:
                operations.set_claims(current_user, item, chosen)
            except DomainError as problem:
                db.session.rollback()
                error, status = problem.message, problem.status
                current = chosen
            else:
                db.session.commit()
                count = len(chosen)
                claimed = f"this evidence claims {count} criteri{'on' if count == 1 else 'a'}."
                if accepted:
                    number = next(c.number for o in outcomes for c in o.criteria
                                  if c.id == whole_number(accepted))  # fmt: skip
                    flash(f"Claimed {number}: {claimed}", "success")
                    # Back to the suggestions, where the next one may be accepted.
                    return redirect(url_for("evidence.claims", item_id=item.id) + "#suggested")
                flash(f"Saved: {claimed}", "success")
                return redirect(url_for("evidence.item", item_id=item.id))
    suggested = suggest_for_item(item, plain_text(item.kind, item.title, item.current.content))
    return (
        render_template(
            "evidence/claims.html",
            item=item,
            outcomes=outcomes,
            claims=current,
            form=form,
            suggestions=suggested.suggestions,
            suggestions_read=suggested.read,
            error=error,
        ),  # fmt: skip
        status,
    )


@bp.get("/evidence/<int:item_id>/claims/reading")
@login_required
def claims_reading(item_id: int):
    """Whether the worker has read the item's current text for its suggestions, for the claims
    page to offer the new ones (static/suggestion-reading.js)."""
    item = item_or_404(current_user, item_id)
    return {"read": is_read(item, plain_text(item.kind, item.title, item.current.content))}


@bp.post("/evidence/<int:item_id>/files")
@roles_required(Role.LEARNER, Role.ASSESSOR, Role.EMPLOYER)
def upload(item_id: int):
    item = own_item_or_404(current_user, item_id)
    form = UploadForm()
    status = 400
    if form.validate_on_submit():
        try:
            record = operations.attach_file(
                current_user, item, form.file.data, form.description.data or ""
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            if error.status == 409:
                abort(409, error.message)
            attach_error(form, error)
            status = error.status  # 503 or 507 when the server's storage refused the file
        except BaseException:
            db.session.rollback()
            raise
        else:
            flash(f"Attached {record.original_name}.", "success")
            return redirect(url_for("evidence.item", item_id=item.id) + "#files")
    return _item_page(item, upload_form=form, status=status)


def _file_of(item: EvidenceItem, file_id: int) -> EvidenceFile:
    record = next((f for f in item.files if f.id == file_id), None)
    if record is None:
        abort(404)
    return record


@bp.get("/evidence/<int:item_id>/files/<int:file_id>")
@login_required
def download(item_id: int, file_id: int):
    """The file as an attachment; with ?inline=1, an image, audio file or PDF as the browser
    shows it (the marking page's <img>, <audio> and frame), framed by this site only."""
    item = item_or_404(current_user, item_id)
    record = _file_of(item, file_id)
    inline = request.args.get("inline") == "1" and record.media_type in files.SHOWN_INLINE
    response = send_file(
        files.path_of(record.stored_name),
        mimetype=record.media_type,
        as_attachment=not inline,
        download_name=record.original_name,
        conditional=True,
        etag=record.sha256,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if inline:
        # No sandbox: browsers' PDF viewers do not run in a sandboxed document. The type is
        # libmagic's reading of the content, so no HTML or script is ever served this way.
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/evidence/<int:item_id>/files/<int:file_id>/remove")
@roles_required(Role.LEARNER, Role.ASSESSOR, Role.EMPLOYER)
def remove_file(item_id: int, file_id: int):
    item = own_item_or_404(current_user, item_id)
    record = _file_of(item, file_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        stored_name = operations.remove_file(current_user, item, record)
    except DomainError as error:
        abort(error.status, error.message)
    db.session.commit()
    if stored_name:
        # Once the removal is committed the file is no one's: one the disk refuses to delete
        # now is deleted by the next 'flask evidence sweep'.
        files.remove_stored(stored_name)
    flash(f"Removed {record.original_name}.", "success")
    return redirect(url_for("evidence.item", item_id=item.id) + "#files")


@bp.get("/evidence/<int:item_id>/check")
@roles_required(Role.LEARNER, Role.EMPLOYER)
def check(item_id: int):
    item = own_item_or_404(current_user, item_id)
    return _check_page(item)


def _check_page(item: EvidenceItem, dismiss_form: DismissForm | None = None, status: int = 200):
    found = operations.findings(item)
    fields = {"title": item.title, **text_fields(item.kind, item.current.content)}
    by_field: dict[str, list] = {}
    for f in found:
        by_field.setdefault(f.field, []).append(f.finding)
    return (
        render_template(
            "evidence/check.html",
            item=item,
            fields=fields,
            by_field=by_field,
            field_label=field_label,
            count=len(found),
            dismissed=operations.dismissed(item),
            redact_form=RedactForm(),
            dismiss_form=dismiss_form or DismissForm(),
            empty_form=EmptyForm(),
        ),  # fmt: skip
        status,
    )


@bp.post("/evidence/<int:item_id>/check/replace")
@roles_required(Role.LEARNER, Role.EMPLOYER)
def replace(item_id: int):
    item = own_item_or_404(current_user, item_id)
    form = RedactForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.replace_finding(
            current_user, item, form.field.data, form.start.data, form.end.data, form.text.data
        )
    except DomainError as error:
        abort(error.status, error.message)
    db.session.commit()
    flash(f"Replaced '{form.text.data}' with a placeholder.", "success")
    return redirect(url_for("evidence.check", item_id=item.id))


@bp.post("/evidence/<int:item_id>/check/replace-all")
@roles_required(Role.LEARNER, Role.EMPLOYER)
def replace_all(item_id: int):
    item = own_item_or_404(current_user, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        count = operations.replace_all_findings(current_user, item)
    except DomainError as error:
        abort(error.status, error.message)
    db.session.commit()
    flash(f"Replaced {count} finding{'s' if count != 1 else ''} with placeholders.", "success")
    return redirect(url_for("evidence.check", item_id=item.id))


@bp.post("/evidence/<int:item_id>/check/dismiss")
@roles_required(Role.LEARNER, Role.EMPLOYER)
def dismiss(item_id: int):
    item = own_item_or_404(current_user, item_id)
    form = DismissForm()
    if form.validate_on_submit():
        try:
            operations.dismiss_finding(
                current_user,
                item,
                form.field.data,
                form.finding_type.data,
                form.text.data,
                form.reason.data,
            )
        except DomainError as error:
            db.session.rollback()
            if error.status == 409:
                abort(409, error.message)
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Dismissed '{form.text.data}' as not personal data.", "success")
            return redirect(url_for("evidence.check", item_id=item.id))
    return _check_page(item, dismiss_form=form, status=400)


@bp.post("/evidence/<int:item_id>/submit")
@roles_required(Role.LEARNER, Role.EMPLOYER)
def submit(item_id: int):
    item = own_item_or_404(current_user, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    to = "the assessor" if current_user.role is Role.EMPLOYER else "your assessor"
    try:
        operations.submit_item(
            current_user, item, lock_version=request.form.get("lock_version", type=int)
        )
    except DomainError as error:
        db.session.rollback()
        if error.status == 409:
            item = own_item_or_404(current_user, item_id)
            if item.status is EvidenceStatus.SUBMITTED:  # a second press, or an older tab's
                flash(f"This evidence is already submitted to {to}.", "info")
                return redirect(url_for("evidence.item", item_id=item.id))
            abort(409, error.message)
        if error.audit:  # the refusal stays in the audit trail, with every problem
            audit.record(**error.audit)
            db.session.commit()
        item = own_item_or_404(current_user, item_id)
        return _item_page(item, error=error if error.problems else error.message, status=400)
    db.session.commit()
    flash(f"Submitted to {to}. It is read-only until they return it.", "success")
    return redirect(url_for("evidence.item", item_id=item.id))


@bp.post("/evidence/<int:item_id>/set-aside")
@roles_required(Role.LEARNER)
def set_aside(item_id: int):
    item = own_item_or_404(current_user, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        operations.set_aside(current_user, item)
    except DomainError as error:
        abort(error.status, error.message)
    db.session.commit()
    flash("Moved back to your drafts. It no longer holds up the unit's sign-off; submit it "
          "again when it is ready.", "success")  # fmt: skip
    return redirect(url_for("evidence.item", item_id=item.id))


@bp.get("/evidence/<int:item_id>/versions/<int:number>")
@login_required
def version(item_id: int, number: int):
    item = item_or_404(current_user, item_id)
    by_number = {v.number: v for v in item.versions}
    if number not in by_number:
        abort(404)
    shown = by_number[number]
    previous = by_number.get(number - 1)
    added, removed = history.file_changes(item.files, number)
    return render_template(
        "evidence/version.html", item=item, version=shown, previous=previous,
        changes=history.changes(previous, shown), added=added, removed=removed,
        star_parts=STAR_PARTS, labels=_labels(),
        timeline=incident.timeline(shown.content) if item.kind is EvidenceKind.INCIDENT_LOG else [],
        priority=incident.priority(shown.content.get("impact"), shown.content.get("urgency")),
    )  # fmt: skip
