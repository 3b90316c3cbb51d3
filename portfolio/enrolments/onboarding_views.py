"""Onboarding from the MIS: the admin uploads a CSV, reads the dry run's report, and starts
the import, which runs as a background job."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from portfolio import listing
from portfolio.accounts.access import get_in_provider_or_404, provider_scoped, roles_required
from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.enrolments import jobs, onboarding
from portfolio.enrolments.forms import OnboardingUploadForm
from portfolio.enrolments.models import OnboardingUpload
from portfolio.enrolments.onboarding_file import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    OPTIONAL_COLUMNS,
    FileRefused,
    decode,
    parse,
    template_csv,
)
from portfolio.errors import DomainError
from portfolio.forms import EmptyForm, form_status

bp = Blueprint("onboarding", __name__)

# Rows of the report shown a page at a time.
REPORT_PAGE_SIZE = 100
# The upload page lists this many of the latest uploads.
EARLIER_UPLOADS = 10


@bp.route("/onboarding", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def upload():
    form = OnboardingUploadForm()
    if form.validate_on_submit():
        sent = form.file.data
        try:
            text = decode(sent.read(MAX_BYTES + 1))
            parse(text)
        except FileRefused as refused:
            form.file.errors = [*form.file.errors, refused.message]
        else:
            record = OnboardingUpload(
                provider_id=current_user.provider_id, uploaded_by=current_user,
                filename=(sent.filename or "upload.csv")[:255], content=text,
            )  # fmt: skip
            db.session.add(record)
            db.session.commit()
            return redirect(url_for("onboarding.report", upload_id=record.id))
    uploads = db.session.scalars(
        provider_scoped(OnboardingUpload)
        .order_by(OnboardingUpload.id.desc())
        .limit(EARLIER_UPLOADS)
        .options(joinedload(OnboardingUpload.uploaded_by))
    ).all()
    return render_template(
        "enrolments/onboarding_upload.html", form=form, columns=COLUMNS,
        optional_columns=OPTIONAL_COLUMNS, max_rows=MAX_ROWS, uploads=uploads,
    ), form_status(form)  # fmt: skip


@bp.get("/onboarding/template.csv")
@roles_required(Role.ADMIN)
def template():
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=onboarding-template.csv"},
    )


@bp.get("/onboarding/<int:upload_id>")
@roles_required(Role.ADMIN)
def report(upload_id: int):
    """The dry run: what each row would do now, refused rows first, a page at a time."""
    record = get_in_provider_or_404(OnboardingUpload, upload_id)
    plan = onboarding.plan_upload(record)
    ordered = plan.in_report_order()
    pages = max(-(-len(ordered) // REPORT_PAGE_SIZE), 1)
    page = min(listing.page_number(), pages)
    rows = ordered[(page - 1) * REPORT_PAGE_SIZE : page * REPORT_PAGE_SIZE]
    job = jobs.job_of(record)
    return render_template(
        "enrolments/onboarding_report.html", upload=record, plan=plan, rows=rows, page=page,
        pages=pages, first=(page - 1) * REPORT_PAGE_SIZE + 1, job=job, form=EmptyForm(),
        Outcome=onboarding.Outcome,
    )  # fmt: skip


@bp.post("/onboarding/<int:upload_id>/import")
@roles_required(Role.ADMIN)
def start_import(upload_id: int):
    record = get_in_provider_or_404(OnboardingUpload, upload_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        jobs.start_import(current_user, record)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("The import has started. This page shows how far it has got.", "success")
    return redirect(url_for("onboarding.report", upload_id=upload_id, _anchor="import"))
