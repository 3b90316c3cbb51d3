"""A worker killed with SIGKILL in the middle of a portfolio PDF: nothing half-made is kept,
and once a worker runs again the PDF is made, once."""

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from portfolio import ROOT
from portfolio.assessment.models import SignOff
from portfolio.db import db
from portfolio.demo import build_demo
from portfolio.exports import jobs, service
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from portfolio.jobs import JobState
from tests.jobs.test_queue import wait_for


def portfolio_pdfs(folder: Path) -> list[str]:
    """The files in the exports folder but the demo's signed progress reviews, which its
    worker makes too."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("review-"))


def start_worker(app, folder: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTFOLIO_INSTANCE_PATH": str(folder / "instance"),
        "PORTFOLIO_PRODUCTION": "false",
        "PORTFOLIO_JOBS_HEARTBEAT_SECONDS": "1",
        "PORTFOLIO_JOBS_QUEUE_PATH": app.config["JOBS_QUEUE_PATH"],
        "PORTFOLIO_EXPORTS_PATH": app.config["EXPORTS_PATH"],
        "PORTFOLIO_EVIDENCE_FILES_PATH": app.config["EVIDENCE_FILES_PATH"],
    }
    if app.config.get("REDIS_URL"):
        env["REDIS_URL"] = app.config["REDIS_URL"]
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.Popen([flask, "jobs", "worker", "--workers", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def test_a_worker_killed_mid_pdf_leaves_nothing_half_made_and_the_pdf_is_made_once(
    queued_app, tmp_path
):
    app = queued_app
    exports = tmp_path / "exports"
    app.config.update(EXPORTS_PATH=str(exports), EVIDENCE_FILES_PATH=str(tmp_path / "files"))
    with app.app_context():
        assert build_demo()
        db.session.commit()
        sign_off = db.session.scalars(
            select(SignOff).where(SignOff.countersigned_at.is_not(None),
                                  SignOff.withdrawn_at.is_(None))
        ).first()  # fmt: skip
        record = service.request_document(sign_off)
        db.session.commit()
        assert service.claim(record)
        job_id = jobs.start_document(record).id
        document_id = record.id
        db.session.commit()

    first = start_worker(app, tmp_path)
    try:
        wait_for(app, job_id, JobState.RUNNING)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    with app.app_context():
        killed = db.session.get(PortfolioDocument, document_id)
        assert killed.status is DocumentStatus.GENERATING and killed.stored_name is None
    assert not portfolio_pdfs(exports)  # the render was cut off: no PDF is kept

    second = start_worker(app, tmp_path)
    try:
        done = wait_for(app, job_id, JobState.DONE, seconds=120)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert done.attempts == 2
    with app.app_context():
        made = db.session.get(PortfolioDocument, document_id)
        assert made.status is DocumentStatus.READY
    assert portfolio_pdfs(exports) == [made.stored_name]  # one PDF, nothing partial beside it
    assert hashlib.sha256((exports / made.stored_name).read_bytes()).hexdigest() == made.sha256
