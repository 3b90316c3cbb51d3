"""Portfolio PDFs: download (made once), public verification, and the bulk export for EQAs."""

import hashlib
import unicodedata

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role
from portfolio.assessment.models import SignOff
from portfolio.assessment.signoff import sign_off_in_force
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import enrolment_or_404
from portfolio.errors import DomainError
from portfolio.exports import archive, jobs, service, verification
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from portfolio.forms import EmptyForm
from portfolio.jobs import JobState, enqueue
from portfolio.jobs.views import job_or_404
from portfolio.listing import whole_number

bp = Blueprint("exports", __name__)


@bp.route("/enrolments/<int:enrolment_id>/portfolio.pdf", methods=["GET", "POST"])
@login_required
def portfolio_pdf(enrolment_id: int):
    """The unit's signed portfolio PDF, made once its sign-off is countersigned: whoever may
    see the enrolment may download it; 404 while no sign-off is in force."""
    enrolment = enrolment_or_404(current_user, enrolment_id)
    sign_off = sign_off_in_force(enrolment)
    if sign_off is None:
        abort(404)
    try:
        record = service.request_document(sign_off)
    except DomainError as error:
        return render_template(
            "exports/status.html", enrolment=enrolment, record=None, message=error.message
        ), 409
    if record.status is DocumentStatus.READY:
        return _send_stored(enrolment, record)
    if request.method == "POST" and record.status is DocumentStatus.FAILED:
        if not EmptyForm().validate_on_submit():
            abort(400)
        record.status, record.error = DocumentStatus.PENDING, None
    db.session.commit()
    if service.claim(record):
        # Only the request that claimed the pending document queues its making; reloads of
        # the status page, in any worker, find it generating and just wait.
        jobs.start_document(record, current_user.id)
        db.session.commit()
        db.session.refresh(record)
        if record.status is DocumentStatus.READY:
            return redirect(url_for("exports.portfolio_pdf", enrolment_id=enrolment.id))
    # A failed document's page says why and offers to try again: the page itself is no error.
    status = 200 if record.status is DocumentStatus.FAILED else 202
    return render_template(
        "exports/status.html", enrolment=enrolment, record=record, form=EmptyForm()
    ), status


@bp.get("/enrolments/<int:enrolment_id>/portfolio.pdf/status")
@login_required
def portfolio_pdf_status(enrolment_id: int):
    """Whether the portfolio PDF is made yet, for its status page to follow."""
    enrolment = enrolment_or_404(current_user, enrolment_id)
    sign_off = sign_off_in_force(enrolment)
    record = service.document_for(sign_off) if sign_off else None
    if record is None:
        abort(404)
    state = {"pending": "queued", "generating": "running", "ready": "done"}.get(
        record.status.value, record.status.value
    )
    return jsonify(state=state, finished=state in ("done", "failed"), done=0, total=None)


def _send_stored(enrolment: Enrolment, record: PortfolioDocument):
    """The stored PDF, as an attachment unless ?inline. Its SHA-256 is its ETag, so that a PDF
    viewer's conditional and partial requests are answered as such."""
    # An ASCII name, so that every browser saves it as given.
    learner = unicodedata.normalize("NFKD", enrolment.learner.name)
    learner = learner.encode("ascii", "ignore").decode()
    name = f"portfolio-{archive.name_part(learner, 'learner')}-{enrolment.id}.pdf"
    try:
        response = send_file(
            service.stored_path(record.stored_name), mimetype="application/pdf",
            as_attachment="inline" not in request.args, download_name=name,
            conditional=True, etag=record.sha256,
        )  # fmt: skip
    except FileNotFoundError:
        current_app.logger.error("stored portfolio PDF %s is missing", record.stored_name)
        abort(404)
    response.headers["Cache-Control"] = "no-store"  # not left in a shared computer's cache
    return response


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    """Public: is this the document the system issued, and does its sign-off still stand?"""
    checked, result, error = False, None, None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        upload = request.files.get("document")
        # Spaces and line breaks that copying from a PDF or an email brings with it go.
        typed = "".join((request.form.get("sha256") or "").split()).lower()
        if upload and upload.filename:
            digest = hashlib.sha256()
            for chunk in iter(lambda: upload.stream.read(65536), b""):
                digest.update(chunk)
            typed = digest.hexdigest()
        if len(typed) != 64 or any(c not in "0123456789abcdef" for c in typed):
            error = ("Upload the PDF, or enter its SHA-256 or a SHA-256 printed on it, the manifest's "
                     "or the countersignature's (64 hexadecimal characters).")
        else:
            checked, result = True, verification.verify(typed)
    # Times in the zone of the provider that issued the document.
    time_zone = result.record.enrolment.provider.time_zone if result else None
    return render_template("exports/verify.html", checked=checked, result=result, error=error,
                           form=EmptyForm(), time_zone=time_zone), 400 if error else 200  # fmt: skip


@bp.get("/verify/certificate.pem")
def certificate():
    from portfolio.exports import signing  # pyHanko: slow to import, needed by few requests

    pem = signing.certificate_pem(current_app.config, current_app.instance_path)
    return Response(pem, mimetype="application/x-pem-file",
                    headers={"Content-Disposition": 'attachment; filename="portfolio-signing.pem"'})  # fmt: skip


@bp.route("/exports/eqa", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def eqa_export():
    rows = db.session.execute(
        select(SignOff, PortfolioDocument)
        .join(Enrolment, SignOff.enrolment_id == Enrolment.id)
        .outerjoin(PortfolioDocument, PortfolioDocument.sign_off_id == SignOff.id)
        .where(
            Enrolment.provider_id == current_user.provider_id,
            SignOff.withdrawn_at.is_(None),
            SignOff.countersigned_at.is_not(None),
        )
        .options(joinedload(SignOff.enrolment).joinedload(Enrolment.learner))
        .order_by(SignOff.countersigned_at.desc())
    ).all()
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        chosen = {whole_number(v) for v in request.form.getlist("sign_off")} - {None}
        by_id = {s.id: (s, d) for s, d in rows}
        if not chosen or not chosen <= set(by_id):
            return render_template("exports/eqa.html", rows=rows, form=EmptyForm(),
                                   error="Choose at least one of the countersigned portfolios "
                                   "listed."), 400  # fmt: skip
        record = enqueue(
            jobs.eqa_export, sorted(chosen), provider_id=current_user.provider_id,
            requested_by_id=current_user.id,
            label=f"EQA export of {len(chosen)} portfolio{'' if len(chosen) == 1 else 's'}",
        )  # fmt: skip
        db.session.commit()
        return redirect(url_for("jobs.show", job_id=record.id), 303)
    return render_template("exports/eqa.html", rows=rows, form=EmptyForm())


@bp.get("/exports/eqa/<int:job_id>.zip")
@roles_required(Role.ADMIN)
def eqa_download(job_id: int):
    """The ZIP an EQA export made, while it is kept."""
    record = job_or_404(job_id)
    result = record.result or {}
    if record.kind != "eqa_export" or record.state is not JobState.DONE or "file" not in result:
        abort(404)
    try:
        return send_file(
            service.stored_path(result["file"]), mimetype="application/zip", as_attachment=True,
            download_name=f"eqa-sample-{record.created_at.date().isoformat()}.zip",
            conditional=True,
        )  # fmt: skip
    except FileNotFoundError:
        abort(410, "This ZIP has been removed: ZIPs are kept for a week. Export again.")
