"""Evidence files when storage fails: a clear refusal with nothing saved, and no debris left for
good by a full disk, a read-only folder, a failed removal or a worker killed mid-upload."""

import io

import pytest
from sqlalchemy import func, select

from portfolio.db import db
from portfolio.evidence.models import EvidenceFile, EvidenceItem
from tests.evidence.helpers import CALL_NOTE
from tests.filesystems import HOUR, age

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def disk(app, small_disk):
    app.config["EVIDENCE_FILES_PATH"] = str(small_disk.path)
    yield small_disk
    app.config["EVIDENCE_FILES_PATH"] = None


@pytest.fixture
def item(client, learner, enrolment):
    client.post(f"/enrolments/{enrolment.id}/evidence/new/call_note", data=CALL_NOTE)
    return db.session.scalar(select(EvidenceItem))


def upload(client, item, content: bytes, name: str = "report.pdf"):
    return client.post(
        f"/evidence/{item.id}/files",
        data={"file": (io.BytesIO(content), name), "description": "Call record"},
        content_type="multipart/form-data",
    )


def file_rows() -> int:
    return db.session.scalar(select(func.count(EvidenceFile.id)))


def on_disk(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_an_upload_to_a_read_only_folder_is_refused_with_a_clear_message(client, item, disk):
    disk.read_only()
    response = upload(client, item, PDF)
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html
    assert "could not be stored" in html and "nothing was saved" in html
    assert 'id="file-error"' in html  # said at the file field, on the evidence's own page
    assert "Something went wrong" not in html
    assert file_rows() == 0
    assert on_disk(disk.path) == []


def test_an_upload_that_fills_the_disk_is_refused_and_leaves_no_partial_file(client, item, disk):
    disk.require_size_limit()
    response = upload(client, item, PDF + b"%" * (300 * 1024))
    html = response.get_data(as_text=True)
    assert response.status_code == 507, html
    assert "could not be stored" in html and "nothing was saved" in html
    assert file_rows() == 0
    assert on_disk(disk.path) == []
    assert upload(client, item, PDF).status_code == 302  # the space is back for what fits


def test_a_file_that_cannot_be_deleted_from_disk_is_swept_once_it_can(client, runner, item, disk):
    assert upload(client, item, PDF).status_code == 302
    (stored,) = on_disk(disk.path)
    disk.read_only()
    response = client.post(
        f"/evidence/{item.id}/files/{db.session.scalar(select(EvidenceFile.id))}/remove"
    )
    assert response.status_code == 302  # the learner's removal stands
    assert file_rows() == 0
    assert on_disk(disk.path) == [stored]  # the disk refused: left for the sweep
    disk.writable()
    assert runner.invoke(args=["evidence", "sweep"]).exit_code == 0
    assert on_disk(disk.path) == [stored]  # too recent: it might belong to an upload under way
    age(disk.path / stored, 2 * HOUR)
    result = runner.invoke(args=["evidence", "sweep"])
    assert result.exit_code == 0, result.output
    assert on_disk(disk.path) == []
    assert "1 file no evidence refers to" in result.output


def test_the_sweep_removes_abandoned_uploads_and_unrecorded_files_after_an_hour(
    client, runner, item, disk
):
    assert upload(client, item, PDF).status_code == 302
    (recorded,) = on_disk(disk.path)
    age(disk.path / recorded, 3 * HOUR)
    for name, seconds in [(".incoming-abandoned", 2 * HOUR), (".incoming-under-way", 60),
                          ("0123abcd" * 6, 2 * HOUR), ("4567ef01" * 6, 60)]:  # fmt: skip
        (disk.path / name).write_bytes(b"part of an upload")
        age(disk.path / name, seconds)
    result = runner.invoke(args=["evidence", "sweep"])
    assert result.exit_code == 0, result.output
    assert on_disk(disk.path) == sorted([".incoming-under-way", "4567ef01" * 6, recorded])
    assert "1 partial upload" in result.output and "1 file no evidence refers to" in result.output
    result = runner.invoke(args=["evidence", "sweep", "--older-than", "0"])
    assert on_disk(disk.path) == [recorded]
