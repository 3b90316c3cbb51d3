"""The audit trail reads as sentences naming the people and objects in words, built from each
event's stored data; the raw data stays one click away and hashes copy whole."""

import re
from datetime import date
from pathlib import Path

import pytest
from flask import get_template_attribute
from sqlalchemy import select

from portfolio import ROOT
from portfolio.accounts.models import Role
from portfolio.assessment import trail_reading
from portfolio.assessment.models import Decision, Sample
from portfolio.audit.models import AuditEvent
from portfolio.audit.trail import record
from portfolio.db import db
from portfolio.evidence.models import EvidenceItem
from tests.evidence.helpers import INCIDENT
from tests.factories import make_enrolment, make_user
from tests.stories import Cycle

TITLE = "Gas smell in a block of flats"


def sentences(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", s)).strip().replace("&#39;", "'")
        for s in re.findall(r'<p class="trail-sentence">(.*?)</p>', html, re.S)
    ]


@pytest.fixture
def story(client, auth, people):
    """An incident log returned, resubmitted and accepted, declared, signed off, sampled,
    agreed and countersigned, all through the pages."""
    c = Cycle(client, auth, people, "SFJ")
    item = c.add("incident_log", {**INCIDENT, "title": TITLE}, ["1.1", "2.1", "3.1"])
    assert c.mark(item, "returned", met=False, feedback="Add the severity.").status_code == 302
    c.be(Role.LEARNER)
    assert c.post(f"/evidence/{item.id}/edit", {**INCIDENT, "title": TITLE}).status_code == 302
    assert c.post(f"/evidence/{item.id}/submit").status_code == 302
    assert c.mark(item, "accepted").status_code == 302
    c.be(Role.LEARNER)
    assert (
        c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"}).status_code == 302
    )
    c.be(Role.ASSESSOR)
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 302
    c.be(Role.IQA)
    assert c.post("/sampling/draw").status_code == 302
    sample = db.session.scalars(select(Sample)).one()
    assert (
        c.post(f"/samples/{sample.id}", {"verdict": "agree", "comment": "Sound."}).status_code
        == 302
    )
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302
    c.be(Role.ADMIN)
    return c, item


def test_each_step_of_an_assessment_reads_as_a_sentence(story, people):
    c, item = story
    learner, assessor, iqa = (people[r].name for r in (Role.LEARNER, Role.ASSESSOR, Role.IQA))
    unit = c.enrolment.unit.title
    page = c.client.get(f"/audit/learners/{c.enrolment.learner_id}").get_data(as_text=True)
    read = sentences(page)
    expected = [
        f"{iqa} countersigned '{unit}' for {learner}",
        f"{assessor} signed off '{unit}' for {learner}",
        f"{learner} declared the evidence for '{unit}' to be their own work",
        f"{assessor} accepted '{TITLE}' (version 2): 1.1 met, 2.1 met, 3.1 met",
        f"{learner} resubmitted '{TITLE}' (version 2) for marking",
        f"{assessor} returned '{TITLE}' (version 1) for rework: "
        "1.1 not yet met, 2.1 not yet met, 3.1 not yet met",
        f"{learner} submitted '{TITLE}' (version 1) for marking",
        f"{learner} started the incident log '{TITLE}'",
    ]
    positions = [read.index(sentence) for sentence in expected]  # each there, newest first
    assert positions == sorted(positions), read
    # The sample is of one of the two decisions, with the reasons it was chosen.
    version = rf"'{re.escape(TITLE)}' \(version [12]\)"
    sampled = rf"{iqa} sampled {assessor}'s decision on {version}: .*has no sample yet.*"
    assert any(re.fullmatch(sampled, s) for s in read), read
    assert any(
        re.fullmatch(rf"{iqa} agreed with {assessor}'s decision on {version}", s) for s in read
    )
    assert not any("decision.recorded" in s for s in read)


