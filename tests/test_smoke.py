from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.enrolments.models import Cohort


def test_each_role_reaches_its_home_page(client, auth, people):
    for role in Role:
        auth.sign_in(people[role])
        response = client.get("/")
        assert response.status_code == 200
        assert people[role].name in response.get_data(as_text=True)
        auth.sign_out()


def test_each_role_sees_its_navigation_with_the_current_page_marked(client, auth, people):
    import re

    expected = {
        Role.LEARNER: ["Home", "Criteria"],
        Role.ASSESSOR: ["Home", "Caseload", "Marking queue", "Criteria"],
        Role.IQA: ["Home", "Dashboard", "Sampling", "Criteria"],
        Role.ADMIN: ["Home", "People", "Cohorts", "Employers", "Dashboard", "Sampling", "EQA export",
                     "Enrolments", "Criteria", "Settings"],
        Role.EQA: ["Home", "Dashboard", "Enrolments", "Sampling record", "Criteria"],
        Role.EMPLOYER: ["Home", "Criteria"],
    }  # fmt: skip
    for role, labels in expected.items():
        auth.sign_in(people[role])
        html = client.get("/").get_data(as_text=True)
        nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
        assert re.findall(r">([^<>]+)</a>", nav) == labels, role
        assert re.findall(r'aria-current="page">([^<]+)<', nav) == ["Home"], role
        auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    client.post("/cohorts", data={"name": "Evening group"})
    cohort = f"/cohorts/{db.session.scalar(select(Cohort.id))}"
    for url, current in (("/dashboard/learners", "Dashboard"), ("/people", "People"),
                         ("/criteria", "Criteria"), (cohort, "Cohorts")):  # fmt: skip
        html = client.get(url).get_data(as_text=True)
        nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
        assert re.findall(r'aria-current="page">([^<]+)<', nav) == [current], url
