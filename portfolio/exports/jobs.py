"""The exports' background jobs: one portfolio PDF, and the EQA's ZIP of several."""

import csv
import io
import os
import secrets
import zipfile
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portfolio.assessment.models import SignOff
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.exports import service
from portfolio.exports.archive import EntryNames
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from portfolio.jobs import Run, Wait, enqueue, job, periodic
from portfolio.progress.exports import neutralise

# An EQA's ZIP is kept this long after it is made, then removed by ``flask exports sweep``.
ZIP_KEPT = timedelta(days=7)
ZIP_NAME = "eqa-{}.zip"
INDEX_COLUMNS = ["file", "learner", "unit", "awarding body", "signed off", "countersigned",
                 "pdf sha256", "manifest sha256"]  # fmt: skip


@job("portfolio_pdf", retries=2, retry_delay=30)
def portfolio_pdf(run: Run, document_id: int) -> dict:
    """Make, sign and store one portfolio PDF (``service.generate``; made once)."""
    record = service.generate(document_id)
    return {"document": document_id, "status": record.status.value}


def start_document(record: PortfolioDocument, requested_by_id: int | None = None):
    """Queue the making of a document its caller has claimed (``service.claim``)."""
    enrolment = record.enrolment
    return enqueue(
        portfolio_pdf, record.id, provider_id=record.provider_id, requested_by_id=requested_by_id,
        label=f"Portfolio PDF: {enrolment.learner.name}, {enrolment.unit.title}",
    )  # fmt: skip


@job("eqa_export", retries=2, retry_delay=30)
def eqa_export(run: Run, sign_off_ids: list[int]) -> dict:
    """The EQA's ZIP: each chosen portfolio's PDF, made by jobs of their own (so workers make
    them side by side) while this one waits, then written to disk a file at a time."""
    sign_offs = db.session.scalars(
        select(SignOff)
        .where(SignOff.id.in_(sign_off_ids), SignOff.provider_id == run.job.provider_id)
        .options(joinedload(SignOff.enrolment).joinedload(Enrolment.learner))
        .order_by(SignOff.id)
    ).all()
    documents = {s.id: service.request_document(s) for s in sign_offs}
    db.session.commit()
    for record in documents.values():
        if record.status is DocumentStatus.PENDING and service.claim(record):
            start_document(record, run.job.requested_by_id)
    db.session.commit()  # the PDFs' jobs reach the queue
    db.session.expire_all()
    finished = [
        d for d in documents.values() if d.status in (DocumentStatus.READY, DocumentStatus.FAILED)
    ]
    run.progress(len(finished), len(sign_offs) + 1)
    if len(finished) < len(sign_offs):
        raise Wait(seconds=2)
    return _write_zip(run, sign_offs, documents)


def _write_zip(run: Run, sign_offs: list[SignOff], documents: dict) -> dict:
    folder = service.storage_dir()
    name = ZIP_NAME.format(secrets.token_hex(20))
    partial = folder / (name + service.PARTIAL)
    index = io.StringIO()
    writer = csv.writer(index)
    writer.writerow(INDEX_COLUMNS)
    names, left_out = EntryNames(), []
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for sign_off in sign_offs:
                record, e = documents[sign_off.id], sign_off.enrolment
                if record.status is not DocumentStatus.READY:
                    left_out.append(f"{e.learner.name}, {e.unit.title}: {record.error}")
                    continue
                entry = names.add(e.learner.name, e.unit.title, sign_off.signed_at.date())
                archive.write(folder / record.stored_name, entry)  # read in chunks
                writer.writerow([neutralise(v) for v in (
                    entry, e.learner.name, e.unit.title, e.unit.awarding_body.name,
                    sign_off.signed_at.isoformat(), sign_off.countersigned_at.isoformat(),
                    record.sha256, record.manifest_hash)])  # fmt: skip
            archive.writestr("index.csv", index.getvalue())
        os.replace(partial, folder / name)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return {
        "file": name, "size": (folder / name).stat().st_size,
        "included": len(sign_offs) - len(left_out), "left_out": left_out,
        "expires_at": (utcnow() + current_app.config.get("EQA_ZIP_KEPT", ZIP_KEPT)).isoformat(),
    }  # fmt: skip


@periodic(minute="17")
def exports_sweep() -> None:
    """Hourly: remove EQA ZIPs past their time, and what faults left an hour or more ago."""
    service.remove_expired_zips(current_app.config.get("EQA_ZIP_KEPT", ZIP_KEPT))
    service.sweep(timedelta(hours=1))
