"""Signing in through a provider's OpenID Connect identity provider: a real one on loopback
(tests/oidc/idp.mjs), the person's browser played by requests, the app by the test client."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select

from portfolio.accounts import sso
from portfolio.accounts.models import Role, User
from portfolio.accounts.sso_models import SsoIdentity
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from tests import factories
from tests.oidc import provider as oidc

CALLBACK = "http://localhost/sso/callback"


@pytest.fixture(scope="module")
def idp():
    provider = oidc.start([CALLBACK])
    yield provider
    provider.stop()


def configure(admin, idp, **changes):
    settings = {
        "enabled": True,
        "display_name": "Northgate College",
        "issuer": idp.issuer,
        "client_id": idp.client_id,
        "client_secret": idp.client_secret,
        "domains": "example.org",
        "new_account_role": None,
        **changes,
    }
    return sso.save_settings(admin, **settings)


@pytest.fixture
def connection(app, people, idp):
    return configure(people[Role.ADMIN], idp)


def answer_for(client, provider_id, login):
    """Start signing in at the app, sign in at the identity provider as ``login``, and return
    the path (with its query) the provider sends the browser back to."""
    response = client.get(f"/sso/{provider_id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    back = oidc.authorise(response.location, login, CALLBACK)
    return back[len("http://localhost") :]


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def events(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_a_learner_signs_in_by_verified_email_the_first_time_and_by_subject_after(
    client, people, connection
):
    learner = people[Role.LEARNER]
    response = client.get(answer_for(client, connection.provider_id, learner.email))
    assert response.status_code == 302
    assert response.location == "/"
    assert signed_in(client)
    identity = db.session.scalar(select(SsoIdentity).where(SsoIdentity.user_id == learner.id))
    assert (identity.issuer, identity.subject) == (connection.issuer, learner.email)
    assert events("sso.linked")[-1].object_id == learner.id
    succeeded = events("sign_in.succeeded")[-1]
    assert (succeeded.actor_id, succeeded.after["via"]) == (learner.id, "sso")

    # The account is found by its subject now, whatever its email address has become.
    client.post("/sign-out")
    login = learner.email
    learner.email = "renamed@example.org"
    db.session.flush()
    response = client.get(answer_for(client, connection.provider_id, login))
    assert response.status_code == 302
    assert signed_in(client)
    assert events("sign_in.succeeded")[-1].after["found_by"] == "subject"


def test_an_email_domain_not_allowed_is_refused(client, people, connection):
    response = client.get(answer_for(client, connection.provider_id, "someone@elsewhere.example"))
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "Accounts at elsewhere.example cannot sign in here through Northgate College" in body
    assert not signed_in(client)
    refused = events("sign_in.failed")[-1]
    assert refused.after["reason"] == "email domain not allowed"
    assert refused.provider_id == connection.provider_id


def test_an_unverified_email_address_is_not_matched_to_an_account(app, client, people, idp):
    admin = people[Role.ADMIN]
    factories.make_user(admin.provider, Role.LEARNER, email="unverified@northgate.example.org")
    connection = configure(admin, idp, domains="northgate.example.org")
    response = client.get(answer_for(client, connection.provider_id, "unverified"))
    assert response.status_code == 403
    assert "has not verified your email address" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert events("sign_in.failed")[-1].after["reason"] == "email address not verified"
    assert db.session.scalar(select(SsoIdentity)) is None


def test_a_deactivated_account_is_refused(client, people, connection):
    learner = people[Role.LEARNER]
    learner.active = False
    db.session.flush()
    response = client.get(answer_for(client, connection.provider_id, learner.email))
    assert response.status_code == 403
    assert "Your account here is not active" in response.get_data(as_text=True)
    assert not signed_in(client)
    refused = events("sign_in.failed")[-1]
    assert (refused.object_id, refused.after["reason"]) == (learner.id, "account not active")


def test_a_person_without_an_account_is_refused_unless_the_admin_chose_a_role(client, people, idp):
    admin = people[Role.ADMIN]
    connection = configure(admin, idp)
    response = client.get(answer_for(client, connection.provider_id, "newcomer@example.org"))
    assert response.status_code == 403
    assert "There is no account for newcomer@example.org here" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "newcomer@example.org")) is None

    configure(admin, idp, new_account_role=Role.LEARNER)
    response = client.get(answer_for(client, connection.provider_id, "newcomer@example.org"))
    assert response.status_code == 302
    made = db.session.scalar(select(User).where(User.email == "newcomer@example.org"))
    assert (made.provider_id, made.role, made.password_hash) == (admin.provider_id, Role.LEARNER,
                                                                 None)  # fmt: skip
    assert signed_in(client)


def test_another_providers_account_cannot_be_reached(client, people, connection):
    other = people["other_learner"]
    response = client.get(answer_for(client, connection.provider_id, other.email))
    assert response.status_code == 403
    assert not signed_in(client)
    assert db.session.scalar(select(SsoIdentity)) is None


def test_a_replayed_answer_is_refused_and_signs_nobody_in(app, client, people, connection):
    learner = people[Role.LEARNER]
    answer = answer_for(client, connection.provider_id, learner.email)
    assert client.get(answer).status_code == 302
    client.post("/sign-out")
    # The same address again, in the same browser and in another.
    again = client.get(answer)
    assert again.status_code == 400
    assert "this answer was used already" in again.get_data(as_text=True)
    assert not signed_in(client)
    other = app.test_client()
    assert other.get(answer).status_code == 400
    assert other.get("/").status_code == 302
    # Nor in a browser that has started its own sign-in: the state is not its own.
    assert other.get(f"/sso/{connection.provider_id}").status_code == 302
    replayed = other.get(answer)
    assert replayed.status_code == 400
    assert "does not match the one this browser asked for" in replayed.get_data(as_text=True)
    assert other.get("/").status_code == 302
    assert events("sign_in.failed")[-1].after["reason"] == "state does not match"


def tampered(answer: str, **changes) -> str:
    parts = urlsplit(answer)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return f"{parts.path}?{urlencode({**query, **changes})}"


def test_a_changed_code_is_refused_by_the_identity_provider(client, people, connection):
    answer = answer_for(client, connection.provider_id, people[Role.LEARNER].email)
    response = client.get(tampered(answer, code="x" + parse_qs(urlsplit(answer).query)["code"][0]))
    assert response.status_code == 400
    assert "Northgate College refused this sign-in answer (invalid_grant)" in response.get_data(
        as_text=True
    )
    assert not signed_in(client)
    assert (
        events("sign_in.failed")[-1].after["reason"] == "identity provider refused: invalid_grant"
    )


def test_a_changed_state_or_issuer_is_refused(client, people, connection):
    answer = answer_for(client, connection.provider_id, people[Role.LEARNER].email)
    assert client.get(tampered(answer, state="forged")).status_code == 400
    assert not signed_in(client)
    answer = answer_for(client, connection.provider_id, people[Role.LEARNER].email)
    response = client.get(tampered(answer, iss="https://evil.example"))
    assert response.status_code == 400
    assert "came from another sign-in service" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_cancelling_at_the_identity_provider_is_refused_clearly(client, people, connection):
    response = client.get(f"/sso/{connection.provider_id}")
    state = parse_qs(urlsplit(response.location).query)["state"][0]
    response = client.get(f"/sso/callback?error=access_denied&state={state}")
    assert response.status_code == 403
    assert "Sign-in was cancelled at Northgate College" in response.get_data(as_text=True)


def test_the_start_address_is_not_found_without_single_sign_on(client, people, idp):
    assert client.get(f"/sso/{people[Role.ADMIN].provider_id}").status_code == 404
    configure(people[Role.ADMIN], idp, enabled=False)
    assert client.get(f"/sso/{people[Role.ADMIN].provider_id}").status_code == 404
    assert client.get("/sso/callback?code=x&state=y").status_code == 400


def test_an_issuer_that_names_itself_differently_is_reported_not_followed(client, people, idp):
    connection = configure(people[Role.ADMIN], idp, issuer=idp.issuer + "/")
    response = client.get(f"/sso/{connection.provider_id}")
    assert response.status_code == 502
    assert "could not be reached or answered wrongly" in response.get_data(as_text=True)


def test_the_email_address_says_which_identity_provider(client, people, connection):
    response = client.post("/sso", data={"email": "Someone@Example.org"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="/sso/{connection.provider_id}?login_hint=Someone@Example.org"' in page
    assert "Sign in with Northgate College" in page
    response = client.post("/sso", data={"email": "someone@nowhere.example"})
    assert response.status_code == 400
    assert "Single sign-on is not set up for addresses at nowhere.example" in response.get_data(
        as_text=True
    )


def test_the_sign_in_page_offers_single_sign_on_only_when_a_provider_has_it(client, people, idp):
    link = "Sign in with your organisation's account"
    assert link not in client.get("/sign-in").get_data(as_text=True)
    configure(people[Role.ADMIN], idp)
    assert link in client.get("/sign-in").get_data(as_text=True)
