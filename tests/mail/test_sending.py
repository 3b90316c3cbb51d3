"""Email leaves by SMTP to a real server on loopback, or as .eml files in the outbox: each
message a plain text and an HTML part, delivered once by its job."""

import email
import email.policy
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from portfolio import mail
from portfolio.accounts.models import Role
from portfolio.db import db, utcnow
from portfolio.jobs import Job, JobState
from portfolio.mail.delivery import deliver, deliver_emails
from portfolio.mail.models import OutgoingEmail
from tests import factories
from tests.mailserver import (
    HOST,
    PASSWORD,
    USERNAME,
    free_port,
    link,
    parts,
    self_signed_certificate,
    server_tls_context,
    start_server,
)

RESET_URL = "http://127.0.0.1:5000/password/reset/abc"


def send_reset(user, **context):
    context = {"reset_url": RESET_URL, "expires_at": utcnow() + timedelta(hours=1),
               "time_zone": "Europe/London", "provider_name": user.provider.name, **context}  # fmt: skip
    message = mail.send(user, "password_reset", provider_id=user.provider_id, **context)
    db.session.commit()  # the job delivers it now (the tests run jobs at once)
    return message


@pytest.fixture
def person(app):
    provider = factories.make_provider("Northgate <Training> & Co")
    user = factories.make_user(provider, Role.LEARNER, name="Aisha Khan")
    db.session.commit()
    return user


def test_a_message_arrives_by_smtp_with_text_and_html_parts_and_is_kept_without_its_bodies(
    app, mail_server, person
):
    message = send_reset(person)
    assert len(mail_server.messages) == 1
    arrived = mail_server.messages[0]
    assert arrived["To"] == f"Aisha Khan <{person.email}>"
    assert arrived["From"] == "Portfolio <no-reply@localhost>"
    assert arrived["Subject"] == "Reset your portfolio password"
    assert arrived["Message-ID"].startswith(f"<portfolio-{message.id}-")
    assert arrived.get_content_type() == "multipart/alternative"
    text, html = parts(arrived)
    assert text.startswith("Hello Aisha Khan,")
    assert "Northgate <Training> & Co portfolio account" in text  # plain text: as written
    assert "Northgate &lt;Training&gt; &amp; Co portfolio account" in html  # HTML: escaped
    assert link(arrived, "/password/reset/") == RESET_URL
    assert f'href="{RESET_URL}"' in html
    assert mail_server.mailbox.envelopes == [("no-reply@localhost", [person.email])]
    db.session.refresh(message)
    assert message.sent_at is not None and message.attempts == 1 and message.last_error is None
    # Sent: the link (a token kept nowhere else in clear) is not kept either.
    assert message.text_body is None and message.html_body is None
    job = db.session.scalar(select(Job).where(Job.kind == "email"))
    assert job.state is JobState.DONE and job.arguments == [message.id]
    assert job.result["sent"] is True


def test_a_delivery_run_twice_sends_once(app, mail_server, person):
    message = send_reset(person)
    assert deliver(message.id) == {"sent": False, "reason": "Already sent."}
    assert len(mail_server.messages) == 1


def test_messages_sent_together_are_delivered_by_one_job_each_once(app, mail_server, person):
    others = [factories.make_user(person.provider, Role.LEARNER) for _ in range(2)]
    context = {"reset_url": RESET_URL, "expires_at": utcnow(), "time_zone": "Europe/London",
               "provider_name": person.provider.name}  # fmt: skip
    messages = mail.send_many(
        "password_reset", [(to, context) for to in [person, *others, "someone@example.org"]],
        provider_id=person.provider_id,
    )  # fmt: skip
    assert mail.send_many("password_reset", [], provider_id=person.provider_id) == []
    db.session.commit()
    assert sorted(m["To"].addresses[0].addr_spec for m in mail_server.messages) == sorted(
        [person.email, *(o.email for o in others), "someone@example.org"]
    )
    assert mail_server.messages[0]["To"] == f"Aisha Khan <{person.email}>"
    [job] = db.session.scalars(select(Job)).all()
    assert job.kind == "emails" and job.arguments == [[m.id for m in messages]]
    assert job.state is JobState.DONE and job.result == {"sent": 4, "messages": 4}
    assert job.label == f"Email “{messages[0].subject}” to {person.email} and 3 more"
    for message in messages:
        db.session.refresh(message)
        assert message.sent_at is not None and message.text_body is None
    # Run again (a worker may run a job twice), nothing is sent twice.
    assert deliver_emails.function(None, job.arguments[0]) == {"sent": 0, "messages": 4}
    assert len(mail_server.messages) == 4


def test_a_message_rolled_back_with_its_transaction_is_never_sent(app, mail_server, person):
    mail.send(person, "password_reset", provider_id=person.provider_id, reset_url=RESET_URL,
              expires_at=utcnow(), time_zone="Europe/London", provider_name="P")  # fmt: skip
    db.session.rollback()
    db.session.commit()
    assert mail_server.messages == []
    assert db.session.scalar(select(OutgoingEmail)) is None


def test_the_sender_and_the_recipients_address_come_from_the_settings(app, mail_server, person):
    app.config["MAIL_SENDER"] = "Northgate Portfolio <portfolio@northgate.example.org>"
    try:
        mail.send("someone@example.org", "password_reset", provider_id=person.provider_id,
                  reset_url=RESET_URL, expires_at=utcnow(), time_zone="Europe/London",
                  provider_name="P")  # fmt: skip
        db.session.commit()
    finally:
        app.config["MAIL_SENDER"] = None
    arrived = mail_server.messages[0]
    assert arrived["From"] == "Northgate Portfolio <portfolio@northgate.example.org>"
    assert arrived["To"] == "someone@example.org"
    assert parts(arrived)[0].startswith("Hello,")


