"""Making each portfolio PDF once, keeping it, and marking it superseded on withdrawal."""

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from portfolio.addresses import public_url
from portfolio.assessment.models import SignOff
from portfolio.db import db, utcnow
from portfolio.errors import DomainError
from portfolio.evidence import files as evidence_files
from portfolio.exports import document
from portfolio.exports.models import DocumentStatus, PortfolioDocument

RENDER_SECONDS = 120
# A PDF being written is named for what it will be with this suffix instead of ".pdf".
PARTIAL = ".partial"
STORED_STEM = re.compile(r"[0-9a-f]{40}")
PARTIAL_STEM = re.compile(r"document-[0-9]+|eqa-[0-9a-f]{40}\.zip")
ZIP_STEM = re.compile(r"eqa-[0-9a-f]{40}")


def storage_dir() -> Path:
    path = Path(stored_path(""))
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(name: str) -> str:
    """Where a stored document lives (string paths: this is on every download's way)."""
    folder = current_app.config.get("EXPORTS_PATH")
    return os.path.join(folder or os.path.join(current_app.instance_path, "exports"), name)


def document_for(sign_off: SignOff) -> PortfolioDocument | None:
    return db.session.scalar(
        select(PortfolioDocument).where(PortfolioDocument.sign_off_id == sign_off.id)
    )


def request_document(sign_off: SignOff) -> PortfolioDocument:
    """The sign-off's document, created as pending when there is none yet."""
    if sign_off.countersigned_at is None:
        raise DomainError("The portfolio PDF is made once the IQA has countersigned the unit.")
    found = document_for(sign_off)
    if found is None:
        found = PortfolioDocument(
            provider_id=sign_off.provider_id, enrolment_id=sign_off.enrolment_id,
            sign_off_id=sign_off.id, manifest_hash=sign_off.manifest_hash,
        )  # fmt: skip
        db.session.add(found)
        db.session.flush()
    return found


def claim(record: PortfolioDocument) -> bool:
    """Mark a pending document as being made, atomically; True for the one caller that did.

    A document left generating for twice the time limit (a worker that died) is pending again.
    """
    limit = current_app.config.get("EXPORT_TIME_LIMIT", RENDER_SECONDS)
    stale = utcnow() - timedelta(seconds=2 * limit)
    db.session.execute(
        update(PortfolioDocument)
        .where(PortfolioDocument.id == record.id, PortfolioDocument.status == DocumentStatus.GENERATING,
               PortfolioDocument.requested_at < stale)
        .values(status=DocumentStatus.PENDING)
    )  # fmt: skip
    claimed = db.session.execute(
        update(PortfolioDocument)
        .where(
            PortfolioDocument.id == record.id, PortfolioDocument.status == DocumentStatus.PENDING
        )
        .values(status=DocumentStatus.GENERATING, requested_at=utcnow())
    ).rowcount
    db.session.commit()
    db.session.refresh(record)
    return claimed == 1


@dataclass(frozen=True)
class Prepared:
    """What WeasyPrint is given: the HTML, the images it may fetch, the PDFs to lay in."""

    html: str
    images: dict[int, tuple[Path, str]]
    attachments: dict[int, Path]
    pages: dict[int, int]


def prepare(sign_off: SignOff) -> Prepared:
    """Gather the portfolio once, reserve pages for its attached PDFs, and render the HTML."""
    from portfolio.exports import pdf

    context = document.gather(sign_off)
    images, attachments, pages = {}, {}, {}
    for section in context["sections"]:
        for f in section.images:
            images[f.id] = (evidence_files.path_of(f.stored_name), f.media_type)
        for f in section.pdfs:
            path = evidence_files.path_of(f.stored_name)
            count = pdf.count_pages(path)
            if count:
                attachments[f.id], pages[f.id] = path, count
    verify_url = public_url("exports.verify")
    html = document.render_html(context, verify_url=verify_url, attachment_pages=pages)
    return Prepared(html, images, attachments, pages)


def build_pdf(sign_off: SignOff, *, time_limit: float | None = RENDER_SECONDS) -> tuple[bytes, int]:
    """The signed PDF of a sign-off, and its page count."""
    from portfolio.exports import pdf, signing

    p = prepare(sign_off)
    enrolment = sign_off.enrolment
    signature = signing.pdf_signer(
        signing.load_signer(current_app.config, current_app.instance_path),
        reason=f"Signed-off portfolio of {enrolment.learner.name}, {enrolment.unit.title}; "
        f"manifest SHA-256 {sign_off.manifest_hash}",
        location=enrolment.provider.name,
    )  # fmt: skip
    if time_limit:
        rendered = pdf.render_with_time_limit(
            p.html, p.images, p.attachments, signature, time_limit
        )
    else:
        rendered = pdf.render(p.html, p.images, p.attachments, signature)
    return rendered.pdf, rendered.pages


