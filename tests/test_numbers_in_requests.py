"""Numbers in a request's address that are not whole numbers the database can hold (a
superscript digit, a negative, a thousand digits, more than an integer column holds) are
refused or ignored with a 4xx or the page itself, never a server error."""

import pytest

from portfolio.accounts.models import Role
from portfolio.db import db
from tests.factories import make_enrolment, unit_by_code

NOT_NUMBERS = ["²", "-1", "9" * 5000, "99999999999"]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_no_server_error_for_a_number_that_is_not_one(client, auth, people, value):
    enrolment = make_enrolment(people[Role.LEARNER], body="SFJ", assessor=people[Role.ASSESSOR])
    unit = unit_by_code("SFJ")
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    urls = [
        f"/people?page={value}",
        f"/enrolments?page={value}",
        f"/enrolments?cohort={value}",
        f"/enrolments/new?learner={value}&cohort={value}",
        f"/dashboard?cohort={value}",
        f"/dashboard?assessor={value}&unit={value}",
        f"/dashboard/learners?lacking={value}",
        f"/dashboard/learners?page={value}",
        f"/enrolments/{enrolment.id}/portfolio?page={value}",
        f"/enrolments/{enrolment.id}/portfolio?criterion={value}",
        f"/criteria/units/{unit.id}?version={value}",
        f"/?page={value}",
    ]
    statuses = {url[:80]: client.get(url).status_code for url in urls}
    assert all(status < 500 for status in statuses.values()), statuses


@pytest.mark.parametrize("path", ["/enrolments/{}", "/people/{}", "/evidence/{}", "/audit/learners/{}"])
def test_an_id_larger_than_the_database_holds_is_not_found(client, auth, people, path):
    auth.sign_in(people[Role.ADMIN])
    assert client.get(path.format(99999999999)).status_code == 404
