"""Lists a page at a time: the cursor walks every row once, pages are bounded, and a page
costs the same few statements however long it is."""

import pytest

from portfolio.accounts.models import Role
from portfolio.api.paging import encode
from portfolio.db import db
from tests import factories
from tests.statements import counting


@pytest.fixture
def many(world):
    """Six more learners at my provider, each enrolled with evidence: lists of two pages
    and more at four a page."""
    provider = world["mine"]["admin"].provider
    for n in range(6):
        learner = factories.make_user(provider, Role.LEARNER)
        learner.mis_id = f"M{n:03d}"
        enrolment = factories.make_enrolment(learner, assessor=world["mine"]["assessor"])
        factories.submitted(learner, enrolment)
    db.session.commit()
    return world


def test_walking_the_pages_gives_every_row_once(api, many):
    client = api.as_token(many["mine"]["secret"])
    for path in ("/people", "/enrolments", "/progress", "/evidence", "/cohorts"):
        whole = client.get(f"{path}?limit=200").get_json()
        assert whole["next"] is None, path
        walked = client.walk(f"{path}?limit=4")
        assert walked == whole["data"], path
        assert len(walked) > 4 or path == "/cohorts"  # more than one page, but of the one cohort
        key = "enrolment_id" if path == "/progress" else "id"
        ids = [row[key] for row in walked]
        assert ids == sorted(set(ids)), path


def test_the_next_link_keeps_the_filters(api, many):
    client = api.as_token(many["mine"]["secret"])
    first = client.get("/people?role=learner&limit=5").get_json()
    assert "role=learner" in first["next"] and "limit=5" in first["next"]
    assert all(row["role"] == "learner" for row in client.walk("/people?role=learner&limit=5"))


@pytest.mark.parametrize("limit", ["0", "201", "ten", "-1"])
def test_a_limit_out_of_range_is_refused(api, world, limit):
    response = api.as_token(world["mine"]["secret"]).get(f"/people?limit={limit}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "limit"


@pytest.mark.parametrize("cursor", ["nonsense", encode(5)[:-2] + "!!", "YWZ0ZXI6LTE"])
def test_a_cursor_the_api_did_not_give_is_refused(api, world, cursor):
    response = api.as_token(world["mine"]["secret"]).get(f"/people?cursor={cursor}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "cursor"


# The token, then the page; the evidence's claimed criteria take one more, and progress reads
# the provider's settings first.
LIST_STATEMENTS = {"/people": 2, "/cohorts": 2, "/enrolments": 2, "/evidence": 3, "/progress": 3,
                   "/sign-offs": 2}  # fmt: skip


def test_a_list_costs_the_same_statements_however_long_its_page(app, api, many):
    client = api.as_token(many["mine"]["secret"])
    client.get("/people")  # the token's last use is stamped: not counted below
    for path, statements in LIST_STATEMENTS.items():
        for limit in (1, 200):
            with counting(db.engine) as seen:
                assert client.get(f"{path}?limit={limit}").status_code == 200
            assert len(seen) == statements, (path, limit, seen)