def test_hashes_copy_whole_from_read_only_fields(story):
    c, _item = story
    page = c.client.get(f"/audit/learners/{c.enrolment.learner_id}").get_data(as_text=True)
    signed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "unit.signed_off")
    ).one()
    manifest = signed.after["manifest_sha256"]
    field = re.search(
        rf'<input id="([\w-]+)" class="hash" type="text" value="{manifest}" readonly', page
    )
    assert field, "the manifest hash is a read-only field"
    assert f'<label for="{field.group(1)}">Manifest SHA-256</label>' in page
    assert f'data-copy="{field.group(1)}" hidden>Copy' in page  # shown by static/copy.js
    # The event's own hash and the link to the one before, inside its disclosure.
    details = page.split(f'value="{manifest}"')[1].split("</details>")[0]
    assert f'value="{signed.hash}" readonly' in details
    assert f'value="{signed.prev_hash}" readonly' in details
    assert 'src="/static/copy.js"' in page


def test_times_name_the_zone_and_give_utc(story):
    c, _item = story
    page = c.client.get(f"/audit/learners/{c.enrolment.learner_id}").get_data(as_text=True)
    times = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page)
    assert times and all(
        re.fullmatch(
            r"\d+ \w{3} \d{4}, \d\d:\d\d (GMT|BST) \((\d+ \w{3} \d{4}, )?\d\d:\d\d UTC\)", t
        )
        for t in times
    ), times
    assert "Times are in Europe/London, with UTC in brackets." in page


# Every kind of event the app records, read from real rows.


def recorded_actions() -> set[str]:
    """The action of every audit.record() call, audit.Entry and refusal in the app's code."""
    actions = set()
    for path in Path(ROOT, "portfolio").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        actions |= set(re.findall(r'(?:record|Entry)\(\s*"([a-z_]+(?:\.[a-z_]+)?)"', text))
        actions |= set(re.findall(r'"action": "([a-z_]+\.[a-z_]+)"', text))
    return actions


def test_every_kind_of_event_the_app_records_has_a_sentence():
    template = Path(ROOT, "templates/audit/_sentences.html").read_text(encoding="utf-8")
    actions = recorded_actions()
    assert {"decision.recorded", "sign_in.failed", "access.refused", "sign_out"} <= actions
    missing = {a for a in actions if f'e.action == "{a}"' not in template}
    assert not missing, f"no sentence for {sorted(missing)}"


def render(app, event: AuditEvent) -> str:
    with app.test_request_context():
        (reading,) = trail_reading.read([event])
        html = str(get_template_attribute("audit/_sentences.html", "sentence")(reading))
    return re.sub(r"\s+", " ", html).strip().replace("&#39;", "'").replace("&amp;", "&")


@pytest.fixture
def cast(people):
    learner, assessor, iqa, admin = (
        people[r] for r in (Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.ADMIN)
    )
    enrolment = make_enrolment(learner, assessor=assessor, iqa=iqa)
    return learner, assessor, iqa, admin, enrolment