def generate(document_id: int) -> PortfolioDocument:
    """Make, sign and store one document; a failure is recorded on it, not raised.

    The file and its row are one step: the PDF is written under a temporary name, renamed,
    and recorded; when recording fails the file is removed and the document is failed at
    once, not left generating until it is thought stale. A worker killed between the rename
    and the record leaves a PDF no row refers to, which ``flask exports sweep`` removes.
    """
    record = db.session.get(PortfolioDocument, document_id)
    if record is None or record.status is DocumentStatus.READY:
        return record
    try:
        data, pages = build_pdf(
            record.sign_off, time_limit=current_app.config.get("EXPORT_TIME_LIMIT", RENDER_SECONDS)
        )
    except Exception as error:  # noqa: BLE001  (a failure must never leave it pending for good)
        return _failed(document_id, error)
    try:
        name = _store(data, document_id)
    except evidence_files.StorageError as error:
        return _failed(document_id, error)
    record.stored_name, record.size, record.pages = name, len(data), pages
    record.sha256 = hashlib.sha256(data).hexdigest()
    record.status, record.error, record.generated_at = DocumentStatus.READY, None, utcnow()
    try:
        db.session.commit()
    except Exception as error:  # noqa: BLE001  (the file must not outlive a row that failed)
        _discard(storage_dir() / name)
        return _failed(
            document_id, error, "The PDF was made but could not be recorded because of an "
            "error in the system; it has been logged. Try again.",
        )  # fmt: skip
    return record


def _store(data: bytes, document_id: int) -> str:
    """Write a signed PDF under a new name, whole or not at all. It is written first under a
    name of the document's own, so a second try after a worker died overwrites the first's."""
    name = secrets.token_hex(20) + ".pdf"
    partial = None
    try:
        path = storage_dir() / name
        partial = storage_dir() / f"document-{document_id}{PARTIAL}"
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        if partial is not None:
            _discard(partial)
        current_app.logger.error("a portfolio PDF could not be stored: %s", error)
        raise evidence_files.StorageError(error, what="The signed PDF") from error
    return name


def _discard(path: Path) -> bool:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        current_app.logger.warning("%s is left for 'flask exports sweep': %s", path, error)
        return False
    return True


def _failed(document_id: int, error: Exception, message: str | None = None) -> PortfolioDocument:
    """Record the failure on the document, with what the person asking should be told."""
    db.session.rollback()
    if message is None and isinstance(error, DomainError):
        message = error.message
    else:
        current_app.logger.error(
            "portfolio document %s could not be made", document_id, exc_info=error
        )
        message = message or (
            "The PDF could not be made because of an error in the system; it has been logged."
        )
    record = db.session.get(PortfolioDocument, document_id)
    record.status, record.error = DocumentStatus.FAILED, message
    db.session.commit()
    return record


def sweep(older_than: timedelta) -> evidence_files.Swept:
    """Remove what faults left in the exports folder, once older than ``older_than``: PDFs
    written in part (a worker killed or a disk filled mid-write) and PDFs no document
    refers to (a worker killed between storing one and recording it). Only names this module
    makes are touched."""
    partial, stored = [], []
    for name in evidence_files.old_files(storage_dir(), older_than):
        stem, suffix = os.path.splitext(name)
        if suffix == PARTIAL and (STORED_STEM.fullmatch(stem) or PARTIAL_STEM.fullmatch(stem)):
            partial.append(name)
        elif suffix == ".pdf" and STORED_STEM.fullmatch(stem):
            stored.append(name)
    unrecorded = evidence_files.unrecorded(stored, PortfolioDocument.stored_name)
    return evidence_files.Swept(
        sum(_discard(storage_dir() / name) for name in partial),
        sum(_discard(storage_dir() / name) for name in unrecorded),
    )


def remove_expired_zips(kept: timedelta) -> int:
    """Remove the EQA ZIPs made longer ago than ``kept``; the number removed."""
    expired = [
        name for name in evidence_files.old_files(storage_dir(), kept)
        if name.endswith(".zip") and ZIP_STEM.fullmatch(name[: -len(".zip")])
    ]  # fmt: skip
    return sum(_discard(storage_dir() / name) for name in expired)
