"""Portfolio PDFs: download (made once), public verification, and the bulk export for EQAs."""

import csv
import hashlib
import io
import os
import unicodedata
import zipfile
from datetime import date
from functools import cache

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
from flask_login import current_user
from sqlalchemy import Date, bindparam, select
from sqlalchemy.orm import aliased, joinedload
from werkzeug.datastructures import Headers
from werkzeug.http import quote_etag
from werkzeug.wsgi import wrap_file

from portfolio.accounts.access import roles_required
from portfolio.accounts.auth import session_viewer, signed_in_as
from portfolio.accounts.models import Role, User
from portfolio.assessment.models import SignOff
from portfolio.assessment.signoff import sign_off_in_force
from portfolio.db import db, fetch_first
from portfolio.enrolments.caseload import (
    visible_enrolment_or_404,
    visible_to_viewer,
)
from portfolio.enrolments.models import Enrolment
from portfolio.errors import DomainError
from portfolio.exports import archive, service, verification
from portfolio.exports.archive import EntryNames
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from portfolio.extensions import login_manager
from portfolio.forms import EmptyForm
from portfolio.listing import whole_number
from portfolio.progress.exports import neutralise

bp = Blueprint("exports", __name__)


def _stored_for_session(enrolment_id: int) -> tuple[str, str, str] | None:
    """The common case, a stored PDF asked for again: one statement checks the session's user
    (as ``load_user`` does), that the enrolment is theirs to see, and finds the document, with
    no ORM objects loaded and nothing committed. None sends the request the long way round,
    which signs in, refuses or makes the document as needed."""
    viewer = session_viewer()
    if viewer is None:
        return None
    viewer_id, token = viewer
    parameters = {"enrolment": enrolment_id, "viewer": viewer_id, "token": token,
                  "today": date.today()}  # fmt: skip
    return fetch_first(_stored_statement(), parameters)


@cache
def _stored_statement():
    viewer, learner = aliased(User), aliased(User)
    return (
        select(PortfolioDocument.stored_name, PortfolioDocument.sha256, learner.name)
        .join(SignOff, SignOff.id == PortfolioDocument.sign_off_id)
        .join(Enrolment, Enrolment.id == SignOff.enrolment_id)
        .join(learner, learner.id == Enrolment.learner_id)
        .join(viewer, signed_in_as(viewer, bindparam("viewer"), bindparam("token"),
                                   bindparam("today", type_=Date)))  # fmt: skip
        .where(
            Enrolment.id == bindparam("enrolment"),
            visible_to_viewer(viewer),
            SignOff.withdrawn_at.is_(None),
            PortfolioDocument.status == DocumentStatus.READY,
        )
    )


@bp.route("/enrolments/<int:enrolment_id>/portfolio.pdf", methods=["GET", "POST"])
def portfolio_pdf(enrolment_id: int):
    if request.method == "GET":
        ready = _stored_for_session(enrolment_id)
        if ready is not None:
            return _send_stored(enrolment_id, *ready)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    enrolment = visible_enrolment_or_404(current_user, enrolment_id)
    sign_off = sign_off_in_force(enrolment)
    if sign_off is None:
        abort(404)
    try:
        record = service.request_document(sign_off)
    except DomainError as error:
        return render_template(
            "exports/status.html", enrolment=enrolment, record=None, message=error.message
        ), 409
    if request.method == "POST" and record.status is DocumentStatus.FAILED:
        if not EmptyForm().validate_on_submit():
            abort(400)
        record.status, record.error = DocumentStatus.PENDING, None
    db.session.commit()
    if record.status is DocumentStatus.READY:
        return _send_stored(enrolment.id, record.stored_name, record.sha256, enrolment.learner.name)
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


def _send_stored(enrolment_id: int, stored_name: str, sha256: str, learner_name: str):
    """The stored PDF, as an attachment unless ?inline. Its SHA-256 is its ETag, so a
    conditional or partial request (a PDF viewer fetching ranges) gets werkzeug's full
    handling; a plain GET, the common case, is answered with the file as it is."""
    environ = request.environ
    path = service.stored_path(stored_name)
    # An ASCII name, so that every browser saves it as given.
    ascii_name = unicodedata.normalize("NFKD", learner_name).encode("ascii", "ignore").decode()
    name = f"portfolio-{archive.name_part(ascii_name, 'learner')}-{enrolment_id}.pdf"
    asked_inline = environ.get("QUERY_STRING") and "inline" in request.args
    disposition = "inline" if asked_inline else "attachment"
    if any(key in environ for key in _CONDITIONAL_HEADERS):
        response = send_file(path, mimetype="application/pdf", download_name=name,
                             as_attachment=disposition == "attachment", conditional=True,
                             etag=sha256)  # fmt: skip
    else:
        try:
            file = open(path, "rb")  # noqa: SIM115  (closed by the response)
        except FileNotFoundError:
            current_app.logger.error("stored portfolio PDF %s is missing", path)
            abort(404)
        headers = Headers([
            ("Content-Type", "application/pdf"),
            ("Content-Length", str(os.fstat(file.fileno()).st_size)),
            ("ETag", quote_etag(sha256)),
            ("Accept-Ranges", "bytes"),
            ("Cache-Control", _CACHE_CONTROL),
        ])  # fmt: skip
        headers.set("Content-Disposition", disposition, filename=name)
        return current_app.response_class(
            wrap_file(environ, file), headers=headers, direct_passthrough=True
        )
    response.headers["Cache-Control"] = _CACHE_CONTROL
    return response


_CACHE_CONTROL = "no-store"  # a learner's portfolio is not left in a shared computer's cache


_CONDITIONAL_HEADERS = ("HTTP_RANGE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH",
                        "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE")  # fmt: skip


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
    return render_template("exports/verify.html", checked=checked, result=result, error=error,
                           form=EmptyForm()), 400 if error else 200  # fmt: skip


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
