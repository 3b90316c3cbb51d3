"""Off-the-job hours on the progress rows: the figures each row carries, kept by the hours
log's operations, the caseload's hours column, the dashboard's count and the at-risk list,
in statements that do not grow with apprentices."""

from datetime import date, timedelta

import pytest
from markupsafe import escape

from portfolio.accounts.models import Role
from portfolio.apprenticeships import hours, operations
from portfolio.apprenticeships.hours import EntryInput
from portfolio.db import db
from portfolio.progress import refresh
from portfolio.progress.models import EnrolmentProgress
from portfolio.progress.queries import BEHIND_ON_HOURS, Filters, learner_rows
from tests.apprenticeships.helpers import make_apprentice
from tests.factories import make_enrolment, make_user
from tests.statements import assert_same_counts, page_statements
from tests.stories import signed_in

START = date(2026, 9, 1)  # the factories' enrolments start then


def log(apprentice, on: date, minutes: int):
    return hours.log_entry(
        apprentice.learner,
        apprentice.enrolment,
        EntryInput(on=on, activity="taught", learned="Handling a complaint.", minutes=minutes),
    )


def plan(apprentice, planned_hours: int) -> None:
    operations.set_apprenticeship(
        apprentice.admin, apprentice.enrolment, programme="Customer Service Practitioner",
        employer_id=apprentice.employer.id, line_manager_id=apprentice.manager.id,
        planned_otj_hours=planned_hours,
    )  # fmt: skip


def row_of(enrolment) -> EnrolmentProgress:
    return db.session.get(EnrolmentProgress, enrolment.id)


def the_row(apprentice):
    _total, rows = learner_rows(Filters(), apprentice.enrolment.provider_id, date.today(), 21)
    return next(r for r in rows if r.enrolment_id == apprentice.enrolment.id)


def test_the_hours_operations_keep_the_progress_row(app, provider):
    apprentice = make_apprentice(provider)
    row = row_of(apprentice.enrolment)
    assert (row.otj_planned_minutes, row.otj_logged_minutes, row.otj_verified_minutes) == (
        278 * 60, 0, 0,
    )  # fmt: skip
    first = log(apprentice, START + timedelta(days=7), 180)
    second = log(apprentice, START + timedelta(days=8), 90)
    third = log(apprentice, START + timedelta(days=9), 60)
    assert (row.otj_logged_minutes, row.otj_verified_minutes) == (330, 0)
    hours.verify_entry(apprentice.assessor, first)
    hours.reject_entry(apprentice.assessor, second, "That was a team meeting.")
    assert (row.otj_logged_minutes, row.otj_verified_minutes) == (240, 180)
    # A verified entry changed awaits verification again.
    hours.edit_entry(
        apprentice.learner, first,
        EntryInput(on=first.on_date, activity="taught", learned="Handling a complaint.",
                   minutes=120),
    )  # fmt: skip
    assert (row.otj_logged_minutes, row.otj_verified_minutes) == (180, 0)
    hours.verify_entry(apprentice.assessor, third)
    assert (row.otj_logged_minutes, row.otj_verified_minutes) == (180, 60)
    plan(apprentice, 300)
    assert row.otj_planned_minutes == 300 * 60
    # What the rows hold is what a full rebuild makes of the log.
    db.session.commit()
    refresh.enrolments([apprentice.enrolment.id])
    assert (row.otj_planned_minutes, row.otj_logged_minutes, row.otj_verified_minutes) == (
        300 * 60, 180, 60,
    )  # fmt: skip


def test_an_enrolment_that_is_no_apprenticeship_carries_no_plan(app, people):
    enrolment = make_enrolment(people[Role.LEARNER], assessor=people[Role.ASSESSOR])
    row = row_of(enrolment)
    assert (row.otj_planned_minutes, row.otj_logged_minutes, row.otj_verified_minutes) == (
        None, 0, 0,
    )  # fmt: skip
    _total, rows = learner_rows(Filters(), enrolment.provider_id, date.today(), 21)
    (only,) = rows
    assert only.otj_planned is None and only.otj_rag is None
    assert BEHIND_ON_HOURS not in only.risks


