"""The incident log: a structured form, validated times, read back as a timeline."""

from sqlalchemy import func, select

from portfolio.db import db
from portfolio.evidence.incident import PRIORITY_MATRIX, priority
from portfolio.evidence.models import EvidenceItem, EvidenceKind, EvidenceVersion
from tests.evidence.helpers import INCIDENT


def new_url(enrolment):
    return f"/enrolments/{enrolment.id}/evidence/new/incident_log"


def counts():
    return (
        db.session.scalar(select(func.count(EvidenceItem.id))),
        db.session.scalar(select(func.count(EvidenceVersion.id))),
    )


def test_learner_records_an_incident_log_that_reads_back_as_a_timeline(client, learner, enrolment):
    response = client.post(new_url(enrolment), data=INCIDENT)
    assert response.status_code == 302, response.get_data(as_text=True)
    item = db.session.scalar(select(EvidenceItem))
    assert item.kind is EvidenceKind.INCIDENT_LOG
    content = item.current.content
    assert content["reported_at"] == "2026-11-04T14:05"
    assert len(content["communications"]) == 2
    assert content["resources"][0]["availability_confirmed"] is True
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    timeline = page[page.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    order = ["Reported", "Phone with Caller", "Escalated to Duty emergency engineer",
             "Dispatched Emergency engineer van 12", "Email with Housing officer", "Resolved"]  # fmt: skip
    positions = [timeline.index(label) for label in order]
    assert positions == sorted(positions)
    assert "<strong>P1</strong>: resolve within 1 hour" in page
    assert "<strong>strong smell of gas</strong>" in page


def test_priority_follows_the_matrix():
    assert priority("high", "high") == "P1"
    assert priority("low", "low") == "P5"
    assert priority("medium", "") is None
    assert len(PRIORITY_MATRIX) == 9


def test_malformed_date_is_refused_next_to_its_field_and_nothing_saved(client, learner, enrolment):
    before = counts()
    response = client.post(new_url(enrolment), data={**INCIDENT, "reported_at": "04/11/2026 2pm"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="reported_at-error"' in html
    assert "Enter a date and time like 2026-11-04 14:05." in html
    assert counts() == before


def test_communications_out_of_order_are_refused(client, learner, enrolment):
    before = counts()
    data = {
        **INCIDENT,
        "communications-1-at": "2026-11-04T14:06",
        "communications-0-at": "2026-11-04T14:30",
    }
    response = client.post(new_url(enrolment), data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="communications-1-at-error"' in html
    assert "Entry 2 (4 Nov 2026, 14:06) is earlier than entry 1 (4 Nov 2026, 14:30)" in html
    # Also at the top of the page, linked to the row's field: the only problem is in a row.
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert '<a href="#communications-1-at">Entry 2 (4 Nov 2026, 14:06) is earlier' in summary
    assert counts() == before


def test_every_problem_of_a_row_is_in_the_summary_with_the_others(client, learner, enrolment):
    data = {**INCIDENT, "resolved_at": "2026-11-04T13:00",
            "resources-0-dispatched_at": "2026-11-04T13:00", "communications-1-at": ""}  # fmt: skip
    response = client.post(new_url(enrolment), data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    for field, words in (("resolved_at", "The resolution cannot be before"),
                         ("resources-0-dispatched_at", "Resource 1&#39;s dispatch cannot be before"),
                         ("communications-1-at", "Entry 2: enter the time")):  # fmt: skip
        assert f'<a href="#{field}">' in summary and words in summary, field


def test_times_before_the_report_are_refused(client, learner, enrolment):
    response = client.post(new_url(enrolment), data={**INCIDENT, "resolved_at": "2026-11-04T13:00"})
    assert response.status_code == 400
    assert "The resolution cannot be before the incident was reported." in response.get_data(
        as_text=True
    )


def test_a_communication_without_a_time_is_refused(client, learner, enrolment):
    data = {**INCIDENT, "communications-1-at": ""}
    response = client.post(new_url(enrolment), data=data)
    assert response.status_code == 400
    assert "Entry 2: enter the time of this communication." in response.get_data(as_text=True)


def test_a_future_report_time_is_refused(client, learner, enrolment):
    response = client.post(new_url(enrolment), data={**INCIDENT, "reported_at": "2999-01-01T10:00"})
    assert response.status_code == 400
    assert "The report time cannot be in the future." in response.get_data(as_text=True)


def test_the_log_can_grow_without_javascript(client, learner, enrolment):
    data = {**INCIDENT, "add_row": "communications"}
    response = client.post(new_url(enrolment), data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="communications-2-at"' in html
    assert "Advised to leave the building" in html
    assert counts() == (0, 0)


def test_long_communications_log_is_kept_in_order(client, learner, enrolment):
    data = {k: v for k, v in INCIDENT.items() if not k.startswith("communications")}
    for i in range(12):
        data[f"communications-{i}-at"] = f"2026-11-04T14:{10 + i:02d}"
        data[f"communications-{i}-with_whom"] = f"Contact {i}"
        data[f"communications-{i}-channel"] = "radio"
        data[f"communications-{i}-summary"] = f"Update {i}"
    assert client.post(new_url(enrolment), data=data).status_code == 302
    item = db.session.scalar(select(EvidenceItem))
    assert [c["with"] for c in item.current.content["communications"]] == [
        f"Contact {i}" for i in range(12)
    ]


def test_quality_warnings_point_out_what_assessors_look_for(client, learner, enrolment):
    data = {**INCIDENT, "severity": "", "escalated": "", "customer_updates": "", "lessons_learned": "",
            "resources-0-availability_confirmed": ""}  # fmt: skip
    assert client.post(new_url(enrolment), data=data).status_code == 302
    item = db.session.scalar(select(EvidenceItem))
    html = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    for message in [
        "The severity is not classified.",
        "This is a P1 incident, which is normally escalated, but no escalation is recorded.",
        "deployed without its availability being confirmed first.",
        "No customer or stakeholder update is recorded.",
        "No lessons learned are recorded.",
    ]:
        assert message in html.replace("&#39;", "'"), message