def test_people_and_settings_events_read_as_sentences(app, people, cast):
    learner, assessor, iqa, admin, enrolment = cast
    pid = learner.provider_id
    two = make_user(learner.provider, Role.ASSESSOR, name="Tom Kowalski")

    def event(action, **fields):
        return render(app, record(action, provider_id=pid, **fields))

    assert event("sign_in.succeeded", actor=learner, object_type="user", object_id=learner.id,
                 after={"address": "192.0.2.7"}) == f"{learner.name} signed in from 192.0.2.7"  # fmt: skip
    assert event("sign_in.failed", object_type="user", object_id=learner.id,
                 after={"address": "192.0.2.8"}) == (
        f"A sign-in to {learner.name}'s account was refused from 192.0.2.8")  # fmt: skip
    assert event("sign_out", actor=learner, object_type="user", object_id=learner.id,
                 after={"address": None}) == f"{learner.name} signed out"  # fmt: skip
    assert event("account.password_changed", actor=learner, object_type="user",
                 object_id=learner.id) == f"{learner.name} changed their password"  # fmt: skip
    assert event("account.created", actor=admin, object_type="user", object_id=two.id,
                 after={"name": "Tom Kowalski", "email": "tom@example.org", "role": "assessor",
                        "active": True}) == (
        f"{admin.name} created the account of Tom Kowalski (assessor, tom@example.org)")  # fmt: skip
    assert event("account.changed", actor=admin, object_type="user", object_id=two.id,
                 before={"name": "Tom Kowalski", "role": "assessor", "active": True},
                 after={"name": "Tom Kowalski", "role": "iqa", "active": False,
                        "password_changed": True}) == (
        f"{admin.name} changed the account of Tom Kowalski: role Assessor → Internal quality "
        "assurer (IQA); active yes → no; set a new password")  # fmt: skip
    assert event("enrolment.changed", actor=admin, object_type="enrolment",
                 object_id=enrolment.id, learner_id=learner.id,
                 before={"assessor": assessor.id, "iqa": iqa.id, "planned_end_on": "2027-07-31"},
                 after={"assessor": two.id, "iqa": iqa.id, "planned_end_on": "2027-09-03"}) == (
        f"{admin.name} changed the enrolment of {learner.name} on '{enrolment.unit.title}': "
        f"assessor {assessor.name} → Tom Kowalski; planned end 31 Jul 2027 → 3 Sep 2027")  # fmt: skip
    assert event("sampling_plan.changed", actor=admin, object_type="sampling_plan", object_id=1,
                 before={"share": 25, "new": 50, "period": 90},
                 after={"share": 30, "new": 50, "period": 90}) == (
        f"{admin.name} changed the sampling plan: share sampled 25% → 30%")  # fmt: skip
    assert event("cohort.changed", actor=admin, object_type="cohort", object_id=1,
                 before={"name": "Imported 2027", "starts_on": None, "ends_on": None},
                 after={"name": "January 2027", "starts_on": "2027-01-11", "ends_on": None}) == (
        f"{admin.name} changed the cohort 'Imported 2027': name Imported 2027 → January 2027; "
        "start none → 11 Jan 2027")  # fmt: skip
    assert event("cohort.removed", actor=admin, object_type="cohort", object_id=1,
                 before={"name": "Typo"}) == (
        f"{admin.name} removed the cohort 'Typo', which no enrolment was in")  # fmt: skip
    assert event("otj_activity_kind.removed", actor=admin, object_type="otj_activity_kind",
                 object_id=1, before={"name": "Shadowwing"}) == (
        f"{admin.name} removed the kind of off-the-job activity 'Shadowwing', which no entry used")  # fmt: skip
    assert event("otj_hours.removed", actor=learner, object_type="otj_entry", object_id=1,
                 learner_id=learner.id, before={"on": date(2026, 11, 2), "minutes": 90,
                                                "activity": "Mentoring"}) == (
        f"{learner.name} removed an off-the-job training entry logged by mistake: 1.5 hours "
        "(Mentoring) on 2 Nov 2026")  # fmt: skip
    assert event("provider.changed", actor=admin, object_type="provider", object_id=pid,
                 before={"time_zone": "Europe/London"}, after={"time_zone": "Europe/Dublin"}) == (
        f"{admin.name} changed the provider's settings: time zone Europe/London → Europe/Dublin")  # fmt: skip
    assert event("access.refused", actor=assessor, object_type="page",
                 after={"status": 404, "endpoint": "audit.learner_trail",
                        "arguments": {"learner_id": 999}}) == (
        f"{assessor.name} was refused the page /audit/learners/999 (404: not theirs to see, "
        "or not there)")  # fmt: skip


