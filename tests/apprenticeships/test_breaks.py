"""A break in learning pauses expected progress: the figures leave its days out and say so."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portfolio.apprenticeships import breaks, operations
from portfolio.apprenticeships.models import BreakInLearning
from portfolio.audit.models import AuditEvent
from portfolio.dates import format_date
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.progress import queries
from portfolio.progress.models import EnrolmentProgress
from tests.apprenticeships.helpers import make_apprentice

TODAY = date(2027, 3, 1)  # half way through 1 Sept 2026 to 31 Aug 2027


@pytest.fixture
def apprentice(app, provider):
    return make_apprentice(provider)


def row(apprentice, today=TODAY):
    _total, rows = queries.learner_rows(
        queries.Filters(), apprentice.enrolment.provider_id, today, 21
    )
    return next(r for r in rows if r.enrolment_id == apprentice.enrolment.id)


def test_counting_paused_days_between_dates_and_due_dates(apprentice):
    e = apprentice.enrolment
    operations.record_break(apprentice.admin, e, starts_on=date(2026, 11, 1),
                            ends_on=date(2026, 11, 30), reason="Illness", today=TODAY)  # fmt: skip
    assert breaks.pause_between(e.id, date(2026, 9, 1), date(2027, 1, 1)) == 30
    assert breaks.pause_between(e.id, date(2026, 11, 21), date(2026, 12, 5)) == 10
    assert breaks.paused_days(e, date(2026, 11, 10)) == 10
    assert breaks.paused_days_for([e.id], TODAY) == {e.id: 30}
    # A review due twelve weeks after 1 October moves on by the break's thirty days.
    assert breaks.due_after(e.id, date(2026, 10, 1), 84) == date(2026, 12, 24) + timedelta(30)
    operations.record_break(apprentice.admin, e, starts_on=date(2027, 2, 1), ends_on=None,
                            reason="Leave", today=TODAY)  # fmt: skip
    assert breaks.paused_days(e, TODAY) == 30 + 29
    assert breaks.due_after(e.id, date(2027, 1, 1), 84) is None  # paused, nothing due yet
    assert breaks.current_break(e.id, TODAY).reason == "Leave"


def test_a_break_moves_a_learner_from_behind_plan_to_on_track(apprentice):
    # Nothing met half way through: behind plan.
    assert row(apprentice).forecast == "behind plan"
    operations.record_break(apprentice.admin, apprentice.enrolment, starts_on=date(2026, 9, 1),
                            ends_on=None, reason="Illness", today=TODAY)  # fmt: skip
    paused = row(apprentice)
    assert paused.forecast == "on track"
    assert paused.break_since == date(2026, 9, 1) and paused.break_reason == "Illness"
    assert "inactive" not in paused.risks
    progress = db.session.get(EnrolmentProgress, apprentice.enrolment.id)
    assert breaks.expected_share(progress, TODAY) == 0.0


def test_an_ended_break_is_left_out_and_the_planned_end_moves_on(apprentice):
    e = apprentice.enrolment
    operations.record_break(apprentice.admin, e, starts_on=date(2027, 6, 1), ends_on=None,
                            reason="Parental leave", today=date(2027, 6, 1))  # fmt: skip
    pause = db.session.scalar(select(BreakInLearning))
    operations.end_break(apprentice.admin, pause, ends_on=date(2027, 8, 29), today=date(2027, 9, 1))
    # Past the planned end (31 August) by less than the break's 90 days.
    later = row(apprentice, date(2027, 9, 10))
    assert later.forecast != "past planned end" and later.paused_days == 90
    assert later.break_since is None
    assert row(apprentice, date(2027, 12, 1)).forecast == "past planned end"


def test_break_rules_refuse_overlaps_and_unknown_ends(apprentice):
    e, admin = apprentice.enrolment, apprentice.admin
    with pytest.raises(DomainError, match="enrolment's start"):
        operations.record_break(admin, e, starts_on=date(2026, 8, 1), ends_on=None, reason="x",
                                today=TODAY)  # fmt: skip
    with pytest.raises(DomainError, match=r"cannot be after today \(1 Mar 2027\)"):
        operations.record_break(admin, e, starts_on=date(2027, 2, 1), ends_on=date(2027, 4, 1),
                                reason="x", today=TODAY)  # fmt: skip
    with pytest.raises(DomainError, match="reason"):
        operations.record_break(admin, e, starts_on=date(2027, 2, 1), ends_on=None, reason=" ",
                                today=TODAY)  # fmt: skip
    operations.record_break(admin, e, starts_on=date(2027, 1, 1), ends_on=None, reason="Leave",
                            today=TODAY)  # fmt: skip
    with pytest.raises(DomainError, match="overlaps"):
        operations.record_break(admin, e, starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 2),
                                reason="x", today=TODAY)  # fmt: skip
    # A break is recorded once it has begun: one dated ahead could never be ended.
    with pytest.raises(DomainError, match=r"first day of the break cannot be after today"):
        operations.record_break(admin, e, starts_on=TODAY + timedelta(days=1), ends_on=None,
                                reason="x", today=TODAY)  # fmt: skip


def test_a_break_over_logged_hours_is_refused_naming_the_days(apprentice):
    from portfolio.apprenticeships import hours
    from portfolio.apprenticeships.hours import EntryInput

    e, admin, learner = apprentice.enrolment, apprentice.admin, apprentice.learner
    logged = hours.log_entry(learner, e, EntryInput(on=date(2026, 11, 2), activity="taught",
                                                    learned="Complaints.", minutes=60))  # fmt: skip
    with pytest.raises(DomainError, match=r"hours logged on 2 Nov 2026, inside these dates") as e_:
        operations.record_break(admin, e, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 6),
                                reason="Leave", today=TODAY)  # fmt: skip
    assert e_.value.field == "starts_on"
    with pytest.raises(DomainError, match="inside these dates"):  # a break still going too
        operations.record_break(admin, e, starts_on=date(2026, 10, 1), ends_on=None,
                                reason="Leave", today=TODAY)  # fmt: skip
    assert db.session.scalars(select(BreakInLearning)).all() == []
    hours.reject_entry(apprentice.assessor, logged, "That was a team meeting.")
    operations.record_break(admin, e, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 6),
                            reason="Leave", today=TODAY)  # fmt: skip


def test_admin_records_and_ends_a_break_and_the_pages_say_paused(apprentice, auth, client):
    e = apprentice.enrolment
    auth.sign_in(apprentice.admin)
    today = date.today()
    start = max(e.starts_on, today - timedelta(days=3))
    response = client.post(f"/enrolments/{e.id}/breaks", data={
        "break-starts_on": start.isoformat(), "break-reason": "Illness <b>flu</b>",
    })  # fmt: skip
    assert response.status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "break.recorded"))
    assert event.learner_id == apprentice.learner.id
    for url in (f"/enrolments/{e.id}/apprenticeship", f"/enrolments/{e.id}/portfolio"):
        page = client.get(url).get_data(as_text=True)
        assert "Paused: break in learning from" in page, url
        assert "Illness &lt;b&gt;flu&lt;/b&gt;" in page and "<b>flu" not in page
    auth.sign_out()
    auth.sign_in(apprentice.learner)
    home = client.get("/").get_data(as_text=True)
    assert f"On a break in learning since {format_date(start)} (Illness &lt;b&gt;flu" in home
    auth.sign_out()
    auth.sign_in(apprentice.assessor)
    caseload = client.get("/caseload").get_data(as_text=True)
    assert "Paused: break in learning from" in caseload
    auth.sign_out()
    auth.sign_in(apprentice.admin)
    pause = db.session.scalar(select(BreakInLearning))
    bad = client.post(f"/breaks/{pause.id}/end", data={"end-ends_on": "2099-01-01"})
    assert bad.status_code == 400 and "cannot be after today" in bad.get_data(as_text=True)
    assert db.session.get(BreakInLearning, pause.id).ends_on is None
    ended = client.post(f"/breaks/{pause.id}/end", data={"end-ends_on": today.isoformat()})
    assert ended.status_code == 303
    assert db.session.get(BreakInLearning, pause.id).ends_on == today
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "break.ended"))
    page = client.get(f"/enrolments/{e.id}/apprenticeship").get_data(as_text=True)
    assert "Paused:" not in page and "of breaks in learning" in page


def test_bad_break_input_is_a_400_with_the_field_named(apprentice, auth, client):
    auth.sign_in(apprentice.admin)
    e = apprentice.enrolment
    response = client.post(f"/enrolments/{e.id}/breaks", data={"break-starts_on": "soon"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Enter the reason for the break." in text
    assert db.session.scalar(select(BreakInLearning)) is None


def test_another_providers_break_cannot_be_ended(apprentice, auth, client, app):
    from tests import factories

    elsewhere = make_apprentice(factories.make_provider())
    pause = operations.record_break(elsewhere.admin, elsewhere.enrolment,
                                    starts_on=elsewhere.enrolment.starts_on, ends_on=None,
                                    reason="Leave", today=TODAY)  # fmt: skip
    auth.sign_in(apprentice.admin)
    assert client.post(f"/breaks/{pause.id}/end", data={"end-ends_on": "2026-10-01"}).status_code == 404
    assert client.post(f"/enrolments/{elsewhere.enrolment.id}/breaks").status_code == 404
