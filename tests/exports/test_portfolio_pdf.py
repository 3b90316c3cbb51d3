"""The signed portfolio PDF: made once from a countersigned unit, signature checked by pyHanko
and Poppler's pdfsig, recognised by /verify, superseded on withdrawal, exported in bulk."""

import hashlib
import io
import subprocess
import zipfile
from datetime import timedelta

import pypdf
import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.assessment.models import Sample, SignOff
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.exports import signing
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from portfolio.exports.pdf import (
    PortfolioFetcher,
    RenderTimeout,
    lean_user_agent_css,
    render,
    render_with_time_limit,
)
from portfolio.notifications.kinds import KINDS
from portfolio.notifications.models import Notification
from tests.statements import counting
from tests.stories import UNITS, Cycle, complete, download, eqa_zip


def pdfsig(data: bytes, tmp_path) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_countersigned_unit_downloads_as_a_signed_tagged_pdf_with_every_section(
    app, countersigned, tmp_path
):
    response = download(countersigned)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    data = response.data
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("Portfolio of evidence", "Contents", "Criteria and the evidence that meets them",
                    "Declarations and sign-offs", "Internal quality assurance", "Appendix: audit trail"):  # fmt: skip
        assert heading in text, heading
    assert f"of {len(reader.pages)}" in text  # running footer: page X of Y
    assert reader.outline  # bookmarks
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    record = db.session.scalar(select(PortfolioDocument))
    assert (
        record.status is DocumentStatus.READY and record.sha256 == hashlib.sha256(data).hexdigest()
    )
    assert record.sign_off.manifest_hash in text.replace("\n", "")

    check = signing.validate(data, signing.certificate_pem(app.config, app.instance_path).encode())
    assert check.intact and check.valid
    assert "Signature Validation: Signature is Valid." in pdfsig(data, tmp_path)

    # One changed byte breaks both checks.
    tampered = bytearray(data)
    tampered[len(data) // 3] ^= 0x01
    assert not signing.validate(bytes(tampered)).intact
    assert "Signature is Valid." not in pdfsig(bytes(tampered), tmp_path)


def test_an_attached_pdf_is_laid_in_and_the_signature_covers_it(
    app, client, auth, people, exports_folder, tmp_path
):
    from weasyprint import HTML

    from portfolio.evidence.models import EvidenceItem
    from tests.evidence.helpers import CALL_NOTE

    attached = HTML(string="<p>Transcript of the escalation call</p>").write_pdf()
    c = Cycle(client, auth, people, "SFJ")
    c.be(Role.LEARNER)
    new = c.post(f"/enrolments/{c.enrolment.id}/evidence/new/call_note", CALL_NOTE)
    assert new.status_code == 302
    item = db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id.desc())).first()
    uploaded = client.post(
        f"/evidence/{item.id}/files",
        data={"file": (io.BytesIO(attached), "transcript.pdf"), "description": "Transcript"},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    assert c.post(f"/evidence/{item.id}/claims", {"criterion": [str(c.criteria["1.1"])]}).status_code == 302
    assert c.post(f"/evidence/{item.id}/submit").status_code == 302
    assert c.mark(item, "accepted").status_code == 302
    complete(c)
    c.be(Role.IQA)
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302

    data = download(c).data
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Transcript of the escalation call" in text  # the attached page, drawn in
    # Laid in as an update after WeasyPrint's own bytes; the signature's byte range still
    # runs to the end of the file, so it covers the attached pages too.
    assert data.count(b"%%EOF") == 2
    check = signing.validate(data, signing.certificate_pem(app.config, app.instance_path))
    assert check.intact and check.valid and check.trusted
    output = pdfsig(data, tmp_path)
    assert "Signature Validation: Signature is Valid." in output
    assert "Total document signed" in output


def test_the_pdf_is_made_once_and_served_from_storage(countersigned, exports_folder):
    first = download(countersigned)
    stored = list(exports_folder.iterdir())
    second = download(countersigned)
    assert first.data == second.data
    assert list(exports_folder.iterdir()) == stored
    assert db.session.scalar(select(PortfolioDocument)).status is DocumentStatus.READY


def test_verify_recognises_the_issued_pdf_and_rejects_a_tampered_copy(client, auth, countersigned):
    data = download(countersigned).data
    auth.sign_out()
    ok = client.post(
        "/verify",
        data={"document": (io.BytesIO(data), "p.pdf")},
        content_type="multipart/form-data",
    )
    html = ok.get_data(as_text=True)
    assert "This is a document this system issued" in html
    assert countersigned.people[Role.LEARNER].name in html and "In force" in html
    assert countersigned.people[Role.ASSESSOR].email not in html  # nothing else revealed
    tampered = bytearray(data)
    tampered[len(data) // 2] ^= 0x01
    tampered = bytes(tampered)
    bad = client.post(
        "/verify",
        data={"document": (io.BytesIO(tampered), "p.pdf")},
        content_type="multipart/form-data",
    )
    assert "Not a document this system issued" in bad.get_data(as_text=True)
    assert client.post("/verify", data={"sha256": "not a hash"}).status_code == 400
    by_hash = client.post("/verify", data={"sha256": hashlib.sha256(data).hexdigest()})
    assert "This is a document this system issued" in by_hash.get_data(as_text=True)
    # As copied from a PDF or an email: spaces around it, a line break within it.
    digest = hashlib.sha256(data).hexdigest().upper()
    pasted = client.post("/verify", data={"sha256": f" {digest[:32]}\n{digest[32:]} "})
    assert "This is a document this system issued" in pasted.get_data(as_text=True)
    # The countersignature's SHA-256, printed on the PDF beside the manifest's.
    record = db.session.scalar(select(SignOff))
    printed = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert record.countersign_hash in "".join(printed.split())
    by_countersignature = client.post("/verify", data={"sha256": f" {record.countersign_hash} "})
    html = by_countersignature.get_data(as_text=True)
    assert "This countersignature belongs to a portfolio this system issued" in html
    assert countersigned.people[Role.LEARNER].name in html and "In force" in html
    assert "upload the PDF to check that it was not changed" in html


def test_the_iqa_section_lists_samples_of_earlier_versions_decisions(
    client, auth, people, exports_folder
):
    """A decision returned, sampled and agreed, on a version before the one signed off:
    the PDF's IQA section lists it, with its version, as its audit appendix records it."""
    c = Cycle(client, auth, people, "SFJ")
    kind, data, numbers = UNITS["SFJ"][0]
    first = c.add(kind, data, numbers)
    assert c.mark(first, "returned", met=False, feedback="Add the times.").status_code == 302
    c.be(Role.IQA)
    assert c.post("/sampling/draw").status_code == 302
    sample = db.session.scalar(select(Sample))
    assert sample.decision.item_id == first.id
    assert c.post(f"/samples/{sample.id}", {"verdict": "agree", "comment": "A fair return."}).status_code == 302
    c.be(Role.LEARNER)
    edited = {**data, "severity": "major", "title": "Gas smell, severity added"}
    assert c.post(f"/evidence/{first.id}/edit", edited).status_code == 302
    assert c.post(f"/evidence/{first.id}/submit").status_code == 302
    assert c.mark(first, "accepted").status_code == 302
    complete(c)
    c.be(Role.IQA)
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(download(c).data)).pages)
    iqa = " ".join(text[text.rindex("Internal quality assurance"):text.rindex("Appendix: audit trail")].split())
    assert "No decision of this portfolio was sampled" not in iqa
    assert "Gas smell, severity added (version 1, returned)" in iqa and "Agreed" in iqa


