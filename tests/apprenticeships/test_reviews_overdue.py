"""Overdue progress reviews on each role's home page and on the dashboard, in a fixed number
of statements however many apprentices there are."""

import re

import pytest

from portfolio.accounts.models import Role
from portfolio.apprenticeships import reviews
from portfolio.apprenticeships.reviews_models import Party
from portfolio.db import db
from tests.apprenticeships.test_reviews import make_apprenticeship
from tests.factories import make_enrolment, make_user
from tests.statements import assert_same_counts, page_statements
from tests.stories import signed_in


@pytest.fixture
def cast(people):
    """An apprentice whose first review fell due twelve weeks after 1 Sep 2026 and who has
    none: overdue from 25 Nov 2026 on."""
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolment = make_enrolment(learner, assessor=assessor)
    manager = make_apprenticeship(enrolment)
    db.session.commit()
    return learner, assessor, enrolment, manager


def sign_today(cast):
    learner, assessor, enrolment, manager = cast
    review = reviews.start_review(assessor, enrolment)
    reviews.save_reviewer_part(assessor, review, review.held_on, "On track.", {})
    reviews.save_comments(learner, review, Party.APPRENTICE, "Agreed.")
    reviews.save_comments(manager, review, Party.EMPLOYER, "Agreed.")
    for party, who in ((Party.REVIEWER, assessor), (Party.APPRENTICE, learner),
                       (Party.EMPLOYER, manager)):  # fmt: skip
        reviews.sign(who, review, party)
    db.session.commit()


def test_an_overdue_review_shows_on_the_home_page_of_everyone_concerned(
    app, client, auth, cast, people
):
    learner, assessor, enrolment, manager = cast
    for who in (learner, assessor, manager, people[Role.ADMIN]):
        auth.sign_in(who)
        html = client.get("/").get_data(as_text=True)
        assert "Progress reviews overdue (1)" in html, who.role
        assert f"/enrolments/{enrolment.id}/reviews" in html
        auth.sign_out()
    for who in (people["learner2"], people["assessor2"], people["other_admin"]):
        auth.sign_in(who)
        assert "Progress reviews overdue" not in client.get("/").get_data(as_text=True)
        auth.sign_out()
    sign_today(cast)
    auth.sign_in(assessor)
    assert "Progress reviews overdue" not in client.get("/").get_data(as_text=True)


def test_the_dashboard_counts_apprentices_with_a_review_overdue(app, client, auth, cast, people):
    auth.sign_in(people[Role.ADMIN])
    counted = re.compile(r'<span class="stat"><a href="[^"]+">(\d+)</a></span> apprentices with a '
                         r"progress review overdue")  # fmt: skip
    assert counted.search(client.get("/dashboard").get_data(as_text=True))[1] == "1"
    sign_today(cast)
    assert counted.search(client.get("/dashboard").get_data(as_text=True))[1] == "0"


def test_the_dashboards_count_lists_the_apprentices_with_a_review_overdue(
    app, client, auth, cast, people
):
    learner = cast[0]
    auth.sign_in(people[Role.ADMIN])
    dashboard = client.get("/dashboard").get_data(as_text=True)
    link = "/dashboard/learners?risk=progress+review+overdue"
    assert f'href="{link}">1</a></span> apprentices with a progress review overdue' in dashboard
    listed = client.get(link)
    text = listed.get_data(as_text=True)
    assert listed.status_code == 200
    assert "Learners with a progress review overdue" in text
    assert learner.name in text and people["learner2"].name not in text
    assert "progress review overdue" in text  # among the row's risks
    exported = client.get("/dashboard/export.csv?table=learners").get_data(as_text=True)
    assert "progress review overdue" in next(
        line for line in exported.splitlines() if line.startswith(learner.name)
    )
    sign_today(cast)
    assert learner.name not in client.get(link).get_data(as_text=True)


def add_apprentices(provider, people, n):
    for _ in range(n):
        learner = make_user(provider, Role.LEARNER)
        enrolment = make_enrolment(learner, assessor=people[Role.ASSESSOR])
        make_apprenticeship(enrolment)
        reviews.start_review(people[Role.ASSESSOR], enrolment)
    db.session.commit()


def test_statements_stay_the_same_however_many_reviews_are_overdue(app, client, people, provider):
    admin = signed_in(app, people[Role.ADMIN].email)
    assessor = signed_in(app, people[Role.ASSESSOR].email)
    pages = {"admin's dashboard": (admin, "/dashboard"), "admin's home": (admin, "/"),
             "assessor's home": (assessor, "/"), "caseload": (assessor, "/caseload"),
             "overdue": (admin, "/dashboard/learners?risk=progress review overdue")}  # fmt: skip
    add_apprentices(provider, people, 2)
    small = page_statements(pages, db.engine)
    add_apprentices(provider, people, 12)
    large = page_statements(pages, db.engine, warm=False)
    assert_same_counts(small, large)
    assert large["caseload"].html.count("progress review overdue") == 14  # each row names its risks
    for name in pages.keys() - {"caseload"}:
        assert "14" in large[name].html, name
