"""The marking page: the evidence in full beside the criteria (timeline, notes, STAR parts,
images, the first page of a PDF, audio players), and on a resubmission the last decision's
judgements filled in with the changes since it marked."""

import io
import re

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.evidence.models import EvidenceItem
from tests.evidence.helpers import CALL_NOTE, INCIDENT, STAR
from tests.factories import PDF, criteria_of, make_enrolment
from tests.statements import counting

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
WAV = (
    b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00"
    b"\x00\x02\x00\x10\x00data\x00\x00\x00\x00"
)


@pytest.fixture(autouse=True)
def files_folder(app, tmp_path):
    app.config["EVIDENCE_FILES_PATH"] = str(tmp_path / "files")
    yield
    app.config["EVIDENCE_FILES_PATH"] = None


@pytest.fixture
def enrolment(people):
    return make_enrolment(
        people[Role.LEARNER], body="SFJ", assessor=people[Role.ASSESSOR], iqa=people[Role.IQA]
    )


class Story:
    def __init__(self, client, auth, people, enrolment):
        self.client, self.auth, self.people, self.enrolment = client, auth, people, enrolment
        self.criteria = {c.number: c for c in criteria_of(enrolment)}
        self.who = None

    def be(self, role):
        if self.who != role:
            self.auth.sign_out()
            self.auth.sign_in(self.people[role])
            self.who = role

    def draft(self, kind, data) -> EvidenceItem:
        self.be(Role.LEARNER)
        url = f"/enrolments/{self.enrolment.id}/evidence/new/{kind}"
        assert self.client.post(url, data=data).status_code == 302
        return db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id.desc())).first()

    def upload(self, item, content: bytes, name: str, description: str = ""):
        self.be(Role.LEARNER)
        response = self.client.post(
            f"/evidence/{item.id}/files",
            data={"file": (io.BytesIO(content), name), "description": description},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    def submit(self, item, numbers=("1.1",)):
        self.be(Role.LEARNER)
        ids = [str(self.criteria[n].id) for n in numbers]
        assert (
            self.client.post(f"/evidence/{item.id}/claims", data={"criterion": ids}).status_code
            == 302
        )
        response = self.client.post(f"/evidence/{item.id}/submit")
        assert response.status_code == 302, response.get_data(as_text=True)

    def marking_page(self, item) -> str:
        self.be(Role.ASSESSOR)
        response = self.client.get(f"/evidence/{item.id}/mark")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def mark(self, item, outcome, judgements: dict[str, tuple[str, str]], feedback="Noted."):
        self.be(Role.ASSESSOR)
        item = db.session.get(EvidenceItem, item.id)
        data = {"outcome": outcome, "feedback": feedback, "lock_version": item.lock_version}
        for number, (judgement, comment) in judgements.items():
            data[f"judgement_{self.criteria[number].id}"] = judgement
            data[f"comment_{self.criteria[number].id}"] = comment
        response = self.client.post(f"/evidence/{item.id}/mark", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def story(client, auth, people, enrolment):
    return Story(client, auth, people, enrolment)


def evidence_column(page: str) -> str:
    return page[page.index('class="marking-evidence"') : page.index('class="marking-criteria"')]


def checked(page: str, name: str) -> str | None:
    """The value of the radio button of this name that is checked, if any."""
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', page):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def test_the_incident_log_is_read_in_full_beside_the_criteria(story):
    item = story.draft("incident_log", INCIDENT)
    story.submit(item)
    page = story.marking_page(item)
    evidence = evidence_column(page)
    # Before the criteria in the page (so above them on a phone, beside them on a screen).
    assert page.index('class="marking-evidence"') < page.index('class="marking-criteria"')
    assert '<ol class="timeline">' in evidence
    for text in ("INC-20261104-0042", "Advised to leave the building", "Housing officer",
                 "Emergency engineer van 12", "A loose joint on the meter.",
                 "Confirm the evacuation advice", "<strong>strong smell of gas</strong>"):  # fmt: skip
        assert text in evidence, text
    assert "Read the evidence" not in page  # no longer hidden behind a link
    assert f'name="judgement_{story.criteria["1.1"].id}"' in page


def test_star_parts_and_call_notes_are_read_in_full(story):
    star = story.draft("star_account", STAR)
    story.submit(star)
    evidence = evidence_column(story.marking_page(star))
    for label in ("Situation", "Task", "Action", "Result", "Reflection"):
        assert f"<h3>{label} <span" in evidence, label
    assert "I logged the call straight away" in evidence

    note = story.draft("call_note", CALL_NOTE)
    story.submit(note)
    evidence = evidence_column(story.marking_page(note))
    assert "raised a credit" in evidence
    assert "12 minutes" in evidence


def test_images_pdfs_and_audio_are_shown_in_place_and_other_files_linked(story):
    item = story.draft("incident_log", INCIDENT)
    story.upload(item, PNG, "screen.png", "The ticket screen")
    story.upload(item, PDF, "report.pdf")
    story.upload(item, WAV, "call.wav", "The call, anonymised")
    story.upload(item, b"Plain notes about the call.\n", "notes.txt")
    story.submit(item)
    evidence = evidence_column(story.marking_page(item))
    files = {f.original_name: f for f in db.session.get(EvidenceItem, item.id).files}

    def url(name):
        return f"/evidence/{item.id}/files/{files[name].id}"

    assert f'<img src="{url("screen.png")}?inline=1" alt="The ticket screen">' in evidence
    assert re.search(
        rf'<iframe class="pdf-page" src="{url("report.pdf")}\?inline=1#page=1&amp;view=FitH" '
        r'title="First page of report.pdf"',
        evidence,
    )
    assert f'<audio controls preload="metadata" src="{url("call.wav")}?inline=1"' in evidence
    assert f'<a href="{url("notes.txt")}">notes.txt</a>' in evidence
    assert f"{url('notes.txt')}?inline=1" not in evidence


def test_shown_files_are_served_inline_to_be_framed_by_this_site_only(story, auth, people):
    item = story.draft("call_note", CALL_NOTE)
    story.upload(item, PDF, "report.pdf")
    story.upload(item, b"Plain notes.\n", "notes.txt")
    story.submit(item)
    files = {f.original_name: f for f in db.session.get(EvidenceItem, item.id).files}
    story.be(Role.ASSESSOR)
    pdf = f"/evidence/{item.id}/files/{files['report.pdf'].id}"
    with story.client.get(pdf + "?inline=1") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert response.headers["Content-Security-Policy"] == (
            "default-src 'none'; frame-ancestors 'self'"
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.get_data() == PDF
    # A type the browser does not show itself stays an attachment, sandboxed, unframeable.
    with story.client.get(f"/evidence/{item.id}/files/{files['notes.txt'].id}?inline=1") as text:
        assert text.headers["Content-Disposition"].startswith("attachment")
        assert "sandbox" in text.headers["Content-Security-Policy"]
        assert text.headers["X-Frame-Options"] == "DENY"
    with story.client.get(pdf) as attachment:
        assert attachment.headers["Content-Disposition"].startswith("attachment")
    # The same permission check as any download.
    for who in ("other_learner", "other_admin", "assessor2"):
        auth.sign_out()
        auth.sign_in(people[who])
        story.who = who
        with story.client.get(pdf + "?inline=1") as refused:
            assert refused.status_code == 404, who


def test_a_resubmission_starts_from_the_last_judgements_with_the_changes_marked(story):
    item = story.draft("incident_log", {**INCIDENT, "severity": ""})
    story.upload(item, PDF, "first.pdf")
    story.submit(item, ("1.1", "2.1"))
    first_page = story.marking_page(item)
    one, two = story.criteria["1.1"].id, story.criteria["2.1"].id
    assert checked(first_page, f"judgement_{one}") is None  # nothing to start from yet
    assert "The last decision" not in first_page and "Since your last decision" not in first_page
    story.mark(item, "returned", {"1.1": ("met", "Clear & timed <log>"),
                                  "2.1": ("not_met", "No severity recorded")},
               feedback="Please **classify the severity**.")  # fmt: skip

    story.be(Role.LEARNER)
    edited = {**INCIDENT, "severity": "major", "root_cause": "A loose joint on the gas meter."}
    assert story.client.post(f"/evidence/{item.id}/edit", data=edited).status_code == 302
    story.upload(item, PNG, "meter.png", "The meter")
    assert story.client.post(f"/evidence/{item.id}/submit").status_code == 302

    page = story.marking_page(item)
    assert checked(page, f"judgement_{one}") == "met"
    assert checked(page, f"judgement_{two}") == "not_met"
    assert re.search(rf'name="comment_{one}"[^>]*value="Clear &amp; timed &lt;log&gt;"', page)
    # The not-met comment asked for rework: shown as the last decision's, not carried into
    # the new one, where it would be recorded of the reworked evidence.
    assert re.search(rf'name="comment_{two}"[^>]*value=""', page)
    assert (
        'Last decision: <span class="tag tag-amber">Not yet met</span> No severity recorded' in page
    )
    assert checked(page, "outcome") is None  # the outcome is the assessor's to choose again
    since = page[page.index('class="panel since"') :]
    since = since[: since.index("</section>")]
    assert "Since your last decision" in since
    assert "<ins>major</ins>" in since
    assert "<ins>gas</ins>" in since  # a word added inside a field's text
    assert "Files added: <ins>meter.png</ins>" in since
    assert "<strong>classify the severity</strong>" in since  # the feedback then

    # What was filled in is what is recorded when the assessor only changes the outcome.
    story.mark(
        item, "accepted", {"1.1": ("met", "Clear & timed <log>"), "2.1": ("met", "Now classified")}
    )
    assert db.session.get(EvidenceItem, item.id).status.value == "accepted"


def test_the_marking_page_reads_the_same_statements_however_many_files(story):
    pages = []
    for count in (1, 4):
        item = story.draft("incident_log", INCIDENT)
        for i in range(count):
            story.upload(item, PNG + bytes([i]), f"screen-{i}.png")  # each a file of its own
        story.submit(item)
        story.be(Role.ASSESSOR)
        with counting(db.engine) as statements:
            assert story.client.get(f"/evidence/{item.id}/mark").status_code == 200
        pages.append(len(statements))
    assert pages[0] == pages[1]