def test_refused_attempts_stay_out_of_the_pdfs_audit_appendix(client, auth, countersigned):
    c = countersigned
    again = c.post(f"/enrolments/{c.enrolment.id}/countersign")  # a second tab's press
    assert again.status_code == 409
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.refused"))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(download(c).data)).pages)
    appendix = " ".join(text[text.rindex("Appendix: audit trail"):].split())
    assert "unit.countersigned" in appendix
    assert "access.refused" not in appendix and "already countersigned" not in appendix


def test_withdrawing_the_sign_off_supersedes_the_pdf(client, auth, countersigned):
    data = download(countersigned).data
    countersigned.be(Role.ASSESSOR)
    countersigned.post(f"/enrolments/{countersigned.enrolment.id}/sign-off/withdraw",
                       {"reason": "A customer's name was found in the log."})  # fmt: skip
    record = db.session.scalar(select(PortfolioDocument))
    assert not record.in_force and record.status is DocumentStatus.READY  # kept as issued
    # The learner and the IQA who countersigned are told, with the reason.
    kind = "sign_off_withdrawn"
    told = db.session.scalars(select(Notification).where(Notification.kind == kind)).all()
    people = countersigned.people
    assert sorted(n.recipient_id for n in told) == sorted([people[Role.LEARNER].id,
                                                          people[Role.IQA].id])  # fmt: skip
    assert KINDS[kind].text(told[0].facts).endswith(": A customer's name was found in the log.")
    auth.sign_out()
    html = client.post("/verify", data={"sha256": hashlib.sha256(data).hexdigest()}).get_data(
        as_text=True
    )
    assert "Withdrawn" in html and "superseded" in html


