"""The off-the-job hours log: an apprentice logs hours, the assessor verifies or rejects them,
the figures against the plan, who may see what, and the downloads."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.apprenticeships import hours
from portfolio.apprenticeships.hours import EntryInput
from portfolio.apprenticeships.hours_models import (
    EntryStatus,
    OtjActivityKind,
    OtjEntry,
    OtjEntryVersion,
)
from portfolio.apprenticeships.models import Apprenticeship, BreakInLearning, Employer
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.errors import DomainError
from portfolio.notifications.kinds import KINDS
from portfolio.notifications.models import Notification
from tests.factories import criteria_of, make_enrolment, make_user, submitted

PAST = date(2026, 10, 5)  # a Monday after the enrolments' start (1 Sep 2026)


@pytest.fixture
def cast(people):
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolment = make_enrolment(learner, assessor=assessor)
    employer = Employer(provider_id=learner.provider_id, name="Acme Contact Centres")
    db.session.add(employer)
    db.session.flush()
    manager = make_user(learner.provider, Role.EMPLOYER)
    manager.employer_id = employer.id
    db.session.add(
        Apprenticeship(enrolment_id=enrolment.id, programme="Customer Service Practitioner",
                       employer_id=employer.id, line_manager_id=manager.id,
                       planned_otj_hours=400)
    )  # fmt: skip
    db.session.flush()
    return learner, assessor, enrolment, manager


def entry_input(on=PAST, start="09:00", end="12:00", minutes=None, **fields) -> EntryInput:
    def minute(text):
        if text is None:
            return None
        h, m = text.split(":")
        return int(h) * 60 + int(m)

    fields.setdefault("activity", "taught")
    fields.setdefault("learned", "How to classify an incident's severity.")
    return EntryInput(on=on, start_minute=minute(start), end_minute=minute(end),
                      minutes=minutes, **fields)  # fmt: skip


def refused(field: str, call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field, caught.value.message
    return caught.value.message


# Validation


def test_an_entry_cannot_be_in_the_future(app, cast):
    learner, _assessor, enrolment, _ = cast
    tomorrow = hours.today_at(enrolment.provider).date() + timedelta(days=1)
    message = refused("on", hours.log_entry, learner, enrolment, entry_input(on=tomorrow))
    assert "cannot be in the future" in message
    assert db.session.scalar(select(OtjEntry.id)) is None


def test_times_and_a_duration_together_are_refused_not_one_dropped(app, cast):
    learner, _assessor, enrolment, _ = cast
    message = refused("minutes", hours.log_entry, learner, enrolment,
                      entry_input(start="09:00", end="10:00", minutes=300))  # fmt: skip
    assert "not both" in message
    assert db.session.scalar(select(OtjEntry.id)) is None


def test_dates_in_the_messages_read_as_on_the_pages(app, cast):
    learner, _assessor, enrolment, _ = cast
    message = refused("on", hours.log_entry, learner, enrolment,
                      entry_input(on=date(2026, 8, 31)))  # fmt: skip
    assert message == "The date is before this programme started (1 Sep 2026)."


def test_an_entry_cannot_overlap_another_of_the_same_day(app, cast):
    learner, _assessor, enrolment, _ = cast
    hours.log_entry(learner, enrolment, entry_input(start="09:00", end="12:00"))
    message = refused("start", hours.log_entry, learner, enrolment,
                      entry_input(start="11:30", end="13:00"))  # fmt: skip
    assert "overlap your entry of 09:00 to 12:00" in message
    # Touching is not overlapping.
    hours.log_entry(learner, enrolment, entry_input(start="12:00", end="13:00"))


def test_a_rejected_entry_does_not_block_its_time(app, cast):
    learner, assessor, enrolment, _ = cast
    entry = hours.log_entry(learner, enrolment, entry_input())
    hours.reject_entry(assessor, entry, "This was your normal job, not training.")
    again = hours.log_entry(learner, enrolment, entry_input())  # the same times, accepted
    assert again.id != entry.id and (again.on, again.minutes) == (entry.on, entry.minutes)


def test_an_entry_cannot_fall_inside_a_break_in_learning(app, cast):
    learner, _assessor, enrolment, _ = cast
    db.session.add(BreakInLearning(enrolment_id=enrolment.id, starts_on=date(2026, 10, 1),
                                   ends_on=date(2026, 10, 31), reason="Illness",
                                   recorded_by_id=learner.id))  # fmt: skip
    db.session.flush()
    message = refused("on", hours.log_entry, learner, enrolment, entry_input(on=PAST))
    assert "inside a break in learning" in message
    hours.log_entry(learner, enrolment, entry_input(on=date(2026, 11, 2)))


def test_the_start_cannot_move_past_the_first_hours_logged(client, auth, people, cast):
    learner, assessor, enrolment, _ = cast
    hours.log_entry(learner, enrolment, entry_input(on=PAST))
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    form = {"cohort_id": "", "assessor_id": str(assessor.id), "iqa_id": "",
            "planned_end_on": enrolment.planned_end_on.isoformat()}  # fmt: skip
    response = client.post(f"/enrolments/{enrolment.id}/edit",
                           data={**form, "starts_on": (PAST + timedelta(days=1)).isoformat()})  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert ("The start date cannot be later than 5 Oct 2026, the day of the first off-the-job "
            "hours logged on this enrolment.") in html and 'href="#starts_on"' in html
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).starts_on == date(2026, 9, 1)
    # Up to that day, or earlier, it may move.
    response = client.post(f"/enrolments/{enrolment.id}/edit",
                           data={**form, "starts_on": PAST.isoformat()})  # fmt: skip
    assert response.status_code == 302
    assert db.session.get(Enrolment, enrolment.id).starts_on == PAST


def test_a_day_holds_at_most_twelve_hours_and_times_run_forwards(app, cast):
    learner, _assessor, enrolment, _ = cast
    hours.log_entry(learner, enrolment, entry_input(start="08:00", end="16:00"))
    message = refused("minutes", hours.log_entry, learner, enrolment,
                      entry_input(start=None, end=None, minutes=5 * 60))  # fmt: skip
    assert "more than the 12 hours a day" in message
    assert message.startswith("That makes 13 h on ")  # hours and minutes, not 13.0 hours
    assert "end time must be after" in refused(
        "end",
        hours.log_entry,
        learner,
        enrolment,
        entry_input(on=PAST + timedelta(days=1), start="10:00", end="09:00"),
    )
    assert "both a start and an end" in refused(
        "end",
        hours.log_entry,
        learner,
        enrolment,
        entry_input(on=PAST + timedelta(days=1), start="10:00", end=None),
    )
    assert "duration" in refused(
        "minutes",
        hours.log_entry,
        learner,
        enrolment,
        entry_input(on=PAST + timedelta(days=1), start=None, end=None),
    )


def test_related_criteria_and_evidence_must_be_the_enrolments_own(app, cast, people):
    learner, _assessor, enrolment, _ = cast
    other = make_enrolment(people["learner2"], body="CG")
    foreign_criterion = criteria_of(other)[0]
    foreign_item = submitted(people["learner2"], other)
    assert "criteria of this unit" in refused(
        "criteria",
        hours.log_entry,
        learner,
        enrolment,
        entry_input(criteria=(foreign_criterion.id,)),
    )
    assert "evidence of this unit" in refused(
        "evidence", hours.log_entry, learner, enrolment, entry_input(evidence=(foreign_item.id,))
    )
    own_criterion, own_item = criteria_of(enrolment)[0], submitted(learner, enrolment)
    entry = hours.log_entry(learner, enrolment, entry_input(criteria=(own_criterion.id,),
                                                            evidence=(own_item.id,)))  # fmt: skip
    assert [c.id for c in entry.criteria] == [own_criterion.id]
    assert [i.id for i in entry.evidence] == [own_item.id]


def test_only_the_apprentice_logs_their_hours(app, cast, people):
    _learner, assessor, enrolment, _ = cast
    with pytest.raises(DomainError):
        hours.log_entry(people["learner2"], enrolment, entry_input())
    with pytest.raises(DomainError):
        hours.log_entry(assessor, enrolment, entry_input())


# Verification and versions


def test_the_assessor_verifies_one_entry_and_rejects_another_with_a_reason(app, cast):
    learner, assessor, enrolment, _ = cast
    good = hours.log_entry(learner, enrolment, entry_input(start="09:00", end="12:00"))
    bad = hours.log_entry(learner, enrolment, entry_input(start="13:00", end="14:00"))
    hours.verify_entry(assessor, good)
    assert "Say why" in refused("reason", hours.reject_entry, assessor, bad, "   ")
    hours.reject_entry(assessor, bad, "Answering calls is your normal job.")
    assert good.status is EntryStatus.VERIFIED and good.current.decided_by_id == assessor.id
    assert bad.status is EntryStatus.REJECTED
    assert bad.current.reason == "Answering calls is your normal job."
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "otj_entry")
    ).all()
    assert actions.count("otj_hours.logged") == 2
    assert {"otj_hours.verified", "otj_hours.rejected"} <= set(actions)
    # The apprentice is told of the rejection and its reason, not of the verification.
    told = db.session.scalars(select(Notification).where(
        Notification.recipient_id == learner.id)).all()  # fmt: skip
    assert [n.kind for n in told] == ["hours_rejected"]
    assert KINDS["hours_rejected"].text(told[0].facts) == (
        f"{assessor.name} rejected your off-the-job hours of 5 Oct 2026 (Taught session "
        "(classroom, workshop or lecture)): Answering calls is your normal job."
    )
    assert hours.described(good) == (
        "3 h of taught session (classroom, workshop or lecture) on 5 Oct 2026")
    # Once the apprentice changes the rejected entry, the rejection asks nothing more of them.
    assert told[0].read_at is None
    hours.edit_entry(learner, bad, entry_input(start="13:00", end="14:00", learned="Shadowed QA."))
    db.session.expire_all()
    assert db.session.get(Notification, told[0].id).read_at is not None


def test_only_the_enrolments_assessor_decides(app, cast, people):
    learner, _assessor, enrolment, _ = cast
    entry = hours.log_entry(learner, enrolment, entry_input())
    for someone in (people["assessor2"], people[Role.ADMIN], people[Role.IQA], learner):
        with pytest.raises(DomainError):
            hours.verify_entry(someone, entry)
    assert entry.status is EntryStatus.AWAITING


def test_editing_a_verified_entry_makes_a_new_version_to_verify_again(app, cast):
    learner, assessor, enrolment, _ = cast
    entry = hours.log_entry(learner, enrolment, entry_input(start="09:00", end="12:00"))
    # Before any decision, a change replaces the version awaiting verification.
    hours.edit_entry(learner, entry, entry_input(start="09:00", end="11:00"))
    assert entry.version == 1 and entry.minutes == 120
    hours.verify_entry(assessor, entry)
    hours.edit_entry(learner, entry, entry_input(start="09:00", end="12:30",
                                                 learned="Also the escalation matrix."))  # fmt: skip
    db.session.expire_all()
    entry = db.session.get(OtjEntry, entry.id)
    assert entry.version == 2 and entry.status is EntryStatus.AWAITING and entry.minutes == 210
    first, second = entry.versions
    assert first.status is EntryStatus.VERIFIED and first.content["minutes"] == 120
    assert second.status is EntryStatus.AWAITING
    assert second.content["learned"] == "Also the escalation matrix."
    with pytest.raises(DomainError):
        hours.verify_entry(assessor, entry, lock_version=entry.lock_version - 1)
    hours.verify_entry(assessor, entry)
    with pytest.raises(DomainError):  # already decided
        hours.reject_entry(assessor, entry, "Too late")
    assert db.session.scalar(select(OtjEntryVersion.id).where(
        OtjEntryVersion.entry_id == entry.id, OtjEntryVersion.number == 3)) is None  # fmt: skip


# Figures


def test_figures_forecast_and_status_follow_the_rules_on_the_page(app, cast):
    learner, assessor, enrolment, _ = cast
    # 1 Sep 2026 to 31 Aug 2027: 365 days; 400 planned hours.
    for day in range(5):
        entry = hours.log_entry(learner, enrolment, entry_input(on=PAST + timedelta(days=day),
                                                                start="09:00", end="17:00"))  # fmt: skip
        if day < 4:
            hours.verify_entry(assessor, entry)
    today = date(2026, 10, 31)  # day 61
    figures = hours.figures(enrolment, today)
    assert figures.planned == 400 and figures.logged == 40 and figures.verified == 32
    assert figures.awaiting == 8
    assert figures.programme_days == 365 and figures.days_so_far == 61
    assert figures.due == pytest.approx(400 * 61 / 365)  # 66.8 hours
    assert figures.forecast == pytest.approx(32 / 61 * 365)
    assert figures.rag == "red"
    assert hours.rag(400, 60.2, 66.8) == "amber"
    assert hours.rag(400, 66.8, 66.8) == "green"
    assert hours.rag(None, 10, None) is None


def test_break_days_are_left_out_of_the_days_so_far_and_the_planned_end_moves_on(app, cast):
    learner, _assessor, enrolment, _ = cast
    db.session.add(BreakInLearning(enrolment_id=enrolment.id, starts_on=date(2026, 9, 10),
                                   ends_on=date(2026, 9, 19), reason="Leave",
                                   recorded_by_id=learner.id))  # fmt: skip
    db.session.flush()
    # 1 Sept to 31 Oct is 61 days, 10 of them a break: 51 days of the whole programme's 365
    # passed, as for expected progress (breaks.expected_share).
    figures = hours.figures(enrolment, date(2026, 10, 31))
    assert figures.days_so_far == 51 and figures.programme_days == 365
    assert figures.break_days == 10
    # At the planned end (31 Aug 2027) ten days are still to come: not all of it is due.
    at_end = hours.figures(enrolment, enrolment.planned_end_on)
    assert at_end.days_so_far == 355 and at_end.due < at_end.planned
    later = hours.figures(enrolment, enrolment.planned_end_on + timedelta(days=10))
    assert later.days_so_far == 365 and later.due == later.planned


def test_an_enrolment_that_is_no_apprenticeship_has_no_plan(app, people):
    enrolment = make_enrolment(people["learner2"])
    figures = hours.figures(enrolment, date(2026, 10, 31))
    assert figures.planned is None and figures.rag is None and figures.due is None


# Pages


def test_the_apprentice_logs_hours_and_the_assessor_verifies_and_rejects_on_the_pages(
    app, client, auth, cast
):
    learner, assessor, enrolment, _ = cast
    auth.sign_in(learner)
    page = client.get(f"/enrolments/{enrolment.id}/hours").get_data(as_text=True)
    assert "You have not logged any off-the-job hours yet" in page
    for start, end in (("09:00", "12:00"), ("13:00", "14:00")):
        response = client.post(f"/enrolments/{enrolment.id}/hours/new", data={
            "on": PAST.isoformat(), "start": start, "end": end, "activity": "mentoring",
            "learned": "<script>alert(1)</script> Handling an angry caller.",
        })  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post(f"/enrolments/{enrolment.id}/hours/new", data={
        "on": PAST.isoformat(), "start": "11:00", "end": "13:30", "activity": "mentoring",
        "learned": "Overlapping",
    })  # fmt: skip
    assert response.status_code == 400
    assert "overlap your entry of 09:00 to 12:00" in response.get_data(as_text=True)
    page = client.get(f"/enrolments/{enrolment.id}/hours").get_data(as_text=True)
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "4.0 hours" in page and str(escape(hours.RAG_RULE)) in page
    auth.sign_out()

    auth.sign_in(assessor)
    first, second = db.session.scalars(select(OtjEntry).order_by(OtjEntry.start_minute)).all()
    queue = client.get("/hours/queue").get_data(as_text=True)
    assert queue.count("Verify<span") == 2
    # A decision from a page opened before the apprentice changed the entry is refused there.
    stale = client.post(f"/hours/{first.id}/verify",
                        data={"next": "queue", "lock_version": str(first.lock_version - 1)})  # fmt: skip
    assert stale.status_code == 409
    assert "changed this entry after you opened it" in stale.get_data(as_text=True)
    assert 'action="/hours/' in stale.get_data(as_text=True)  # the entry, to decide again
    # Every form about an entry carries the version it was opened on: one without is refused.
    unversioned = client.post(f"/hours/{first.id}/verify", data={"next": "queue"})
    assert unversioned.status_code == 400
    assert "The form was incomplete" in unversioned.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OtjEntry, first.id).status is EntryStatus.AWAITING
    current = {"lock_version": str(first.lock_version)}
    assert client.post(f"/hours/{first.id}/verify",
                       data={"next": "queue", **current}).status_code == 302  # fmt: skip
    response = client.post(f"/hours/{second.id}/reject",
                           data={"reason": "", "lock_version": str(second.lock_version)})
    assert response.status_code == 400
    assert client.post(f"/hours/{second.id}/reject",
                       data={"reason": "Not off the job", "lock_version": str(second.lock_version)}
                       ).status_code == 302  # fmt: skip
    db.session.expire_all()
    assert db.session.get(OtjEntry, first.id).status is EntryStatus.VERIFIED
    assert db.session.get(OtjEntry, second.id).current.reason == "Not off the job"
    assert "Nothing to verify" in client.get("/hours/queue").get_data(as_text=True)


def test_the_queue_shows_fifty_entries_a_page_oldest_first_and_counts_them_all(
    app, client, auth, cast
):
    learner, assessor, enrolment, _ = cast
    for day in range(55):  # one a day from 1 September, logged in that order
        hours.log_entry(learner, enrolment,
                        entry_input(on=date(2026, 9, 1) + timedelta(days=day)))  # fmt: skip
    db.session.commit()
    auth.sign_in(assessor)

    def dates(html: str) -> list[str]:
        return re.findall(r'<a href="/hours/\d+">(\d+ \w+ 2026)', html)

    first = client.get("/hours/queue").get_data(as_text=True)
    assert ("55 entries your apprentices logged or changed, the longest waiting first. "
            "Showing 1 to 50.") in first
    assert '<th scope="col">Waiting since</th>' in first
    assert len(dates(first)) == 50 and dates(first)[0] == "1 Sep 2026"
    assert 'rel="next"' in first and "Page 1 of 2" in first
    second = client.get("/hours/queue?page=2").get_data(as_text=True)
    assert "Showing 51 to 55." in second
    assert len(dates(second)) == 5 and dates(second)[-1] == "25 Oct 2026"
    assert set(dates(first)).isdisjoint(dates(second))
    # Verified from the second page, the assessor is back on it.
    entry = re.search(r'action="/hours/(\d+)/verify"', second).group(1)
    response = client.post(f"/hours/{entry}/verify",
                           data={"next": "queue", "page": "2", "lock_version": "1"})
    assert response.headers["Location"] == "/hours/queue?page=2"
    assert "Showing 51 to 54." in client.get("/hours/queue?page=2").get_data(as_text=True)
    # Rejected from the second page too: the form keeps where it came from.
    entry = re.findall(r'href="/hours/(\d+)/reject\?next=queue&amp;page=2"', second)[-1]
    form = client.get(f"/hours/{entry}/reject?next=queue&page=2").get_data(as_text=True)
    assert 'name="next" value="queue"' in form and 'href="/hours/queue?page=2">Cancel' in form
    response = client.post(f"/hours/{entry}/reject?next=queue&page=2",
                           data={"reason": "Not training", "next": "queue", "page": "2",
                                 "lock_version": "1"})  # fmt: skip
    assert response.headers["Location"] == "/hours/queue?page=2"
    assert "Showing 51 to 53." in client.get("/hours/queue?page=2").get_data(as_text=True)
    for bad in ("0", "x", "99"):
        response = client.get(f"/hours/queue?page={bad}")
        assert response.status_code == 200
        assert len(dates(response.get_data(as_text=True))) in (50, 3)


def test_the_log_shows_why_an_entry_was_rejected_until_it_is_changed(app, client, auth, cast):
    learner, assessor, enrolment, _ = cast
    kept = hours.log_entry(learner, enrolment, entry_input(start="09:00", end="10:00"))
    changed = hours.log_entry(learner, enrolment, entry_input(start="11:00", end="12:00"))
    verified = hours.log_entry(learner, enrolment, entry_input(start="13:00", end="14:00"))
    hours.reject_entry(assessor, kept, "Shadowing <b>your own</b> shift is normal work.")
    hours.reject_entry(assessor, changed, "Say what you learned.")
    hours.verify_entry(assessor, verified)
    # Changed after its rejection: a new version awaits verification, with no reason yet.
    hours.edit_entry(learner, changed, entry_input(start="11:00", end="12:00",
                                                   learned="The escalation matrix."))  # fmt: skip
    auth.sign_in(learner)
    page = client.get(f"/enrolments/{enrolment.id}/hours").get_data(as_text=True)
    assert page.count("Reason: ") == 1
    assert "Reason: Shadowing &lt;b&gt;your own&lt;/b&gt; shift is normal work." in page
    assert "Say what you learned." not in page


def test_another_learner_and_another_provider_get_404(app, client, auth, cast, people):
    learner, _assessor, enrolment, _ = cast
    entry = hours.log_entry(learner, enrolment, entry_input())
    for someone in (people["learner2"], people["other_admin"], people["other_learner"]):
        auth.sign_in(someone)
        for address in (f"/enrolments/{enrolment.id}/hours", f"/hours/{entry.id}",
                        f"/enrolments/{enrolment.id}/hours/export.csv"):  # fmt: skip
            assert client.get(address).status_code == 404, (someone.role, address)
        auth.sign_out()
    auth.sign_in(people["learner2"])
    assert client.get(f"/hours/{entry.id}/edit").status_code == 404
    assert client.post(f"/enrolments/{enrolment.id}/hours/new", data={}).status_code == 404


def test_the_line_manager_reads_the_log_and_cannot_change_it(app, client, auth, cast):
    learner, _assessor, enrolment, manager = cast
    entry = hours.log_entry(learner, enrolment, entry_input())
    auth.sign_in(manager)
    page = client.get(f"/enrolments/{enrolment.id}/hours")
    assert page.status_code == 200
    assert "Log hours" not in page.get_data(as_text=True)
    assert client.get(f"/hours/{entry.id}").status_code == 200
    assert client.get(f"/hours/{entry.id}/edit").status_code == 403
    assert client.post(f"/hours/{entry.id}/verify").status_code == 403
    assert client.get(f"/enrolments/{enrolment.id}/hours/new").status_code == 403


def test_admins_add_kinds_of_activity_that_learners_then_choose(app, client, auth, cast, people):
    learner, _assessor, enrolment, _ = cast
    admin = people[Role.ADMIN]
    auth.sign_in(admin)
    assert (
        client.post("/hours/activities", data={"name": "Off-site residential"}).status_code == 302
    )
    response = client.post("/hours/activities", data={"name": "off-site  Residential"})
    assert response.status_code == 400 and "already on the list" in response.get_data(as_text=True)
    auth.sign_out()
    kind = db.session.scalar(select(OtjActivityKind))
    entry = hours.log_entry(learner, enrolment, entry_input(activity=f"kind-{kind.id}"))
    assert entry.activity_label == "Off-site residential"
    other = OtjActivityKind(provider_id=people["other_admin"].provider_id, name="Theirs",
                            created_by_id=people["other_admin"].id)  # fmt: skip
    db.session.add(other)
    db.session.flush()
    refused("activity", hours.log_entry, learner, enrolment,
            entry_input(on=PAST + timedelta(days=1), activity=f"kind-{other.id}"))  # fmt: skip
    auth.sign_in(learner)
    assert client.get("/hours/activities").status_code == 403
    assert client.post(f"/hours/activities/{kind.id}/remove").status_code == 403

    # A kind in use stays; one added by mistake, unused, goes; another provider's is not found.
    auth.sign_out()
    auth.sign_in(admin)
    client.post("/hours/activities", data={"name": "Typo shadowwing"})
    typo = db.session.scalar(select(OtjActivityKind).where(OtjActivityKind.name == "Typo shadowwing"))
    page = client.get("/hours/activities").get_data(as_text=True)
    assert f'/hours/activities/{typo.id}/remove' in page and f'/hours/activities/{kind.id}/remove' not in page
    kept = client.post(f"/hours/activities/{kind.id}/remove")
    assert kept.status_code == 302
    assert "so it stays on the list" in client.get("/hours/activities").get_data(as_text=True)
    assert db.session.get(OtjActivityKind, kind.id) is not None
    typo_id = typo.id
    assert client.post(f"/hours/activities/{typo_id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(OtjActivityKind, typo_id) is None
    # A form opened before the kind was removed is told so at its field.
    auth.sign_out()
    auth.sign_in(learner)
    response = client.post(f"/enrolments/{enrolment.id}/hours/new", data={
        "on": PAST.isoformat(), "minutes": "30", "activity": f"kind-{typo_id}",
        "learned": "Shadowed the night shift."})  # fmt: skip
    assert response.status_code == 400
    assert "it may have been removed since the page was opened" in response.get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(admin)
    assert client.post(f"/hours/activities/{other.id}/remove").status_code == 404


def test_the_log_downloads_as_csv_and_xlsx_with_formulas_neutralised(app, client, auth, cast):
    learner, assessor, enrolment, _ = cast
    entry = hours.log_entry(learner, enrolment, entry_input(learned='=HYPERLINK("x")'))
    hours.verify_entry(assessor, entry)
    auth.sign_in(assessor)
    response = client.get(f"/enrolments/{enrolment.id}/hours/export.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Date", "Start", "End", "Minutes"]
    assert rows[1][:4] == [PAST.isoformat(), "09:00", "12:00", "180"]
    assert rows[1][6] == '\'=HYPERLINK("x")' and rows[1][9] == "Verified"
    response = client.get(f"/enrolments/{enrolment.id}/hours/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    # A text cell, never a formula: kept as typed.
    assert sheet.cell(2, 7).value == '=HYPERLINK("x")' and sheet.cell(2, 7).data_type == "s"
    assert client.get(f"/enrolments/{enrolment.id}/hours/export.pdf").status_code == 404


def test_an_entry_on_today_cannot_end_after_now(app, cast):
    learner, _assessor, enrolment, _ = cast
    # A provider whose day has room after now: London's, or Tokyo's near London's midnight.
    for zone in ("Europe/London", "Asia/Tokyo"):
        enrolment.provider.time_zone = zone
        now = hours.today_at(enrolment.provider)
        if now.hour < 23:
            break
    later = (now + timedelta(minutes=30)).strftime("%H:%M")
    message = refused("end", hours.log_entry, learner, enrolment,
                      entry_input(on=now.date(), start="00:00", end=later))  # fmt: skip
    assert "cannot be in the future" in message
    assert isinstance(now, datetime)


def test_a_duration_on_today_cannot_be_longer_than_the_day_so_far(app, cast):
    learner, _assessor, enrolment, _ = cast
    # A provider whose day so far is shorter than the longest entry (12 h): one of these
    # zones is before 11:00 at any moment.
    for zone in ("Europe/London", "Asia/Kolkata", "Asia/Tokyo", "Pacific/Auckland",
                 "America/New_York"):  # fmt: skip
        enrolment.provider.time_zone = zone
        now = hours.today_at(enrolment.provider)
        if now.hour < 11:
            break
    passed = now.hour * 60 + now.minute
    message = refused("minutes", hours.log_entry, learner, enrolment,
                      entry_input(on=now.date(), start=None, end=None, minutes=passed + 31))  # fmt: skip
    assert "cannot be longer than the time since midnight: it is " in message


def test_a_long_log_shows_fifty_entries_a_page_newest_first_in_the_same_statements(
    app, client, auth, cast
):
    from tests.statements import counting

    learner, _assessor, enrolment, _manager = cast
    day, logged = enrolment.starts_on, []
    while len(logged) < 60:  # weekdays from the start, all before today
        if day.weekday() < 5:
            logged.append(hours.log_entry(learner, enrolment, entry_input(on=day)))
        day += timedelta(days=1)
    logged.reverse()  # newest first, as the log lists them
    db.session.commit()
    auth.sign_in(learner)
    url = f"/enrolments/{enrolment.id}/hours"
    client.get(url)
    with counting(db.engine) as first:
        html = client.get(url).get_data(as_text=True)
    assert "60 entries, newest first." in html and "Page 1 of 2" in html
    shown = [f"/hours/{e.id}" for e in logged]
    assert all(f'href="{link}"' in html for link in shown[:50])
    assert not any(f'href="{link}"' in html for link in shown[50:])
    with counting(db.engine) as second:
        html = client.get(f"{url}?page=2").get_data(as_text=True)
    assert all(f'href="{link}"' in html for link in shown[50:])
    assert len(first) == len(second)


def test_the_apprentice_removes_an_entry_logged_by_mistake_until_it_is_decided(
    app, client, auth, cast
):
    from portfolio.audit.models import AuditEvent

    learner, assessor, enrolment, _ = cast
    mistake = hours.log_entry(learner, enrolment, entry_input(start="09:00", end="10:00"))
    decided = hours.log_entry(learner, enrolment, entry_input(start="13:00", end="14:00"))
    hours.verify_entry(assessor, decided)
    db.session.commit()
    mistake_id, decided_id = mistake.id, decided.id
    auth.sign_in(assessor)
    assert client.post(f"/hours/{mistake_id}/remove", data={"lock_version": "1"}).status_code == 403
    auth.sign_out()
    auth.sign_in(learner)
    page = client.get(f"/hours/{mistake_id}").get_data(as_text=True)
    assert "Remove this entry" in page
    assert "Remove this entry" not in client.get(f"/hours/{decided_id}").get_data(as_text=True)
    stale = client.post(f"/hours/{mistake_id}/remove", data={"lock_version": "0"})
    assert stale.status_code == 409 and "not removed" in stale.get_data(as_text=True)
    response = client.post(f"/hours/{mistake_id}/remove",
                           data={"lock_version": str(mistake.lock_version)})  # fmt: skip
    assert response.status_code == 302
    assert "Removed your 1 h of" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OtjEntry, mistake_id) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "otj_hours.removed"))
    # A decided entry stays: changed, it is verified again, never taken back.
    kept = client.post(f"/hours/{decided_id}/remove", data={"lock_version": "2"})
    assert kept.status_code == 409 and "stays" in kept.get_data(as_text=True)
    assert db.session.get(OtjEntry, decided_id) is not None
    assert client.post("/hours/999999/remove", data={"lock_version": "1"}).status_code == 404
