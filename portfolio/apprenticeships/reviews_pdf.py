"""The signed PDF of a progress review signed by all three: made once in the background with
the portfolio's machinery (WeasyPrint in a child process with a time limit, signed with
PAdES by pyHanko: ``portfolio.exports.pdf`` and ``signing``), stored beside the portfolio
PDFs, and recognised by ``/verify``."""

import hashlib
import os
import secrets

from flask import current_app, render_template

from portfolio.addresses import public_url
from portfolio.apprenticeships import reviews, reviews_facts
from portfolio.apprenticeships.reviews_models import (
    Party,
    ReviewDocument,
    ReviewDocumentStatus,
)
from portfolio.db import db, utcnow
from portfolio.exports import service
from portfolio.jobs import Run, enqueue, job

# Stored review PDFs are named "review-" and 40 hexadecimal digits, so that the exports
# sweep, which removes the portfolio PDFs no document refers to, leaves them alone.
PREFIX = "review-"


def start(record: ReviewDocument, requested_by_id: int | None = None):
    """Queue the making of a review's PDF; it starts when the signing transaction commits."""
    review = record.review
    return enqueue(
        review_pdf, record.id, provider_id=record.provider_id, requested_by_id=requested_by_id,
        label=f"Progress review {review.number} PDF: {review.enrolment.learner.name}",
    )  # fmt: skip


@job("review_pdf", retries=2, retry_delay=30)
def review_pdf(run: Run, document_id: int) -> dict:
    """Make, sign and store one review's PDF (made once)."""
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL")):
        record = generate(document_id)
    return {"document": document_id, "status": record.status.value}


def render_html(record: ReviewDocument) -> str:
    review = record.review
    return render_template(
        "apprenticeships/review_pdf.html", review=review, enrolment=review.enrolment,
        record=record, parties=list(Party), verify_url=public_url("exports.verify"),
        facts=reviews_facts.readable_facts(review.facts),
        apprenticeship=reviews.apprenticeship_of(review.enrolment),
        time_zone=review.enrolment.provider.time_zone,
    )  # fmt: skip


def build_pdf(record: ReviewDocument) -> tuple[bytes, int]:
    """The signed PDF of a review, and its page count."""
    from portfolio.exports import pdf, signing  # pyHanko and WeasyPrint: slow to import

    review = record.review
    enrolment = review.enrolment
    signature = signing.pdf_signer(
        signing.load_signer(current_app.config, current_app.instance_path),
        reason=f"Progress review {review.number} of {enrolment.learner.name}, signed by the "
        f"provider, the apprentice and the employer; content SHA-256 {record.content_sha256}",
        location=enrolment.provider.name,
    )  # fmt: skip
    limit = current_app.config.get("EXPORT_TIME_LIMIT", service.RENDER_SECONDS)
    rendered = pdf.render_with_time_limit(render_html(record), {}, {}, signature, limit)
    return rendered.pdf, rendered.pages


def generate(document_id: int) -> ReviewDocument:
    """Make, sign and store the PDF; a failure is recorded on the document, not raised."""
    record = db.session.get(ReviewDocument, document_id)
    if record is None or record.status is ReviewDocumentStatus.READY:
        return record
    try:
        data, pages = build_pdf(record)
        name = _store(data, document_id)
    except Exception as error:  # noqa: BLE001  (a failure must never leave it pending)
        db.session.rollback()
        current_app.logger.error("review document %s could not be made", document_id,
                                 exc_info=error)  # fmt: skip
        record = db.session.get(ReviewDocument, document_id)
        record.status = ReviewDocumentStatus.FAILED
        record.error = getattr(error, "message", None) or (
            "The PDF could not be made because of an error in the system; it has been logged."
        )
        db.session.commit()
        return record
    record.stored_name, record.size, record.pages = name, len(data), pages
    record.sha256 = hashlib.sha256(data).hexdigest()
    record.status, record.error, record.generated_at = ReviewDocumentStatus.READY, None, utcnow()
    db.session.commit()
    return record


def _store(data: bytes, document_id: int) -> str:
    """Write the PDF under a new name, whole or not at all (a partial file of the document's
    own name, overwritten by a second try, renamed into place)."""
    name = f"{PREFIX}{secrets.token_hex(20)}.pdf"
    partial = service.storage_dir() / f"{PREFIX}document-{document_id}{service.PARTIAL}"
    try:
        partial.write_bytes(data)
        os.replace(partial, service.storage_dir() / name)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return name


def retry(record: ReviewDocument, requested_by_id: int) -> None:
    """Make a failed document again."""
    if record.status is ReviewDocumentStatus.FAILED:
        record.status, record.error, record.requested_at = (
            ReviewDocumentStatus.PENDING, None, utcnow()
        )  # fmt: skip
        start(record, requested_by_id)
