"""The admin's lists of people and enrolments: a page at a time, searched by name or email,
in as many statements however many rows there are."""

import re

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.listing import PAGE_SIZE
from tests.factories import make_enrolment, make_user
from tests.statements import assert_same_counts, page_statements
from tests.stories import signed_in


def learners(provider, n, start=0, enrol=False, **fields):
    made = []
    for i in range(start, start + n):
        learner = make_user(provider, Role.LEARNER, name=f"Aaron {i:03d}",
                            email=f"aaron.{i:03d}@example.org", **fields)  # fmt: skip
        if enrol:
            make_enrolment(learner, body="SFJ")
        made.append(learner)
    db.session.commit()
    return made


def names_listed(html: str) -> list[str]:
    """The generated learners' names on the page, in order, each once."""
    return list(dict.fromkeys(re.findall(r"Aaron \d{3}", html)))


@pytest.mark.parametrize("url", ["/people?role=learner", "/enrolments"])
def test_a_long_list_comes_a_page_at_a_time(client, auth, people, provider, url):
    learners(provider, PAGE_SIZE + 5, enrol=True)  # named to come first
    total = db.session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.provider_id == provider.id)
        if url == "/enrolments"
        else select(func.count(User.id)).where(User.provider_id == provider.id, User.role == Role.LEARNER)
    )  # fmt: skip
    auth.sign_in(people[Role.ADMIN])
    first = client.get(url).get_data(as_text=True)
    assert names_listed(first) == [f"Aaron {i:03d}" for i in range(PAGE_SIZE)]
    assert f"1 to {PAGE_SIZE} of {total}" in first
    assert "Page 1 of 2" in first and "Next page" in first and "Previous page" not in first
    second = client.get(f"{url}{'&' if '?' in url else '?'}page=2").get_data(as_text=True)
    assert names_listed(second) == [f"Aaron {i:03d}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert f"{PAGE_SIZE + 1} to {total} of {total}" in second
    assert "Previous page" in second and "Next page" not in second
    past = client.get(f"{url}{'&' if '?' in url else '?'}page=99")
    assert past.status_code == 200 and "Page 2 of 2" in past.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/people", "/enrolments"])
def test_search_by_name_or_email_ignoring_case(client, auth, people, provider, url):
    learners(provider, 12, enrol=True)
    auth.sign_in(people[Role.ADMIN])
    by_name = client.get(url, query_string={"q": "AARON 01"}).get_data(as_text=True)
    assert names_listed(by_name) == [f"Aaron {i:03d}" for i in range(10, 12)]
    assert "whose" in by_name and "AARON 01" in by_name
    by_email = client.get(url, query_string={"q": "aaron.003@"}).get_data(as_text=True)
    assert set(names_listed(by_email)) == {"Aaron 003"}
    # % and _ are matched as themselves, not as wildcards.
    for text in ("%", "_", "Aaron_0"):
        found = client.get(url, query_string={"q": text}).get_data(as_text=True)
        assert names_listed(found) == [] and "Clear the search" in found
    escaped = client.get(url, query_string={"q": "<b>x</b>"}).get_data(as_text=True)
    assert "<b>x</b>" not in escaped and "&lt;b&gt;x&lt;/b&gt;" in escaped


def test_another_providers_people_are_not_found(client, auth, people, provider):
    auth.sign_in(people[Role.ADMIN])
    other = people["other_learner"]
    html = client.get("/people", query_string={"q": other.email}).get_data(as_text=True)
    assert "<table" not in html and "Clear the search" in html


def test_statement_count_does_not_grow_with_rows(app, client, people, provider):
    admin = signed_in(app, people[Role.ADMIN].email)
    pages = {url: (admin, url) for url in ("/people", "/enrolments", "/enrolments?q=aaron")}
    learners(provider, 3, enrol=True)
    small = page_statements(pages, db.engine)
    learners(provider, 60, start=3, enrol=True)
    assert_same_counts(small, page_statements(pages, db.engine, warm=False))


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.IQA, Role.EQA])
def test_home_pages_list_learners_a_page_at_a_time(client, auth, people, provider, role):
    for learner in learners(provider, PAGE_SIZE + 5):
        make_enrolment(learner, body="SFJ", assessor=people[Role.ASSESSOR], iqa=people[Role.IQA])
    db.session.commit()
    viewer = people[role]
    total = db.session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.provider_id == provider.id,
            {Role.ASSESSOR: Enrolment.assessor_id == viewer.id,
             Role.IQA: Enrolment.iqa_id == viewer.id}.get(role, True),
        )
    )  # fmt: skip
    auth.sign_in(viewer)
    first = client.get("/").get_data(as_text=True)
    assert names_listed(first) == [f"Aaron {i:03d}" for i in range(PAGE_SIZE)]
    assert f"{total} " in first and "Page 1 of 2" in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert names_listed(second) == [f"Aaron {i:03d}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]


def test_the_assessors_home_counts_the_queue_and_what_is_over_target(
    client, auth, people, provider
):
    from datetime import timedelta

    from tests.factories import submitted

    assessor = people[Role.ASSESSOR]
    waiting = []
    for n, learner in enumerate(learners(provider, 3)):
        enrolment = make_enrolment(learner, body="SFJ", assessor=assessor)
        waiting.append(submitted(learner, enrolment, title=f"Waiting {n}"))
    waiting[0].submitted_at -= timedelta(days=30)  # well over the 10 working days' target
    db.session.commit()
    auth.sign_in(assessor)
    html = client.get("/").get_data(as_text=True)
    assert "3 items waiting to be marked</a>, 1 over the marking target." in html
