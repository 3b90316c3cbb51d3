"""Faults while a portfolio PDF is made: a worker killed mid-render, storage that refuses the
file, a document that cannot be recorded, and the debris such faults leave."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from portfolio import ROOT
from portfolio.db import db
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from tests.filesystems import HOUR, age
from tests.stories import download

RENDER_FOREVER = textwrap.dedent(
    """
    import tempfile

    from portfolio.exports import signing
    from portfolio.exports.pdf import render_with_time_limit

    huge = "<table>" + "<tr><td>x</td></tr>" * 400_000 + "</table>"
    with tempfile.TemporaryDirectory() as instance:
        signature = signing.pdf_signer(signing.load_signer({}, instance), reason="test")
        print("rendering", flush=True)
        render_with_time_limit(huge, {}, {}, signature, 600)
    """
)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in brackets and may hold spaces: the fields follow it.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_render_child_dies_with_the_worker_that_started_it():
    with subprocess.Popen(
        [sys.executable, "-c", RENDER_FOREVER], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as worker:
        child = None
        try:
            assert worker.stdout.readline() == "rendering\n"
            assert wait_for(lambda: children_of(worker.pid), 60), "the render never started"
            (child,) = children_of(worker.pid)
            time.sleep(0.5)  # well into the render
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
            assert wait_for(lambda: not running(child), 5), "the render child outlived its worker"
        finally:
            worker.kill()
            if child and running(child):
                os.kill(child, signal.SIGKILL)


@pytest.fixture
def disk(app, small_disk):
    app.config["EXPORTS_PATH"] = str(small_disk.path)
    yield small_disk
    app.config["EXPORTS_PATH"] = None


def the_document() -> PortfolioDocument:
    return db.session.scalar(select(PortfolioDocument))


def pdf_url(c) -> str:
    return f"/enrolments/{c.enrolment.id}/portfolio.pdf"


def test_a_pdf_that_cannot_be_recorded_fails_at_once_and_leaves_no_file(
    countersigned, exports_folder
):
    def refuse(mapper, connection, target):
        if target.status is DocumentStatus.READY:
            raise OperationalError("UPDATE portfolio_document", {}, Exception("disk I/O error"))

    event.listen(PortfolioDocument, "before_update", refuse)
    try:
        response = countersigned.client.get(pdf_url(countersigned))
    finally:
        event.remove(PortfolioDocument, "before_update", refuse)
    html = response.get_data(as_text=True)
    assert "The PDF could not be made" in html and "could not be recorded" in html
    record = the_document()
    assert record.status is DocumentStatus.FAILED  # not generating until it is thought stale
    assert record.stored_name is None
    assert list(exports_folder.iterdir()) == []  # no file without its row
    retried = countersigned.client.post(pdf_url(countersigned))  # "Try again"
    assert retried.status_code == 302
    assert download(countersigned).data.startswith(b"%PDF")
    assert [p.name for p in exports_folder.iterdir()] == [the_document().stored_name]


def test_a_read_only_exports_folder_fails_the_pdf_with_a_clear_message(countersigned, disk):
    disk.read_only()
    response = countersigned.client.get(pdf_url(countersigned))
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "The signed PDF could not be stored" in html and "nothing was saved" in html
    assert the_document().status is DocumentStatus.FAILED
    assert list(disk.path.iterdir()) == []
    disk.writable()
    assert countersigned.client.post(pdf_url(countersigned)).status_code == 302
    assert download(countersigned).data.startswith(b"%PDF")


def test_the_exports_sweep_removes_partial_and_unrecorded_pdfs_after_an_hour(
    countersigned, exports_folder, runner
):
    download(countersigned)
    (recorded,) = exports_folder.iterdir()
    age(recorded, 3 * HOUR)
    debris = [("a" * 40 + ".partial", 2 * HOUR), ("b" * 40 + ".partial", 60),
              ("c" * 40 + ".pdf", 2 * HOUR), ("d" * 40 + ".pdf", 60)]  # fmt: skip
    for name, seconds in debris:
        (exports_folder / name).write_bytes(b"%PDF-1.7 part of a portfolio")
        age(exports_folder / name, seconds)
    result = runner.invoke(args=["exports", "sweep"])
    assert result.exit_code == 0, result.output
    left = sorted(p.name for p in exports_folder.iterdir())
    assert left == sorted(["b" * 40 + ".partial", "d" * 40 + ".pdf", recorded.name])
    assert (
        "1 partial PDF" in result.output
        and "1 PDF no portfolio document refers to" in result.output
    )
    assert download(countersigned).status_code == 200  # the recorded PDF is still served


def test_a_failed_pdf_shows_its_page_without_a_server_error_status(countersigned, disk):
    disk.read_only()
    response = countersigned.client.get(pdf_url(countersigned))
    assert response.status_code == 200
    assert "could not be stored" in response.get_data(as_text=True)


def test_the_downloaded_pdf_is_named_with_no_path_or_quote_from_the_learners_name(
    countersigned,
):
    countersigned.enrolment.learner.name = '../../Zoë "O\'Neill"/x'
    db.session.commit()
    response = download(countersigned)
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f"attachment; filename=portfolio-zoe-o-neill-x-{countersigned.enrolment.id}.pdf"
    )
