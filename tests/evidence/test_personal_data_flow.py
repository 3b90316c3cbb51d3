"""The personal-data check blocks submission until every finding is replaced or dismissed."""

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.evidence.models import EvidenceItem, EvidenceStatus, PersonalDataDismissal
from portfolio.evidence.operations import findings
from tests.stories import LEAKY, leaky_note


def test_submission_is_refused_while_personal_data_remains(client, learner, enrolment):
    item = leaky_note(client, enrolment)
    response = client.post(f"/evidence/{item.id}/submit")
    assert response.status_code == 400
    assert "still need resolving" in response.get_data(as_text=True)
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.DRAFT


def test_findings_are_highlighted_in_place(client, learner, enrolment):
    item = leaky_note(client, enrolment)
    html = client.get(f"/evidence/{item.id}/check").get_data(as_text=True)
    assert '<mark class="pii"' in html
    assert "07700 900123" in html
    assert "£45.99" in html and "14:32" in html  # shown, but not as findings
    types = {f.finding.type for f in findings(db.session.get(EvidenceItem, item.id))}
    assert {"PHONE", "POSTCODE", "EMAIL", "NAME"} <= types


def test_replacing_one_finding_puts_a_typed_placeholder_in_the_text(client, learner, enrolment):
    item = leaky_note(client, enrolment)
    phone = next(f for f in findings(item) if f.finding.type == "PHONE")
    response = client.post(f"/evidence/{item.id}/check/replace", data={
        "field": phone.field, "start": phone.finding.start, "end": phone.finding.end,
        "text": phone.finding.text, "finding_type": "PHONE"})  # fmt: skip
    assert response.status_code == 302
    notes = db.session.get(EvidenceItem, item.id).current.content["notes"]
    assert "07700 900123" not in notes
    assert "[PHONE]" in notes


def test_a_stale_replacement_is_a_conflict(client, learner, enrolment):
    item = leaky_note(client, enrolment)
    response = client.post(f"/evidence/{item.id}/check/replace", data={
        "field": "notes", "start": 0, "end": 5, "text": "Hello", "finding_type": "NAME"})  # fmt: skip
    assert response.status_code == 409


def test_dismissing_needs_a_reason_which_is_recorded(client, learner, enrolment):
    item = leaky_note(client, enrolment)
    email = next(f for f in findings(item) if f.finding.type == "EMAIL")
    data = {"field": email.field, "finding_type": "EMAIL", "text": email.finding.text, "reason": ""}
    response = client.post(f"/evidence/{item.id}/check/dismiss", data=data)
    assert response.status_code == 400
    assert "Give a reason for dismissing this finding." in response.get_data(as_text=True)
    data["reason"] = "It is the company's shared test mailbox, not a customer's."
    assert client.post(f"/evidence/{item.id}/check/dismiss", data=data).status_code == 302
    dismissal = db.session.scalar(select(PersonalDataDismissal))
    assert dismissal.reason == data["reason"]
    assert dismissal.text == email.finding.text
    assert all(f.finding.type != "EMAIL" for f in findings(db.session.get(EvidenceItem, item.id)))