@pytest.mark.parametrize("verified_share", [0.0, 0.95, 1.05])
def test_the_rows_status_agrees_with_the_hours_page(app, provider, verified_share):
    """Red below 90% of the hours due, amber below them, green at or above: the statement's
    figures and the hours page's (hours.figures) agree, breaks left out of both."""
    apprentice = make_apprentice(provider)
    today = date.today()
    operations.record_break(
        apprentice.admin, apprentice.enrolment, starts_on=START + timedelta(days=20),
        ends_on=START + timedelta(days=29), reason="Illness", today=today,
    )  # fmt: skip
    # Few planned hours, so that a few entries reach any share of those due.
    plan(apprentice, 20)
    due = hours.figures(apprentice.enrolment, today).due
    wanted = round(due * 60 * verified_share)
    on = START
    while wanted > 0:
        minutes = min(wanted, 600)
        hours.verify_entry(apprentice.assessor, log(apprentice, on, minutes))
        wanted -= minutes
        on += timedelta(days=1)
    page = hours.figures(apprentice.enrolment, today)
    row = the_row(apprentice)
    assert row.otj_due / 60 == pytest.approx(page.due)
    assert row.otj_verified / 60 == pytest.approx(page.verified)
    assert row.otj_rag == page.rag == {0.0: "red", 0.95: "amber", 1.05: "green"}[verified_share]
    assert (BEHIND_ON_HOURS in row.risks) == (page.rag == "red")


def test_an_ongoing_break_pauses_the_hours_due_on_the_row_as_on_the_page(app, provider):
    apprentice = make_apprentice(provider)
    today = date.today()
    operations.record_break(
        apprentice.admin, apprentice.enrolment, starts_on=today - timedelta(days=10),
        ends_on=None, reason="Illness", today=today,
    )  # fmt: skip
    page = hours.figures(apprentice.enrolment, today)
    assert the_row(apprentice).otj_due / 60 == pytest.approx(page.due)


def test_caseload_shows_hours_for_apprentices_only_with_the_rule(client, auth, provider):
    apprentice = make_apprentice(provider)
    other = make_user(provider, Role.LEARNER, name="Nadia Notapprentice")
    make_enrolment(other, assessor=apprentice.assessor)
    hours.verify_entry(apprentice.assessor, log(apprentice, START + timedelta(days=7), 90))
    db.session.commit()
    auth.sign_in(apprentice.assessor)
    html = client.get("/caseload").get_data(as_text=True)
    assert '<th scope="col">Off-the-job hours</th>' in html
    assert escape(hours.RAG_RULE) in html
    mine = html[html.index(apprentice.learner.name) :]
    mine = mine[: mine.index("</tr>")]
    assert "1.5 of 278.0 h<span" in mine and "</a> verified" in mine
    assert f'href="/enrolments/{apprentice.enrolment.id}/hours"' in mine
    assert 'class="tag tag-red">Red<' in mine  # 1.5 h of the many due by now
    assert BEHIND_ON_HOURS in mine
    theirs = html[html.index("Nadia Notapprentice") :]
    theirs = theirs[: theirs.index("</tr>")]
    assert '<td data-label="Off-the-job hours"></td>' in theirs
    assert BEHIND_ON_HOURS not in theirs


def test_a_caseload_without_apprentices_has_no_hours_column(client, auth, people):
    make_enrolment(people[Role.LEARNER], assessor=people[Role.ASSESSOR])
    db.session.commit()
    auth.sign_in(people[Role.ASSESSOR])
    html = client.get("/caseload").get_data(as_text=True)
    assert "Off-the-job hours" not in html


def test_dashboard_counts_apprentices_behind_and_lists_them_with_the_reason(client, auth, provider):
    behind = make_apprentice(provider)
    on_plan = make_apprentice(provider, "Quay Foods Ltd")
    plan(on_plan, 0)  # nothing planned: nothing due
    db.session.commit()
    auth.sign_in(behind.admin)
    html = client.get("/dashboard").get_data(as_text=True)
    assert (
        'risk=behind+on+off-the-job+hours">1</a></span> apprentices behind on off-the-job hours'
        in html
    )
    assert escape(hours.RAG_RULE) in html
    listed = client.get("/dashboard/learners?risk=behind on off-the-job hours")
    text = listed.get_data(as_text=True)
    assert listed.status_code == 200
    assert "Learners behind on off-the-job hours" in text
    assert behind.learner.name in text and on_plan.learner.name not in text
    assert BEHIND_ON_HOURS in text
    home = client.get("/").get_data(as_text=True)
    assert "1 apprentice behind on off-the-job hours" in home


