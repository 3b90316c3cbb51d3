"""CSRF protection is on for every form (the other tests turn it off for brevity)."""

import re

import pytest

from portfolio.accounts.models import Role
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = IsolatedClient
    yield app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False


def token(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_sign_in_without_token_is_refused(csrf_client, people):
    response = csrf_client.post(
        "/sign-in", data={"email": people[Role.LEARNER].email, "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "This form was not sent from this site" in response.get_data(as_text=True)


def test_sign_in_with_token_works(csrf_client, people):
    data = {"email": people[Role.LEARNER].email, "password": PASSWORD}
    data["csrf_token"] = token(csrf_client, "/sign-in")
    assert csrf_client.post("/sign-in", data=data).status_code == 302


@pytest.mark.parametrize(
    "url, data",
    [
        ("/people/new", {"name": "Eve", "email": "eve@example.org", "role": "learner",
                         "password": "fresh-orange-kettle"}),
        ("/cohorts", {"name": "Forged cohort"}),
        ("/sign-out", {}),
    ],
)  # fmt: skip
def test_admin_forms_without_token_are_refused_and_change_nothing(csrf_client, people, url, data):
    admin = people[Role.ADMIN]
    login = {
        "email": admin.email,
        "password": PASSWORD,
        "csrf_token": token(csrf_client, "/sign-in"),
    }
    assert csrf_client.post("/sign-in", data=login).status_code == 302
    response = csrf_client.post(url, data=data)
    assert response.status_code == 400
    assert csrf_client.get("/").status_code == 200  # still signed in: sign-out was refused too
    assert "Forged cohort" not in csrf_client.get("/cohorts").get_data(as_text=True)
    assert "eve@example.org" not in csrf_client.get("/people").get_data(as_text=True)
