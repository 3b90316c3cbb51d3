"""API tokens: made by a provider admin and shown once, kept only as a hash, revocable, each
one's last use shown; the API reads nothing but the token, never a session."""

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.api.models import ApiToken, TokenScope
from portfolio.audit.models import AuditEvent
from portfolio.db import db

SECRET = re.compile(r'value="(pt_[A-Za-z0-9_-]{43})"')


def make_through_the_page(client, name="MIS sync", scope="read_write") -> str:
    response = client.post("/provider/api-tokens", data={"name": name, "scope": scope})
    assert response.status_code == 200, response.get_data(as_text=True)
    (secret,) = SECRET.findall(response.get_data(as_text=True))
    return secret


def test_an_admin_makes_a_token_shown_once_and_kept_as_its_hash(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    empty = client.get("/provider/api-tokens").get_data(as_text=True)
    assert "No token has been made yet" in empty
    secret = make_through_the_page(client)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scope is TokenScope.READ_WRITE and token.created_by_id == people[Role.ADMIN].id
    stored = " ".join(str(getattr(token, c.key)) for c in ApiToken.__table__.columns)
    assert secret not in stored and token.prefix == secret[:10]
    page = client.get("/provider/api-tokens").get_data(as_text=True)
    assert secret not in page and f"{token.prefix}…" in page and "Never" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert event.actor_id == people[Role.ADMIN].id and secret not in str(event.after)


def test_a_token_without_a_name_is_refused_on_the_form(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    response = client.post("/provider/api-tokens", data={"name": " ", "scope": "read"})
    assert response.status_code == 400
    assert "Enter a name for the token." in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_a_scope_not_offered_or_a_name_in_use_is_refused(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    assert "Each token may make 600 requests a minute." in client.get("/provider/api-tokens").get_data(
        as_text=True)
    response = client.post("/provider/api-tokens", data={"name": "Reporting", "scope": "root"})
    assert response.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None
    assert client.post("/provider/api-tokens", data={"name": "Reporting", "scope": "read"}).status_code == 200
    again = client.post("/provider/api-tokens", data={"name": "reporting ", "scope": "read_write"})
    assert again.status_code == 400
    assert "A token called “Reporting” is in use" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(ApiToken)).all()) == 1


def test_only_admins_see_the_tokens_page(client, auth, people):
    auth.sign_in(people[Role.ASSESSOR])
    assert client.get("/provider/api-tokens").status_code == 403


def test_the_tokens_last_use_is_shown_and_stamped_at_most_once_a_minute(client, auth, people, api):
    auth.sign_in(people[Role.ADMIN])
    secret = make_through_the_page(client, scope="read")
    assert api.as_token(secret).get("/people").status_code == 200
    token = db.session.scalar(select(ApiToken))
    first = token.last_used_at
    assert first is not None
    page = client.get("/provider/api-tokens").get_data(as_text=True)
    assert "Never" not in page
    api.as_token(secret).get("/cohorts")
    db.session.refresh(token)
    assert token.last_used_at == first  # within the minute: not written again
    token.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    api.as_token(secret).get("/cohorts")
    db.session.refresh(token)
    assert token.last_used_at > first


def test_a_revoked_token_is_refused_at_once(client, auth, people, api):
    auth.sign_in(people[Role.ADMIN])
    secret = make_through_the_page(client)
    assert api.as_token(secret).get("/people").status_code == 200
    token = db.session.scalar(select(ApiToken))
    response = client.post(f"/provider/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    refused = api.as_token(secret).get("/people")
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refused.get_json()["detail"] == "This token is not known or has been revoked."
    page = client.get("/provider/api-tokens").get_data(as_text=True)
    assert "Revoked" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.revoked"))
    assert event.actor_id == people[Role.ADMIN].id


def test_another_providers_token_cannot_be_revoked(client, auth, people):
    auth.sign_in(people["other_admin"])
    secret = make_through_the_page(client)
    token = db.session.scalar(select(ApiToken))
    auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    assert client.post(f"/provider/api-tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None and secret


def test_a_request_without_a_token_or_with_a_wrong_one_is_refused(api, world):
    missing = api.get("/people")
    assert missing.status_code == 401 and missing.mimetype == "application/problem+json"
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="portfolio"'
    assert api.as_token("pt_" + "x" * 43).get("/people").status_code == 401
    basic = api.get("/people", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert basic.status_code == 401


def test_a_signed_in_session_is_no_token(client, auth, people, api):
    auth.sign_in(people[Role.ADMIN])
    response = api.get("/people")
    assert response.status_code == 401


def test_the_api_sets_no_cookie_and_needs_no_csrf_token(app, api, world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        writer = api.as_token(world["mine"]["secret"])
        response = writer.post("/cohorts", json={"name": "Made without a CSRF token"})
        assert response.status_code == 201
        assert "Set-Cookie" not in response.headers
        assert "Set-Cookie" not in writer.get("/people").headers
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_tokens_page_needs_its_csrf_token(app, client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/provider/api-tokens", data={"name": "Forged", "scope": "read"})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.scalar(select(ApiToken)) is None