def test_the_pdf_names_the_configured_address_to_verify_at_whatever_the_host_asked(
    app, client, countersigned, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://portfolio.example.org")
    url = f"/enrolments/{countersigned.enrolment.id}/portfolio.pdf"
    assert client.get(url, headers={"Host": "evil.example"}).status_code == 400
    assert db.session.scalar(select(PortfolioDocument)) is None
    data = download(countersigned).data
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "https://portfolio.example.org/verify" in text
    assert "localhost" not in text and "evil.example" not in text


def test_pdf_is_refused_before_countersignature(client, auth, people, exports_folder):
    c = Cycle(client, auth, people, "SFJ")
    complete(c)
    response = c.client.get(f"/enrolments/{c.enrolment.id}/portfolio.pdf")
    assert response.status_code == 409
    assert "once the IQA has countersigned" in response.get_data(as_text=True)


def test_other_learners_and_providers_cannot_download(client, auth, people, countersigned):
    url = f"/enrolments/{countersigned.enrolment.id}/portfolio.pdf"
    for who in ("learner2", "other_admin", "assessor2"):
        auth.sign_out()
        auth.sign_in(people[who])
        assert client.get(url).status_code == 404, who


def test_bulk_export_for_an_eqa_visit(client, auth, people, countersigned):
    auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    page = client.get("/exports/eqa").get_data(as_text=True)
    assert people[Role.LEARNER].name in page
    sign_off = db.session.scalar(select(SignOff))
    archive = zipfile.ZipFile(io.BytesIO(eqa_zip(client, [sign_off.id])))
    names = archive.namelist()
    assert "index.csv" in names and any(n.endswith(".pdf") for n in names)
    pdf_name = next(n for n in names if n.endswith(".pdf"))
    index = archive.read("index.csv").decode()
    assert hashlib.sha256(archive.read(pdf_name)).hexdigest() in index
    assert client.post("/exports/eqa", data={"sign_off": ["99999"]}).status_code == 400
    none = client.post("/exports/eqa", data={})
    html = none.get_data(as_text=True)
    assert none.status_code == 400 and '<a href="#portfolios">Choose at least one' in html
    assert 'id="portfolios"' in html


def test_the_fetcher_refuses_files_and_network_but_renders_the_rest(signature):
    fetcher_images = {}
    html = (
        '<h1>Test</h1><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="https://example.org/s.css"><img src="portfolio-file:999">'
    )
    fetcher = PortfolioFetcher(fetcher_images)
    from weasyprint import HTML

    HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert any(u.startswith("file:") for u in fetcher.refused)
    assert any(u.startswith("http:") for u in fetcher.refused)
    assert any(u.startswith("portfolio-file:999") for u in fetcher.refused)
    data, pages = render("<p>Fine</p>", {}, {}, signature)
    assert data.startswith(b"%PDF") and pages == 1


SAMPLE = (
    '<html lang="en"><title>Sample</title><h1>Heading</h1><p>A paragraph with <strong>bold</strong> text.</p>'
    "<ul><li>first point</li><li>second point</li></ul><ol><li>step one</li><li>step two</li></ol>"
    "<table><thead><tr><th>Criterion</th><th>Page</th></tr></thead>"
    "<tbody><tr><td>1.1</td><td>3</td></tr></tbody></table>"
)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_lean_stylesheet_renders_as_weasyprints_own_with_list_markers(signature):
    from weasyprint import HTML

    ours, _ = render(SAMPLE, {}, {}, signature)
    theirs = HTML(string=SAMPLE).write_pdf(pdf_variant="pdf/ua-1")
    assert page_texts(ours) == page_texts(theirs)
    text = page_texts(ours)[0]
    assert "first point" in text and "step two" in text
    assert text.count("•") == 2 and "1. " in text and "2. " in text  # the markers are drawn


def test_the_lean_stylesheet_drops_only_the_rules_for_every_elements_pseudo_elements():
    from weasyprint.html import UA

    lean = lean_user_agent_css(UA)
    assert "::footnote-" not in lean and "::note-" not in lean
    assert "li::marker, summary::marker {" in lean
    dropped = set(UA.splitlines()) - set(lean.splitlines())
    assert all(line.startswith(("::footnote-", "::note-", "::marker")) for line in dropped)
    with pytest.raises(RuntimeError, match="has changed"):
        lean_user_agent_css("p { margin: 0 }")


def test_a_pathological_document_times_out_with_a_clear_error(signature):
    huge = "<table>" + "<tr><td>x</td></tr>" * 200_000 + "</table>"
    with pytest.raises(RenderTimeout) as error:
        render_with_time_limit(huge, {}, {}, signature, 1)
    assert "took longer than 1 seconds and was stopped" in error.value.message


def test_learner_text_reaches_the_pdf_escaped(app, client, auth, people, exports_folder):
    from tests.evidence.helpers import INCIDENT

    c = Cycle(client, auth, people, "SFJ")
    hostile = {**INCIDENT, "location": '<img src="file:///etc/passwd"><script>alert(1)</script>'}
    item = c.add("incident_log", hostile, ["1.1", "2.1", "3.1"])
    assert c.mark(item, "accepted").status_code == 302
    c.be(Role.LEARNER)
    c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"})
    c.be(Role.ASSESSOR)
    c.post(f"/enrolments/{c.enrolment.id}/sign-off")
    c.be(Role.IQA)
    c.post(f"/enrolments/{c.enrolment.id}/countersign")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(download(c).data)).pages)
    assert '<img src="file:///etc/passwd">' in text  # shown as text, never fetched