def test_evidence_and_sign_off_events_read_as_sentences(app, people, cast):
    learner, assessor, iqa, admin, enrolment = cast
    pid, unit = learner.provider_id, enrolment.unit.title
    item = EvidenceItem(provider_id=pid, enrolment_id=enrolment.id, learner_id=learner.id,
                        kind="incident_log", title="Lift entrapment", created_by_id=learner.id)  # fmt: skip
    db.session.add(item)
    db.session.flush()
    about_item = {"object_type": "evidence", "object_id": item.id, "learner_id": learner.id}
    about_unit = {"object_type": "enrolment", "object_id": enrolment.id, "learner_id": learner.id}

    def event(action, **fields):
        return render(app, record(action, provider_id=pid, **fields))

    assert event("evidence.left_out", **about_item, before={"status": "submitted", "version": 3},
                 after={"status": "draft"}) == (
        "'Lift entrapment' (version 3) was left out of the signed-off portfolio because it "
        "still awaited marking; it is a draft again")  # fmt: skip
    assert event("evidence.set_aside", actor=learner, **about_item, before={"status": "returned"},
                 after={"status": "draft", "version": 2}) == (
        f"{learner.name} moved 'Lift entrapment' (version 2) back to drafts after it was "
        "returned, so that it no longer holds up the unit's sign-off")  # fmt: skip
    assert event("access.refused", actor=assessor, **about_item,
                 summary="You cannot decide on evidence about your own work.") == (
        f"{assessor.name} was stopped on 'Lift entrapment': You cannot decide on evidence "
        "about your own work.")  # fmt: skip
    assert event("signoff.withdrawn", actor=assessor, **about_unit,
                 before={"sign_off": 1, "in_force": True},
                 after={"in_force": False, "reason": "The IQA asked for a clearer log."}) == (
        f"{assessor.name} withdrew the sign-off of '{unit}' for {learner.name}: “The IQA asked "
        "for a clearer log.”")  # fmt: skip
    assert event("enrolment.created", actor=admin, **about_unit,
                 after={"unit": enrolment.unit_id, "assessor": assessor.id, "iqa": None,
                        "cohort": None}) == (
        f"{admin.name} enrolled {learner.name} on '{unit}', assessor {assessor.name}, "
        "IQA not assigned")  # fmt: skip
    decision = Decision(provider_id=pid, item=item, version_number=1, assessor_id=assessor.id,
                        outcome="accepted", feedback="", feedback_html="", marking_days=0,
                        enrolment_id=enrolment.id, unit_id=enrolment.unit_id,
                        cohort_id=None, qualification_id=enrolment.qualification_id)  # fmt: skip
    db.session.add(decision)
    db.session.flush()
    sample = Sample(
        provider_id=pid, decision_id=decision.id, iqa_id=iqa.id, reasons=["New assessor"]
    )
    db.session.add(sample)
    db.session.flush()
    about_sample = {"object_type": "sample", "object_id": sample.id, "learner_id": learner.id}
    assert event("sample.reviewed", actor=iqa, **about_sample, before={"status": "open"},
                 after={"status": "actions_required", "actions": "Comment on each criterion."}) == (
        f"{iqa.name} sent {assessor.name}'s decision on 'Lift entrapment' (version 1) back "
        "with actions: “Comment on each criterion.”")  # fmt: skip
    assert event("sample.closed", actor=assessor, **about_sample,
                 after={"status": "closed", "response": "Comments added."}) == (
        f"{assessor.name} answered the IQA's actions on 'Lift entrapment' (version 1): "
        "“Comments added.”")  # fmt: skip
    assert event("signoff.under_review", actor=iqa, **about_unit,
                 after={"under_review": True, "sample": sample.id}) == (
        f"{iqa.name} sent back {assessor.name}'s decision on 'Lift entrapment' (version 1), so "
        f"the sign-off of '{unit}' for {learner.name} is under IQA review")  # fmt: skip
    assert event("signoff.restored", actor=assessor, **about_unit,
                 after={"under_review": False, "sample": sample.id}) == (
        f"{assessor.name} answered the IQA on 'Lift entrapment' (version 1), so the sign-off "
        f"of '{unit}' for {learner.name} stands again")  # fmt: skip


def test_an_unknown_kind_reads_as_who_and_its_summary(app, people):
    admin = people[Role.ADMIN]
    event = record("archive.moved", provider_id=admin.provider_id, actor=admin,
                   object_type="archive", summary="Moved the archive to cold storage")  # fmt: skip
    assert render(app, event) == f"{admin.name}: Moved the archive to cold storage"
    bare = record("archive.pruned", provider_id=admin.provider_id, object_type="archive")
    assert render(app, bare) == "The system: archive.pruned"


def test_user_text_in_a_sentence_is_escaped(app, people, cast):
    learner, assessor, _iqa, _admin, enrolment = cast
    event = record("signoff.withdrawn", provider_id=learner.provider_id, actor=assessor,
                   object_type="enrolment", object_id=enrolment.id, learner_id=learner.id,
                   after={"in_force": False, "reason": "<script>alert(1)</script>"})  # fmt: skip
    with app.test_request_context():
        (reading,) = trail_reading.read([event])
        html = str(get_template_attribute("audit/_sentences.html", "sentence")(reading))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
