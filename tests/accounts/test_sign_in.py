from sqlalchemy import select

from portfolio.accounts.models import Role, User
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from tests import factories

GENERIC = "The email address or password is not right"


def test_sign_in_with_right_password_reaches_home(client, auth, people):
    response = auth.sign_in(people[Role.LEARNER])
    assert response.location == "/"
    assert client.get("/").status_code == 200


def test_email_is_matched_without_regard_to_case(client, people):
    email = people[Role.ASSESSOR].email.upper()
    response = client.post("/sign-in", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_message(client, people):
    wrong = client.post(
        "/sign-in", data={"email": people[Role.LEARNER].email, "password": "not-the-password"}
    )
    unknown = client.post(
        "/sign-in", data={"email": "nobody@example.org", "password": "not-the-password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)


def test_empty_form_says_what_is_missing(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter your email address." in body
    assert "Enter your password." in body


def test_repeated_failures_are_throttled_even_with_the_right_password(app, client, people):
    learner = people[Role.LEARNER]
    limit = app.config["SIGNIN_MAX_FAILURES"]
    for _ in range(limit):
        response = client.post(
            "/sign-in", data={"email": learner.email, "password": "wrong-guess-x"}
        )
        assert response.status_code == 401
    response = client.post(
        "/sign-in", data={"email": learner.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)
    # Another account from elsewhere is not affected by one account's lock.
    other = people[Role.ASSESSOR]
    assert (
        client.post(
            "/sign-in", data={"email": other.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )


def test_inactive_account_cannot_sign_in(client, people):
    learner = people[Role.LEARNER]
    learner.active = False
    db.session.flush()
    response = client.post(
        "/sign-in", data={"email": learner.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 401


def test_eqa_access_ends_after_its_date(client, people):
    from datetime import date

    eqa = people[Role.EQA]
    eqa.access_expires_on = date(2020, 1, 1)
    db.session.flush()
    # With the right password they are told their access ended; with a wrong one, nothing.
    response = client.post("/sign-in", data={"email": eqa.email, "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "Your read-only access ended on 1 Jan 2020." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    response = client.post("/sign-in", data={"email": eqa.email, "password": "wrong-password-1"})
    assert response.status_code == 401
    assert "access ended" not in response.get_data(as_text=True)


def test_an_admin_giving_an_eqa_a_past_end_date_is_told_it_ends_their_access(client, auth, people):
    eqa = people[Role.EQA]
    auth.sign_in(people[Role.ADMIN])
    response = client.post(f"/people/{eqa.id}", data={"name": eqa.name, "role": "eqa", "active": "y",
                                                      "access_expires_on": "2020-01-01"})  # fmt: skip
    assert response.status_code == 302
    flashed = client.get(response.location).get_data(as_text=True)
    assert "Their EQA access ended on 1 Jan 2020: they cannot sign in" in flashed


def test_expired_eqa_is_signed_out_of_an_open_session(client, auth, people):
    from datetime import date

    eqa = people[Role.EQA]
    auth.sign_in(eqa)
    eqa.access_expires_on = date(2020, 1, 1)
    db.session.flush()
    response = client.get("/")
    assert response.status_code == 302
    assert "/sign-in" in response.location


def test_sign_out_ends_the_session(client, auth, people):
    auth.sign_in(people[Role.LEARNER])
    assert client.post("/sign-out").status_code == 302
    assert "/sign-in" in client.get("/criteria").location


def test_signing_out_ends_the_copied_session(app, client, auth, people):
    learner = people[Role.LEARNER]
    auth.sign_in(learner)
    copied = client.get_cookie("portfolio_session").value
    assert client.post("/sign-out").status_code == 302
    thief = app.test_client()
    thief.set_cookie("portfolio_session", copied)
    replay = thief.get("/criteria")
    assert replay.status_code == 302 and "/sign-in" in replay.location
    # Whatever cookie the replay was given does not sign anyone in either.
    assert thief.get("/").status_code == 302
    assert "/sign-in" in thief.get("/account/password").location


def test_signing_out_is_in_the_audit_trail(client, auth, people):
    learner = people[Role.LEARNER]
    auth.sign_in(learner)
    client.post("/sign-out")
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == learner.id)
    ).all()
    assert "sign_out" in events


def test_next_only_follows_paths_on_this_site(client, people):
    data = {"email": people[Role.LEARNER].email, "password": factories.PASSWORD}
    response = client.post("/sign-in?next=https://evil.example/", data=data)
    assert response.location == "/"


def test_session_cookie_is_httponly_and_samesite(client, people):
    response = client.post(
        "/sign-in", data={"email": people[Role.LEARNER].email, "password": factories.PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_password_is_stored_as_argon2id_hash(people):
    stored = db.session.scalar(select(User.password_hash).where(User.id == people[Role.IQA].id))
    assert stored.startswith("$argon2id$")
    assert factories.PASSWORD not in stored


def test_changing_password_signs_out_other_sessions(app, client, auth, people):
    learner = people[Role.LEARNER]
    other_device = app.test_client()
    other_device.post("/sign-in", data={"email": learner.email, "password": factories.PASSWORD})
    auth.sign_in(learner)
    response = client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "new_password": "fresh-orange-kettle"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302


def test_change_password_refuses_a_wrong_current_password(client, auth, people):
    auth.sign_in(people[Role.LEARNER])
    response = client.post(
        "/account/password",
        data={"current_password": "wrong-current-1", "new_password": "fresh-orange-kettle"},
    )
    assert response.status_code == 400
    assert "Your current password is not right." in response.get_data(as_text=True)
    # The same password again is not a change; one too long is said to be so once.
    same = {"current_password": factories.PASSWORD, "new_password": factories.PASSWORD}
    response = client.post("/account/password", data=same)
    assert response.status_code == 400
    assert "Choose a new password, not the one you have now." in response.get_data(as_text=True)
    long = {"current_password": factories.PASSWORD, "new_password": "a-b" * 700}
    html = client.post("/account/password", data=long).get_data(as_text=True)
    assert "can be at most 256 characters" in html and "Use at most" not in html
