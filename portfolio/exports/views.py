"""Portfolio PDFs: download (made once), public verification, and the bulk export for EQAs."""

import csv
import hashlib
import io
import unicodedata
import zipfile

from flask import (
    Blueprint,
    Response,
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
from sqlalchemy.orm import joinedload

from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role
from portfolio.assessment.models import SignOff
from portfolio.assessment.signoff import sign_off_in_force
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import enrolment_or_404
from portfolio.errors import DomainError
from portfolio.exports import archive, service, verification
from portfolio.exports.archive import EntryNames
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from portfolio.forms import EmptyForm
from portfolio.listing import whole_number
from portfolio.progress.exports import neutralise

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
        # Only the request that claimed the pending document starts making it; reloads of
        # the status page, in any worker, find it generating and just wait.
        service.start(current_app._get_current_object(), record.id)
        db.session.refresh(record)
        if record.status is DocumentStatus.READY:
            return redirect(url_for("exports.portfolio_pdf", enrolment_id=enrolment.id))
    # A failed document's page says why and offers to try again: the page itself is no error.
    status = 200 if record.status is DocumentStatus.FAILED else 202
    return render_template(
        "exports/status.html", enrolment=enrolment, record=record, form=EmptyForm()
    ), status


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
        typed = (request.form.get("sha256") or "").strip().lower()
        if upload and upload.filename:
            digest = hashlib.sha256()
            for chunk in iter(lambda: upload.stream.read(65536), b""):
                digest.update(chunk)
            typed = digest.hexdigest()
        if len(typed) != 64 or any(c not in "0123456789abcdef" for c in typed):
            error = "Upload the PDF, or enter its SHA-256 or the manifest SHA-256 printed on it (64 hexadecimal characters)."
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
            flash("Choose at least one of the countersigned portfolios listed.", "error")
            return render_template("exports/eqa.html", rows=rows, form=EmptyForm()), 400
        return _zip([by_id[i] for i in sorted(chosen)])
    return render_template("exports/eqa.html", rows=rows, form=EmptyForm())


def _zip(chosen):
    """A ZIP of the chosen signed PDFs (made now where missing) with an index CSV."""
    buffer = io.BytesIO()
    index = io.StringIO()
    writer = csv.writer(index)
    writer.writerow(
        [
            "file",
            "learner",
            "unit",
            "awarding body",
            "signed off",
            "countersigned",
            "pdf sha256",
            "manifest sha256",
        ]
    )
    names = EntryNames()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sign_off, record in chosen:
            record = record or service.request_document(sign_off)
            if record.status is not DocumentStatus.READY:
                db.session.commit()
                record = service.generate(record.id)
            if record.status is not DocumentStatus.READY:
                continue
            e = sign_off.enrolment
            name = names.add(e.learner.name, e.unit.title, sign_off.signed_at.date())
            archive.write(service.storage_dir() / record.stored_name, name)
            writer.writerow([neutralise(v) for v in (
                name, e.learner.name, e.unit.title, e.unit.awarding_body.name,
                sign_off.signed_at.isoformat(), sign_off.countersigned_at.isoformat(),
                record.sha256, record.manifest_hash)])  # fmt: skip
        archive.writestr("index.csv", index.getvalue())
    db.session.commit()
    return Response(buffer.getvalue(), mimetype="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="eqa-sample.zip"'})  # fmt: skip