def test_a_server_that_cannot_be_reached_is_recorded_and_tried_again(app, person, caplog):
    app.config.update(MAIL_HOST=HOST, MAIL_PORT=free_port(), MAIL_SECURITY="none")
    try:
        with caplog.at_level(logging.CRITICAL, logger="portfolio.jobs.queue"):
            message = send_reset(person)
    finally:
        app.config.update(MAIL_HOST=None, MAIL_PORT=None, MAIL_SECURITY="starttls")
    db.session.refresh(message)
    assert message.sent_at is None and message.attempts >= 1
    assert message.last_error.startswith("ConnectionRefusedError")
    assert message.text_body  # kept, to be tried again
    job = db.session.scalar(select(Job).where(Job.kind == "email"))
    assert job.state in (JobState.QUEUED, JobState.FAILED)
    assert "ConnectionRefusedError" in job.last_error


def test_without_a_mail_server_messages_are_written_to_the_outbox(app, person, tmp_path, caplog):
    app.config["MAIL_OUTBOX_PATH"] = str(tmp_path / "outbox")
    try:
        with caplog.at_level(logging.WARNING):
            message = send_reset(person)
    finally:
        app.config["MAIL_OUTBOX_PATH"] = None
    files = list((tmp_path / "outbox").iterdir())
    assert len(files) == 1 and files[0].name.endswith(f"-{message.id}.eml")
    assert str(files[0]) in caplog.text and "PORTFOLIO_MAIL_HOST" in caplog.text
    written = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert written["To"] == f"Aisha Khan <{person.email}>"
    text, html = parts(written)
    assert RESET_URL in text and RESET_URL in html
    db.session.refresh(message)
    assert message.sent_at is not None


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("mail-tls"))


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_tls_check_the_servers_certificate_and_sign_in(
    app, person, certificate, security
):
    cert_path, key_path = certificate
    server = start_server(tls=server_tls_context(cert_path, key_path),
                          starttls=security == "starttls")  # fmt: skip
    settings = {"MAIL_HOST": HOST, "MAIL_PORT": server.port, "MAIL_SECURITY": security,
                "MAIL_CA_FILE": str(cert_path)}  # fmt: skip
    if security == "starttls":  # the server offers AUTH only once the connection is encrypted
        settings |= {"MAIL_USERNAME": USERNAME, "MAIL_PASSWORD": PASSWORD}
    app.config.update(settings)
    try:
        send_reset(person)
    finally:
        app.config.update({name: None for name in settings} | {"MAIL_SECURITY": "starttls"})
        server.stop()
    assert len(server.messages) == 1
    assert server.mailbox.logins == ([USERNAME] if security == "starttls" else [])


def test_a_certificate_no_authority_vouches_for_is_refused(app, person, certificate, caplog):
    server = start_server(tls=server_tls_context(*certificate), starttls=True)
    app.config.update(MAIL_HOST=HOST, MAIL_PORT=server.port, MAIL_SECURITY="starttls")
    try:
        with caplog.at_level(logging.CRITICAL, logger="portfolio.jobs.queue"):
            message = send_reset(person)
    finally:
        app.config.update(MAIL_HOST=None, MAIL_PORT=None)
        server.stop()
    assert server.messages == []
    db.session.refresh(message)
    assert message.sent_at is None
    assert "CERTIFICATE_VERIFY_FAILED" in message.last_error


def test_a_failed_email_is_told_to_admins_in_the_app_not_by_another_email(app, mail_server):
    # Were the notice of a failed email emailed too, an admin whose own address cannot be
    # sent to would start a chain of failed notices, each telling of the one before.
    from portfolio.notifications.models import Notification

    provider = factories.make_provider("Acme")
    admin = factories.make_user(provider, Role.ADMIN, name="Ada Admin")
    learner = factories.make_user(provider, Role.LEARNER, name="José")
    admin.email, learner.email = "ädmin@example.org", "jösé@example.org"  # as stored before
    db.session.commit()
    send_reset(learner)
    (job,) = db.session.scalars(select(Job)).all()
    assert job.kind == "email" and job.state is JobState.FAILED
    assert "non-ASCII" in job.last_error
    (told,) = db.session.scalars(select(Notification)).all()
    assert told.recipient_id == admin.id and told.kind == "job_failed"
    assert told.emailed_at is None and mail_server.messages == []


def test_an_address_whose_domain_has_other_letters_is_sent_to_its_ascii_form(app, mail_server,
                                                                            person):  # fmt: skip
    person.email = "aisha@bücher.example"
    db.session.commit()
    send_reset(person)
    (arrived,) = mail_server.messages
    assert arrived["To"] == "Aisha Khan <aisha@xn--bcher-kva.example>"


def test_a_recipient_the_server_refuses_for_good_fails_at_once_and_admins_are_told(
    app, mail_server, person
):
    from portfolio.notifications.models import Notification
    from tests.mailserver import REFUSED

    admin = factories.make_user(person.provider, Role.ADMIN, name="Ada Admin")
    person.email = f"{REFUSED}example.org"
    db.session.commit()
    message = send_reset(person)
    db.session.refresh(message)
    assert message.sent_at is None and message.attempts == 1  # not tried again: 550 is final
    assert message.last_error.startswith(f"The mail server refused {REFUSED}example.org for good "
                                         "(550 5.1.1 No such user here)")  # fmt: skip
    job = db.session.scalar(select(Job).where(Job.kind == "email"))
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "check the address on the person's account" in job.last_error
    told = db.session.scalars(select(Notification).where(Notification.recipient_id == admin.id))
    assert [n.kind for n in told] == ["job_failed"]