def test_statement_count_does_not_grow_with_apprentices(app, client, provider):
    first = make_apprentice(provider)
    assessor = first.assessor

    def add(n, name):
        for i in range(n):
            apprentice = make_apprentice(provider, f"{name} {i} Ltd")
            apprentice.enrolment.assessor_id = assessor.id
            db.session.flush()
            entry = hours.log_entry(
                apprentice.learner, apprentice.enrolment,
                EntryInput(on=START, activity="taught", learned="Listening.", minutes=60),
            )  # fmt: skip
            hours.verify_entry(assessor, entry)
            refresh.enrolments([apprentice.enrolment.id])
        db.session.commit()

    admin, assessor_client = signed_in(app, first.admin.email), signed_in(app, assessor.email)
    pages = {url: (admin, url) for url in ("/dashboard", "/dashboard/learners", "/",
                                           "/dashboard/learners?risk=behind on off-the-job hours")}
    pages["/caseload"] = (assessor_client, "/caseload")
    add(2, "Small")
    small = page_statements(pages, db.engine)
    add(8, "Large")
    assert_same_counts(small, page_statements(pages, db.engine))


def test_the_enrolment_page_links_an_apprenticeships_hours_and_reviews(client, auth, provider):
    apprentice = make_apprentice(provider)
    other = make_enrolment(make_user(provider, Role.LEARNER), assessor=apprentice.assessor)
    db.session.commit()
    auth.sign_in(apprentice.admin)
    html = client.get(f"/enrolments/{apprentice.enrolment.id}").get_data(as_text=True)
    assert f'href="/enrolments/{apprentice.enrolment.id}/hours"' in html
    assert f'href="/enrolments/{apprentice.enrolment.id}/reviews"' in html
    html = client.get(f"/enrolments/{other.id}").get_data(as_text=True)
    assert "/hours" not in html and "/reviews" not in html


def test_the_apprentices_home_links_their_hours_log(client, auth, provider):
    apprentice = make_apprentice(provider)
    hours.verify_entry(apprentice.assessor, log(apprentice, START + timedelta(days=7), 90))
    db.session.commit()
    auth.sign_in(apprentice.learner)
    html = client.get("/").get_data(as_text=True)
    assert f'href="/enrolments/{apprentice.enrolment.id}/hours"' in html
    assert "1.5 of 278.0 hours verified" in html


def test_the_assessors_home_links_the_hours_awaiting_verification(client, auth, provider):
    apprentice = make_apprentice(provider)
    db.session.commit()
    auth.sign_in(apprentice.assessor)
    assert "/hours/queue" not in client.get("/").get_data(as_text=True)
    log(apprentice, START + timedelta(days=7), 90)
    log(apprentice, START + timedelta(days=8), 30)
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert (
        '<a href="/hours/queue">2 entries of off-the-job hours awaiting your verification' in html
    )


def test_the_demo_apprentices_have_hours_in_every_state_on_their_rows(app):
    from sqlalchemy import func, select

    from portfolio.apprenticeships.hours_models import EntryStatus, OtjEntry, OtjEntryVersion
    from portfolio.apprenticeships.models import Apprenticeship
    from portfolio.demo import build_demo

    assert build_demo(date.today())
    statuses = set(db.session.scalars(select(OtjEntry.status).distinct()))
    assert statuses == set(EntryStatus)
    assert db.session.scalar(select(func.max(OtjEntryVersion.number))) == 2  # one edited
    for apprenticeship in db.session.scalars(select(Apprenticeship)):
        row = row_of(apprenticeship.enrolment)
        figures = hours.figures(apprenticeship.enrolment, date.today())
        assert row.otj_planned_minutes == apprenticeship.planned_otj_hours * 60
        assert row.otj_logged_minutes == round(figures.logged * 60) > 0
        assert row.otj_verified_minutes == round(figures.verified * 60)


def test_the_learners_download_carries_the_hours_of_apprentices_only(client, auth, provider):
    apprentice = make_apprentice(provider)
    other = make_enrolment(make_user(provider, Role.LEARNER))
    hours.verify_entry(apprentice.assessor, log(apprentice, START, 90))
    log(apprentice, START + timedelta(days=1), 30)
    db.session.commit()
    auth.sign_in(apprentice.admin)
    text = client.get("/dashboard/export.csv?table=learners").get_data(as_text=True)
    header, *lines = [line.split(",") for line in text.splitlines()]
    assert header[-5:] == ["Off-the-job hours planned", "Off-the-job hours logged",
                           "Off-the-job hours verified", "Off-the-job hours due by today",
                           "Off-the-job RAG"]  # fmt: skip
    by_learner = {line[0]: line for line in lines}
    cells = by_learner[apprentice.learner.name][-5:]
    page = hours.figures(apprentice.enrolment, date.today())
    assert cells[:3] == ["278.0", "2.0", "1.5"]
    assert float(cells[3]) == pytest.approx(page.due, abs=0.05)
    assert cells[4] == page.rag
    assert by_learner[other.learner.name][-5:] == [""] * 5
