"""An admin adds a person, who gets an emailed invitation, chooses their own password and lands
on their home page; the admin sees who has not accepted, and resends or revokes."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portfolio.accounts import invitations
from portfolio.accounts.models import Role, User
from portfolio.accounts.tokens import AccountToken, TokenPurpose, token_hash
from portfolio.audit.models import AuditEvent
from portfolio.db import db, utcnow
from portfolio.errors import DomainError
from portfolio.jobs import Job, JobState
from tests import factories
from tests.mailserver import link, parts

NEW_PASSWORD = "kettle-orange-stairwell"


def add_learner(client, email="ngozi@example.org", name="Ngozi Eze"):
    response = client.post("/people/new", data={"name": name, "email": email, "role": "learner"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(User).where(User.email == email))


def invitation_path(message) -> str:
    url = link(message, "/invitation/")
    assert url.startswith("http://127.0.0.1:5000/invitation/")  # PUBLIC_URL, not the request's
    return urlsplit(url).path


def actions(user) -> list[str]:
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == user.id,
                                        AuditEvent.object_type == "user").order_by(AuditEvent.seq)
    ).all()  # fmt: skip


def test_an_invited_learner_chooses_a_password_and_lands_on_their_home_page(
    app, client, auth, people, mail_server
):
    admin = people[Role.ADMIN]
    auth.sign_in(admin)
    learner = add_learner(client)
    assert learner.password_hash is None
    [message] = mail_server.messages
    assert message["To"] == "Ngozi Eze <ngozi@example.org>"
    assert (
        message["Subject"] == f"{admin.name} has invited you to {admin.provider.name}'s portfolio"
    )
    text, html = parts(message)
    assert f"{admin.name} has added you to {admin.provider.name}'s e-portfolio as a learner" in text
    assert "Choose your password" in html
    path = invitation_path(message)
    assert f'href="http://127.0.0.1:5000{path}"' in html
    # Only the token's hash is kept.
    token = path.rsplit("/", 1)[1]
    row = db.session.scalar(select(AccountToken).where(AccountToken.user_id == learner.id))
    assert row.token_hash == token_hash(token) and token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(days=7)

    auth.sign_out()
    page = client.get(path)
    assert page.status_code == 200
    assert "Welcome, Ngozi Eze." in page.get_data(as_text=True)
    weak = client.post(path, data={"password": "ngozi@example.org"})
    assert weak.status_code == 400
    assert "Do not use your name or email address" in weak.get_data(as_text=True)
    accepted = client.post(path, data={"password": NEW_PASSWORD})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "Ngozi Eze" in home.get_data(as_text=True)
    assert actions(learner) == [
        "account.created", "account.invitation_sent", "account.invitation_accepted",
    ]  # fmt: skip

    # The link worked once; the password works from now on.
    assert client.get(path).status_code == 404
    again = client.post(path, data={"password": "another-fine-password-3"})
    assert again.status_code == 404
    assert "has expired, has been used" in again.get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(learner, NEW_PASSWORD)


def test_an_invitation_expires_after_seven_days(app, client, auth, people, mail_server):
    auth.sign_in(people[Role.ADMIN])
    learner = add_learner(client)
    path = invitation_path(mail_server.messages[0])
    row = db.session.scalar(select(AccountToken).where(AccountToken.user_id == learner.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    listing = client.get("/people?status=invited").get_data(as_text=True)
    assert "Invitation expired" in listing
    auth.sign_out()
    response = client.post(path, data={"password": NEW_PASSWORD})
    assert response.status_code == 404
    assert "Ask your training provider&#39;s administrator" in response.get_data(as_text=True)
    assert db.session.get(User, learner.id).password_hash is None


def test_the_admin_sees_who_has_not_accepted_and_resends_or_revokes(
    app, client, auth, people, mail_server
):
    admin = people[Role.ADMIN]
    auth.sign_in(admin)
    learner = add_learner(client)
    listing = client.get("/people?status=invited").get_data(as_text=True)
    assert "Invitation not accepted (1)" in listing
    assert learner.email in listing and people[Role.LEARNER].email not in listing
    assert f'action="/people/{learner.id}/invitation"' in listing
    assert f'action="/people/{learner.id}/invitation/revoke"' in listing
    first = invitation_path(mail_server.messages[0])

    # Resending makes a new link; the old one stops working.
    response = client.post(f"/people/{learner.id}/invitation")
    assert response.status_code == 302
    assert len(mail_server.messages) == 2
    second = invitation_path(mail_server.messages[1])
    assert second != first
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200

    # Revoking stops the new one too; the person stays listed as not invited.
    response = client.post(f"/people/{learner.id}/invitation/revoke", data={"from": "person"})
    assert response.headers["Location"] == f"/people/{learner.id}"
    assert client.get(second).status_code == 404
    page = client.get(f"/people/{learner.id}").get_data(as_text=True)
    assert "Not invited" in page and "Send an invitation" in page
    assert "Revoke invitation" not in page
    assert actions(learner) == [
        "account.created", "account.invitation_sent", "account.invitation_sent",
        "account.invitation_revoked",
    ]  # fmt: skip
    # Revoking again says there is nothing to revoke.
    client.post(f"/people/{learner.id}/invitation/revoke")
    assert "has no invitation waiting" in client.get("/people").get_data(as_text=True)

    # Once accepted, the person leaves the list.
    client.post(f"/people/{learner.id}/invitation")
    third = invitation_path(mail_server.messages[2])
    other = app.test_client()
    assert other.post(third, data={"password": NEW_PASSWORD}).status_code == 302
    listing = client.get("/people?status=invited").get_data(as_text=True)
    assert "Invitation not accepted (0)" in listing
    assert f"/people/{learner.id}/invitation" not in listing
    # And a person with a password gets no invitation.
    client.post(f"/people/{learner.id}/invitation")
    assert len(mail_server.messages) == 3


def test_people_invited_together_each_get_their_own_link_in_one_delivery(
    app, client, people, mail_server
):
    admin = people[Role.ADMIN]
    invited = [factories.make_user(admin.provider, Role.LEARNER, password=None) for _ in range(3)]
    invitations.invite(invited[0], by=admin)  # an earlier invitation, replaced
    db.session.commit()
    earlier = invitation_path(mail_server.messages[0])
    invitations.invite_many(invited, by=admin)
    db.session.commit()
    [job] = db.session.scalars(select(Job).where(Job.kind == "emails")).all()
    assert job.state is JobState.DONE and len(job.arguments[0]) == 3
    links = {m["To"].addresses[0].addr_spec: invitation_path(m) for m in mail_server.messages[1:]}
    assert sorted(links) == sorted(person.email for person in invited)
    assert client.get(earlier).status_code == 404
    assert all(client.get(path).status_code == 200 for path in links.values())
    sent = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.invitation_sent",
                                 AuditEvent.object_id.in_([p.id for p in invited]))
        .order_by(AuditEvent.seq)
    ).all()  # fmt: skip
    assert [(e.object_id, e.after["resent"]) for e in sent] == [
        (invited[0].id, False), (invited[0].id, True), (invited[1].id, False),
        (invited[2].id, False),
    ]  # fmt: skip
    # One who has a password already: nobody is invited.
    with pytest.raises(DomainError, match="has already chosen a password"):
        invitations.invite_many([invited[1], people[Role.LEARNER]], by=admin)
    assert invitations.invite_many([], by=admin) == []


def test_only_the_providers_admins_send_or_revoke_invitations(app, client, auth, people):
    learner = factories.make_user(people[Role.ADMIN].provider, Role.LEARNER, password=None)
    db.session.commit()
    auth.sign_in(people["other_admin"])
    assert client.post(f"/people/{learner.id}/invitation").status_code == 404
    assert client.post(f"/people/{learner.id}/invitation/revoke").status_code == 404
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    assert client.post(f"/people/{learner.id}/invitation").status_code == 403
    assert db.session.scalar(select(AccountToken).where(AccountToken.user_id == learner.id)) is None


def test_an_invited_person_cannot_sign_in_or_reset_before_accepting(
    app, client, auth, people, mail_server
):
    auth.sign_in(people[Role.ADMIN])
    learner = add_learner(client)
    auth.sign_out()
    for password in ("", "!", NEW_PASSWORD):
        response = client.post("/sign-in", data={"email": learner.email, "password": password})
        assert response.status_code in (400, 401)
    client.post("/password/forgot", data={"email": learner.email})
    assert len(mail_server.messages) == 1  # the invitation alone
    assert db.session.scalar(
        select(AccountToken).where(AccountToken.purpose == TokenPurpose.PASSWORD_RESET)
    ) is None  # fmt: skip


def test_the_admins_edit_page_sets_no_password(app, client, auth, people):
    learner = people[Role.LEARNER]
    auth.sign_in(people[Role.ADMIN])
    page = client.get(f"/people/{learner.id}").get_data(as_text=True)
    assert 'type="password"' not in page
    before = learner.password_hash
    client.post(f"/people/{learner.id}", data={"name": learner.name, "role": "learner",
                                               "active": "y", "password": "set-by-admin-77"})  # fmt: skip
    assert db.session.get(User, learner.id).password_hash == before


def test_users_create_can_invite_the_first_admin(app, runner, mail_server):
    result = runner.invoke(args=["users", "create", "--provider", "Riverside College",
                                 "--email", "head@riverside.example.org", "--name", "Sam Patel",
                                 "--invite"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "An invitation to choose a password has been emailed to head@riverside" in result.output
    user = db.session.scalar(select(User).where(User.email == "head@riverside.example.org"))
    assert user.role is Role.ADMIN and user.password_hash is None
    [message] = mail_server.messages
    assert (
        "An administrator has added you to Riverside College's e-portfolio as a provider admin"
        in (parts(message)[0])
    )
    both = runner.invoke(args=["users", "create", "--provider", "Riverside College",
                               "--email", "two@riverside.example.org", "--name", "Jo Bloggs",
                               "--invite", "--password", "river-side-admin-7"])  # fmt: skip
    assert both.exit_code != 0 and "not both" in both.output
