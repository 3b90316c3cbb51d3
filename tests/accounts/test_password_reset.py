"""Forgot your password: the same answer whether or not the account exists, throttled as sign-in
is, a single-use link for an hour, every other session signed out, all of it audited."""

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from portfolio.accounts.models import Role, SignInFailure
from portfolio.accounts.tokens import AccountToken, TokenPurpose, token_hash
from portfolio.audit.models import AuditEvent
from portfolio.db import db, utcnow
from portfolio.mail.models import OutgoingEmail
from tests import factories
from tests.mailserver import link, parts

NEW_PASSWORD = "lighthouse-pebble-quartet"
OFFICE = {"REMOTE_ADDR": "203.0.113.9"}


def ask(client, email, **request):
    return client.post("/password/forgot", data={"email": email}, environ_base=OFFICE, **request)


def reset_path(message) -> str:
    url = link(message, "/password/reset/")
    assert url.startswith("http://127.0.0.1:5000/password/reset/")
    return urlsplit(url).path


def sign_in(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_the_sign_in_page_offers_a_reset(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<a href="/password/forgot">Forgot your password?</a>' in page
    assert client.get("/password/forgot").status_code == 200


def test_a_reset_works_end_to_end_and_signs_out_every_other_session(
    app, client, people, mail_server
):
    learner = people[Role.LEARNER]
    elsewhere = app.test_client()  # signed in on another device
    assert sign_in(elsewhere, learner.email, factories.PASSWORD).status_code == 302
    assert elsewhere.get("/").status_code == 200

    answer = ask(client, learner.email.upper())
    assert answer.status_code == 200
    assert "Check your email" in answer.get_data(as_text=True)
    [message] = mail_server.messages
    assert message["To"] == f"{learner.name} <{learner.email}>"
    assert message["Subject"] == "Reset your portfolio password"
    text, html = parts(message)
    assert "It works once, for an hour" in text and "Choose a new password" in html
    path = reset_path(message)
    token = path.rsplit("/", 1)[1]
    row = db.session.scalar(select(AccountToken).where(AccountToken.user_id == learner.id))
    assert row.purpose is TokenPurpose.PASSWORD_RESET and row.token_hash == token_hash(token)
    assert row.expires_at - row.created_at == timedelta(hours=1)
    # The sent message's bodies, which held the link, are not kept.
    kept = db.session.scalar(select(OutgoingEmail).where(OutgoingEmail.to_address == learner.email))
    assert kept.sent_at is not None and kept.text_body is None and kept.html_body is None

    page = client.get(path)
    assert page.status_code == 200 and learner.email in page.get_data(as_text=True)
    assert client.post(path, data={"password": "password1"}).status_code == 400
    done = client.post(path, data={"password": NEW_PASSWORD}, environ_base=OFFICE)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in here
    assert elsewhere.get("/").status_code == 302  # and out everywhere else
    assert client.get(path).status_code == 404  # the link worked once
    fresh = app.test_client()
    assert sign_in(fresh, learner.email, factories.PASSWORD).status_code == 401
    assert sign_in(fresh, learner.email, NEW_PASSWORD).status_code == 302

    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.after)
        .where(AuditEvent.action.like("account.password_reset%"))
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("account.password_reset_requested", None), ("account.password_reset", learner.id),
    ]  # fmt: skip
    assert events[0].after["address"] == "203.0.113.9"
    assert events[1].after["address"] == "203.0.113.9"


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, people, mail_server):
    learner = people[Role.LEARNER]
    known = ask(client, learner.email)
    unknown = ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace(learner.email, "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@example.org", "X")
    assert len(mail_server.messages) == 1


def test_requests_are_throttled_like_sign_in_for_any_address(app, client, people, mail_server):
    limit = app.config["SIGNIN_MAX_FAILURES"]
    for email in (people[Role.LEARNER].email, "nobody@example.org"):
        for _ in range(limit):
            assert ask(client, email).status_code == 200
        refused = ask(client, email)
        assert refused.status_code == 429
        assert "Too many password reset requests" in refused.get_data(as_text=True)
    assert len(mail_server.messages) == limit
    # The window passes.
    for failure in db.session.scalars(select(SignInFailure)):
        failure.at = utcnow() - timedelta(minutes=app.config["SIGNIN_WINDOW_MINUTES"] + 1)
    db.session.commit()
    assert ask(client, people[Role.LEARNER].email).status_code == 200
    assert len(mail_server.messages) == limit + 1


def test_past_the_address_limit_no_more_requests_are_taken_from_it(app, client, people):
    limit = 10 * app.config["SIGNIN_MAX_FAILURES"]
    for n in range(limit):
        assert ask(client, f"guess{n}@example.org").status_code == 200
    assert ask(client, people[Role.LEARNER].email).status_code == 429
    other = {"REMOTE_ADDR": "198.51.100.4"}
    response = client.post(
        "/password/forgot", data={"email": people[Role.LEARNER].email}, environ_base=other
    )
    assert response.status_code == 200


def test_a_link_expires_after_an_hour_and_a_newer_one_replaces_it(app, client, people, mail_server):
    learner = people[Role.LEARNER]
    ask(client, learner.email)
    ask(client, learner.email)
    first, second = (reset_path(m) for m in mail_server.messages)
    assert client.get(first).status_code == 404  # replaced
    row = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == token_hash(second.rsplit("/")[-1]))
    )
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(second, data={"password": NEW_PASSWORD})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This password reset link does not work" in page
    assert 'href="/password/forgot"' in page
    assert sign_in(app.test_client(), learner.email, factories.PASSWORD).status_code == 302


def test_an_inactive_account_gets_no_link(app, client, people, mail_server):
    learner = people[Role.LEARNER]
    learner.active = False
    db.session.commit()
    assert ask(client, learner.email).status_code == 200
    assert mail_server.messages == []


def test_bad_input_says_what_and_where(client):
    response = client.post("/password/forgot", data={"email": ""})
    assert response.status_code == 400
    assert "Enter your email address." in response.get_data(as_text=True)
    response = client.post("/password/forgot", data={"email": "x" * 300})
    assert response.status_code == 400
    assert "at most 254 characters" in response.get_data(as_text=True)
    response = client.post("/password/forgot", data={"email": "<b>x</b>"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter an email address like name@example.org." in html and "<b>x</b>" not in html
    assert client.get("/password/reset/" + "x" * 500).status_code == 404
