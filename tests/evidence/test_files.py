"""Files: type by content, size limit, streamed storage, safe download, nothing left on failure."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.evidence.models import EvidenceFile, EvidenceItem
from tests.evidence.helpers import CALL_NOTE
from tests.factories import PDF
from tests.filesystems import stored

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def docx(extra: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="x"><w:body/></w:document>',
        )
        if extra:
            z.writestr("word/media/padding.bin", extra)
    return buffer.getvalue()


@pytest.fixture
def item(client, learner, enrolment, files_folder):
    client.post(f"/enrolments/{enrolment.id}/evidence/new/call_note", data=CALL_NOTE)
    return db.session.scalar(select(EvidenceItem))


def upload(client, item, content: bytes, name: str):
    return client.post(
        f"/evidence/{item.id}/files",
        data={"file": (io.BytesIO(content), name), "description": "Screenshot"},
        content_type="multipart/form-data",
    )


def file_rows():
    return db.session.scalar(select(func.count(EvidenceFile.id)))


def test_pdf_is_stored_with_its_hash_under_a_server_name(client, item, files_folder):
    response = upload(client, item, PDF, "incident report.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalar(select(EvidenceFile))
    assert record.media_type == "application/pdf"
    assert record.original_name == "incident report.pdf"
    import hashlib

    assert record.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored(files_folder) == [record.stored_name]
    assert "incident" not in record.stored_name


@pytest.mark.parametrize(
    "content, name, media_type",
    [(PNG, "screen.png", "image/png"), (docx(), "letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
     (b"Plain notes about the call.\n", "notes.txt", "text/plain"), (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64, "photo.jpg", "image/jpeg"),
     (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00", "call.wav", None),
     (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 400, "call.mp3", "audio/mpeg")],
)  # fmt: skip
def test_allowed_types_are_accepted_by_content(client, item, content, name, media_type):
    response = upload(client, item, content, name)
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalar(select(EvidenceFile))
    if media_type:
        assert record.media_type == media_type
    else:
        assert record.media_type.startswith("audio/")


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "report.pdf", "cannot be attached"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "chart.png", "cannot be attached"),
        (docx(b"\x00" * (30 * 1024 * 1024)), "bomb.docx", "zip bomb"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "notes.txt", "cannot be attached"),
        (b"\x00\x01\x02\x03" * 500, "notes.txt", "its content is of no kind it recognises. Attach a"),
        (PDF, "../../etc/passwd.pdf", "must not contain folder parts"),
        (PDF, "..\\evil.pdf", "must not contain folder parts"),
        (PDF, "\uff0e\uff0e\uff0fevil.pdf", "must not contain folder parts"),  # full-width ../
        (PDF, "invoice\u202egpj.pdf", "changes or hides how it reads"),  # shows as ...pdf.jpg
        (PDF, "\u200b.pdf", "changes or hides how it reads"),
        (PDF, "a" * 300 + ".pdf", "can be at most 255 characters; this has 304"),
        (b"", "empty.pdf", "The file is empty."),
    ],
)  # fmt: skip
def test_disguised_or_dangerous_files_are_refused_and_leave_nothing(
    client, item, files_folder, content, name, message
):
    response = upload(client, item, content, name)
    assert response.status_code == 400
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert message in html
    assert 'id="file-error"' in html
    assert file_rows() == 0
    assert stored(files_folder) == []


def test_the_same_file_twice_on_one_item_is_refused_naming_the_first(client, item, files_folder):
    assert upload(client, item, PDF, "incident report.pdf").status_code == 302
    response = upload(client, item, PDF, "copy of report.pdf")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This file is already attached to this item, as “incident report.pdf”." in html
    assert file_rows() == 1
    assert len(stored(files_folder)) == 1
    assert upload(client, item, PNG, "screen.png").status_code == 302  # another file is fine
    assert file_rows() == 2


def test_a_file_as_large_as_the_limit_is_taken_and_a_larger_one_refused(app, client, item,
                                                                         files_folder, monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "EVIDENCE_FILE_LIMIT", 4096)  # the request may hold more
    exact = PDF + b"%" * (4096 - len(PDF))
    assert upload(client, item, exact, "exact.pdf").status_code == 302
    response = upload(client, item, exact + b"%", "over.pdf")
    assert response.status_code == 400
    assert "The file is larger than the" in response.get_data(as_text=True)
    assert file_rows() == 1


def test_oversized_upload_is_refused_with_413_before_it_is_read(app, client, item, files_folder):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = upload(client, item, PDF + b"%" * 4096, "big.pdf")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 51 * 1024 * 1024
    assert response.status_code == 413
    assert "larger than the" in response.get_data(as_text=True)
    assert file_rows() == 0
    assert stored(files_folder) == []


def test_a_failure_after_storing_leaves_neither_file_nor_row(
    app, client, item, files_folder, monkeypatch
):
    from portfolio.evidence import operations

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(operations, "_working_version", broken)
    with pytest.raises(RuntimeError):
        upload(client, item, PDF, "report.pdf")
    assert file_rows() == 0
    assert stored(files_folder) == []


def test_download_is_an_attachment_with_nosniff(client, item):
    upload(client, item, PDF, "report.pdf")
    record = db.session.scalar(select(EvidenceFile))
    with client.get(f"/evidence/{item.id}/files/{record.id}") as response:
        assert response.status_code == 200
        assert response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_only_people_who_may_see_the_evidence_can_download(client, auth, people, item):
    upload(client, item, PDF, "report.pdf")
    record = db.session.scalar(select(EvidenceFile))
    url = f"/evidence/{item.id}/files/{record.id}"
    for who, status in [("learner2", 404), ("other_learner", 404), ("other_admin", 404),
                        (Role.ASSESSOR, 200), (Role.IQA, 200), (Role.ADMIN, 200), ("assessor2", 404)]:  # fmt: skip
        auth.sign_out()
        auth.sign_in(people[who])
        with client.get(url) as response:
            assert response.status_code == status, who


def test_removing_a_draft_file_deletes_it(client, item, files_folder):
    upload(client, item, PDF, "report.pdf")
    record = db.session.scalar(select(EvidenceFile))
    response = client.post(f"/evidence/{item.id}/files/{record.id}/remove")
    assert response.status_code == 302
    assert file_rows() == 0
    assert stored(files_folder) == []