def test_a_pending_document_is_claimed_by_one_request_only(app, countersigned):
    from portfolio.exports import service

    sign_off = db.session.scalar(select(SignOff))
    record = service.request_document(sign_off)
    assert service.claim(record) is True
    assert record.status is DocumentStatus.GENERATING
    assert service.claim(record) is False  # a reload, or another worker, waits instead


def test_an_unexpected_failure_marks_the_document_failed(app, countersigned, monkeypatch):
    from portfolio.exports import service

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "build_pdf", broken)
    sign_off = db.session.scalar(select(SignOff))
    document_id = service.request_document(sign_off).id
    db.session.commit()  # as the request that asked for it does
    record = service.generate(document_id)
    assert record.status is DocumentStatus.FAILED
    assert "error in the system" in record.error


def test_a_stored_pdf_is_served_in_a_fixed_number_of_statements(countersigned):
    first = download(countersigned)
    url = f"/enrolments/{countersigned.enrolment.id}/portfolio.pdf"
    with counting(db.engine) as statements, countersigned.client.get(url) as response:
        assert response.status_code == 200 and response.get_data() == first.data
    # The signed-in user, the enrolment with the check that they may see it, its sign-off
    # in force and its document.
    assert len(statements) == 4, "\n\n".join(statements)
    assert response.headers["ETag"] == f'"{hashlib.sha256(first.data).hexdigest()}"'
    assert response.headers["Content-Length"] == str(len(first.data))
    assert response.headers["Content-Disposition"].startswith("attachment; filename=portfolio-")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_session_copied_before_signing_out_cannot_download_the_stored_pdf(
    app, client, auth, countersigned
):
    countersigned.be(Role.LEARNER)
    download(countersigned)
    copied = client.get_cookie("portfolio_session").value
    auth.sign_out()
    thief = app.test_client()
    thief.set_cookie("portfolio_session", copied)
    with thief.get(f"/enrolments/{countersigned.enrolment.id}/portfolio.pdf") as replay:
        assert replay.status_code == 302 and "/sign-in" in replay.headers["Location"]


def test_conditional_and_partial_requests_of_a_stored_pdf(countersigned):
    data = download(countersigned).data
    url = f"/enrolments/{countersigned.enrolment.id}/portfolio.pdf"
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    with countersigned.client.get(url, headers={"If-None-Match": etag}) as unchanged:
        assert unchanged.status_code == 304 and unchanged.get_data() == b""
    with countersigned.client.get(url, headers={"Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and part.get_data() == data[:100]
    with countersigned.client.get(url + "?inline") as inline:
        assert inline.headers["Content-Disposition"].startswith("inline;")
        assert inline.get_data() == data


def test_a_stored_pdf_is_not_served_to_a_session_that_no_longer_stands(
    client, auth, people, countersigned
):
    download(countersigned)
    url = f"/enrolments/{countersigned.enrolment.id}/portfolio.pdf"
    countersigned.be(Role.EQA)
    eqa = people[Role.EQA]
    with client.get(url) as allowed:
        assert allowed.status_code == 200
    eqa.access_expires_on = eqa.created_at.date() - timedelta(days=1)
    db.session.flush()
    with client.get(url) as expired:
        assert expired.status_code == 302 and "/sign-in" in expired.headers["Location"]
    countersigned.be(Role.LEARNER)
    learner = people[Role.LEARNER]
    learner.rotate_session_token()  # as a password change or deactivation does
    db.session.flush()
    with client.get(url) as signed_out:
        assert signed_out.status_code == 302 and "/sign-in" in signed_out.headers["Location"]
    auth.sign_out()
    with client.get(url) as anonymous:
        assert anonymous.status_code == 302


@pytest.mark.parametrize("number", ["²", "٣", "9" * 40])
def test_the_fetcher_refuses_a_file_number_that_is_not_one(number):
    fetcher = PortfolioFetcher({3: ("unused", "image/png")})
    with pytest.raises(ValueError, match="resource refused"):
        fetcher.fetch(f"portfolio-file:{number}")
    assert fetcher.refused == [f"portfolio-file:{number}"]