def test_the_assessor_and_the_trail_see_what_was_dismissed_and_why(client, auth, people, learner,
                                                                    enrolment):  # fmt: skip
    item = leaky_note(client, enrolment)
    email = next(f for f in findings(item) if f.finding.type == "EMAIL")
    reason = "It is the company's <shared> test mailbox."
    data = {"field": email.field, "finding_type": "EMAIL", "text": email.finding.text, "reason": reason}
    assert client.post(f"/evidence/{item.id}/check/dismiss", data=data).status_code == 302
    # The learner's check page lists it too, with the reason.
    check = client.get(f"/evidence/{item.id}/check").get_data(as_text=True)
    listed = check[check.index('id="dismissed-h"'):]
    assert f"<q>{email.finding.text}</q>" in listed and "&lt;shared&gt; test mailbox" in listed
    assert client.post(f"/evidence/{item.id}/check/replace-all").status_code == 302
    assert client.post(f"/evidence/{item.id}/submit").status_code == 302
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    page = client.get(f"/evidence/{item.id}/mark").get_data(as_text=True)
    shown = page[page.index('id="dismissed-h"'):]
    shown = shown[: shown.index("</section>")]
    assert f"<q>{email.finding.text}</q>, a possible email in Call notes" in shown
    assert "It is the company&#39;s &lt;shared&gt; test mailbox." in shown
    assert people[Role.LEARNER].name in shown
    trail = client.get(f"/audit/evidence/{item.id}").get_data(as_text=True)
    assert (f"dismissed a possible email in Call notes of '{item.title}' (version 1) as not "
            "personal data: “It is the company&#39;s &lt;shared&gt; test mailbox.”") in trail
    # The trail keeps the reason, not the text dismissed.
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "evidence.personal_data_dismissed"))  # fmt: skip
    assert email.finding.text not in str(event.after) + event.summary


def test_after_replacing_everything_the_note_can_be_submitted(client, learner, enrolment):
    item = leaky_note(client, enrolment)
    assert client.post(f"/evidence/{item.id}/check/replace-all").status_code == 302
    item = db.session.get(EvidenceItem, item.id)
    assert findings(item) == []
    notes = item.current.content["notes"]
    assert "£45.99" in notes and "14:32" in notes
    assert client.post(f"/evidence/{item.id}/submit").status_code == 302
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.SUBMITTED


def test_the_trail_records_replacements_without_the_text_replaced(client, auth, people, learner,
                                                                  enrolment):  # fmt: skip
    item = leaky_note(client, enrolment)
    phone = next(f for f in findings(item) if f.finding.type == "PHONE")
    client.post(f"/evidence/{item.id}/check/replace", data={
        "field": phone.field, "start": phone.finding.start, "end": phone.finding.end,
        "text": phone.finding.text, "finding_type": "PHONE"})  # fmt: skip
    rest = len(findings(db.session.get(EvidenceItem, item.id)))
    assert client.post(f"/evidence/{item.id}/check/replace-all").status_code == 302
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "evidence.personal_data_replaced").order_by(AuditEvent.id)).all()  # fmt: skip
    assert [e.after["count"] for e in events] == [1, rest]
    assert events[0].after["types"] == ["PHONE"]
    assert "07700 900123" not in str([e.after for e in events]) + events[0].summary
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    trail = client.get(f"/audit/evidence/{item.id}").get_data(as_text=True)
    assert f"replaced 1 possible personal detail (phone) in '{item.title}' (version 1)" in trail
    assert f"replaced {rest} possible personal details (" in trail


def test_pii_scan_command_prints_findings_and_redacts(runner, tmp_path):
    import json

    path = tmp_path / "note.txt"
    path.write_text(LEAKY)
    result = runner.invoke(args=["pii", "scan", str(path)])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert {"type", "start", "end", "text"} <= set(found[0])
    assert any(f["type"] == "PHONE" and f["text"] == "07700 900123" for f in found)
    for f in found:
        assert LEAKY[f["start"] : f["end"]] == f["text"]
    redacted = runner.invoke(args=["pii", "scan", "--redact", str(path)])
    assert "[PHONE]" in redacted.output and "07700 900123" not in redacted.output
    assert "£45.99" in redacted.output


def test_evidence_suggest_command_ranks_criteria(runner, tmp_path):
    import json

    path = tmp_path / "log.txt"
    path.write_text("I logged the time, nature and severity of the incident in the CRM system.")
    result = runner.invoke(args=["evidence", "suggest", "--unit", "BIIAB-INCIDENTS", str(path)])
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.output)
    assert ranked[0]["number"] == "1.1"
    assert ranked[0]["terms"]
    bad = runner.invoke(args=["evidence", "suggest", "--unit", "NOPE", str(path)])
    assert bad.exit_code != 0
    assert "no unit with code 'NOPE'" in bad.output
