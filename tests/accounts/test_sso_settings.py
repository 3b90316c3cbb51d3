"""A provider admin sets up single sign-on: who may, what is checked, and that the client
secret is kept encrypted and never shown back."""

import re

import pytest
from sqlalchemy import select

from portfolio.accounts import sso
from portfolio.accounts.models import Role
from portfolio.accounts.sso_models import SsoConnection
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD

URL = "/provider/single-sign-on"
SECRET = "s3cret-from-entra-never-shown"
FORM = {
    "enabled": "y",
    "display_name": "Northgate College",
    "issuer": "https://login.microsoftonline.com/0b1c2d3e-aaaa-bbbb-cccc-123456789abc/v2.0",
    "client_id": "6f1e2d3c-1111-2222-3333-444455556666",
    "client_secret": SECRET,
    "domains": "northgate.ac.uk\n@Staff.Northgate.ac.uk, northgate.ac.uk",
    "new_account_role": "",
}


def saved(provider_id) -> SsoConnection | None:
    return db.session.scalar(select(SsoConnection).where(SsoConnection.provider_id == provider_id))


def test_an_admin_sets_up_single_sign_on_and_the_secret_is_kept_encrypted(client, auth, people):
    admin = people[Role.ADMIN]
    auth.sign_in(admin)
    page = client.get(URL).get_data(as_text=True)
    assert "http://localhost/sso/callback" in page  # the redirect address to register
    response = client.post(URL, data=FORM)
    assert response.status_code == 302
    connection = saved(admin.provider_id)
    assert connection.enabled and connection.display_name == "Northgate College"
    assert connection.domain_names == ["northgate.ac.uk", "staff.northgate.ac.uk"]
    assert connection.new_account_role is None
    assert SECRET not in connection.client_secret_encrypted
    assert sso.decrypt_secret(connection.client_secret_encrypted) == SECRET
    page = client.get(URL).get_data(as_text=True)
    assert SECRET not in page
    assert f"http://localhost/sso/{admin.provider_id}" in page  # the start address for intranets
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sso.settings_changed"))
    assert event.actor_id == admin.id
    assert event.after["client_secret_changed"] is True
    assert SECRET not in str(event.after) and SECRET not in event.summary


def test_a_blank_secret_keeps_the_one_saved(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    client.post(URL, data=FORM)
    response = client.post(URL, data={**FORM, "client_secret": "", "new_account_role": "learner"})
    assert response.status_code == 302
    connection = saved(people[Role.ADMIN].provider_id)
    assert sso.decrypt_secret(connection.client_secret_encrypted) == SECRET
    assert connection.new_account_role is Role.LEARNER


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"issuer": "http://login.example.org"}, "must start with https://"),
        ({"issuer": "ftp://login.example.org"}, "Enter the issuer as a whole address"),
        ({"issuer": "https://login.example.org/?tenant=1"}, "without ? or #"),
        ({"issuer": "https://user:pw@login.example.org"}, "cannot hold a user name"),
        ({"domains": "northgate.ac.uk\nnot a domain!"}, "“not” is not an email domain"),
        ({"domains": "northgate.ac.uk localhost"}, "“localhost” is not an email domain"),
        ({"domains": ""}, "Enter at least one email domain"),
        ({"client_secret": ""}, "Enter the client secret."),
        ({"new_account_role": "admin"}, "Not a valid choice"),
        ({"display_name": ""}, "Enter the name to show on the button."),
    ],
)
def test_settings_that_cannot_work_are_refused_saying_where(client, auth, people, changes, message):
    auth.sign_in(people[Role.ADMIN])
    response = client.post(URL, data={**FORM, **changes})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert SECRET not in page
    assert saved(people[Role.ADMIN].provider_id) is None


def test_plain_http_is_allowed_only_for_this_machine_outside_production():
    assert sso.issuer_problem("http://127.0.0.1:8080", production=False) is None
    assert sso.issuer_problem("http://localhost:8080", production=False) is None
    assert "https://" in sso.issuer_problem("http://127.0.0.1:8080", production=True)
    assert "https://" in sso.issuer_problem("http://10.0.0.5:8080", production=False)


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.EQA])
def test_only_admins_reach_the_settings(client, auth, people, role):
    auth.sign_in(people[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=FORM).status_code == 403
    assert saved(people[role].provider_id) is None


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_each_admin_sees_and_changes_only_their_own_providers(app, client, auth, people):
    other = app.test_client()
    other.post("/sign-in", data={"email": people["other_admin"].email, "password": PASSWORD})
    assert other.post(URL, data={**FORM, "display_name": "Other College"}).status_code == 302
    auth.sign_in(people[Role.ADMIN])
    assert "Other College" not in client.get(URL).get_data(as_text=True)
    assert saved(people[Role.ADMIN].provider_id) is None


def test_the_form_needs_its_csrf_token(app, people):
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = IsolatedClient
    try:
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        admin = people[Role.ADMIN]
        login = {"email": admin.email, "password": PASSWORD, "csrf_token": token}
        assert client.post("/sign-in", data=login).status_code == 302
        assert client.post(URL, data=FORM).status_code == 400
        assert saved(admin.provider_id) is None
        page = client.get(URL).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post(URL, data={**FORM, "csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
