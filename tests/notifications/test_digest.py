"""The daily digest: one job per provider, one email per person who chose it, in the same
statements for 3 people as for 30; and the daily check of EQA access ending."""

from datetime import date, timedelta

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.jobs import Job, JobState
from portfolio.mail.models import OutgoingEmail
from portfolio.notifications import digest, notify
from portfolio.notifications.models import EmailChoice, Notification
from portfolio.notifications.settings import choose
from tests import factories
from tests.mailserver import parts
from tests.statements import counting


def daily_people(provider, count, role=Role.ASSESSOR):
    """``count`` people who chose the daily digest, each with two notifications."""
    people = []
    for _ in range(count):
        person = factories.make_user(provider, role)
        choose(person, EmailChoice.DAILY)
        for n in (1, 2):
            notify(provider.id, [person.id], "evidence_submitted", item=n,
                   title=f"Log {n} <b>", learner="Aisha & co")  # fmt: skip
        people.append(person)
    db.session.commit()
    return people


def test_each_person_who_chose_the_digest_gets_one_email_listing_their_notifications(
    app, people, mail_server
):
    provider = people[Role.ADMIN].provider
    chose = daily_people(provider, 2)
    # A learner who reads theirs in the app, one who chose at once, one at another provider.
    reader = daily_people(provider, 1, Role.LEARNER)[0]
    db.session.execute(
        Notification.__table__.update()
        .where(Notification.recipient_id == reader.id)
        .values(read_at=Notification.created_at)
    )
    at_once = people[Role.LEARNER]
    notify(provider.id, [at_once.id], "unit_signed_off", enrolment=1, unit="U", assessor="A")
    elsewhere = daily_people(people["other_admin"].provider, 1)[0]
    db.session.commit()
    mail_server.mailbox.clear()

    assert digest.enqueue_digests([provider.id]) == 1
    record = db.session.scalar(select(Job).where(Job.kind == "digest"))
    assert record.state is JobState.DONE and record.result == {"people": 2, "sent": 2}
    assert sorted(m["To"] for m in mail_server.messages) == sorted(
        f"{p.name} <{p.email}>" for p in chose
    )
    text, html = parts(mail_server.messages[0])
    assert mail_server.messages[0]["Subject"] == "2 new notifications in your portfolio"
    assert text.count("Aisha & co submitted 'Log") == 2 and "/evidence/1/mark" in text
    assert "Aisha &amp; co submitted &#39;Log 1 &lt;b&gt;&#39;" in html
    emailed = dict(
        db.session.execute(select(Notification.recipient_id, Notification.emailed_at)).all()
    )
    assert all(emailed[p.id] for p in chose)
    assert emailed[reader.id] is None and emailed[elsewhere.id] is None

    # The next day's run has nothing new to say.
    mail_server.mailbox.clear()
    digest.enqueue_digests([provider.id])
    assert mail_server.messages == []


def test_the_digest_reads_the_same_statements_for_3_people_as_for_30(app, mail_server):
    def statements(count):
        provider = factories.make_provider()
        daily_people(provider, count)
        with counting(db.engine) as seen:
            digest.daily_digest(provider.id)
        sent = db.session.scalar(
            select(db.func.count()).where(
                OutgoingEmail.provider_id == provider.id, OutgoingEmail.sent_at.is_not(None)
            )
        )
        assert sent == count
        return seen

    few, many = statements(3), statements(30)
    assert len(few) == len(many), "\n\n".join(many)


def test_a_digest_email_that_cannot_be_sent_is_tried_again_and_sent_once(app, people, caplog):
    provider = people[Role.ADMIN].provider
    daily_people(provider, 2)
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=9, MAIL_SECURITY="none", MAIL_TIMEOUT=1)
    try:
        assert digest.compose(provider.id) == 2
        db.session.commit()
        assert digest.deliver(provider.id) == (0, 2)
    finally:
        app.config.update(MAIL_HOST=None)
    kept = db.session.scalars(
        select(OutgoingEmail).where(OutgoingEmail.template == "notification_digest")
    ).all()
    assert [m.attempts for m in kept] == [1, 1] and all(m.last_error for m in kept)
    # Composed again, nothing new; what was left is sent, to the outbox now.
    assert digest.compose(provider.id) == 0
    assert digest.deliver(provider.id) == (2, 0)
    assert digest.deliver(provider.id) == (0, 0)


def test_admins_hear_once_of_an_eqa_access_ending_within_14_days(app, people):
    today = date(2026, 12, 5)
    eqa = people[Role.EQA]
    eqa.access_expires_on = today + timedelta(days=15)
    assert digest.check_eqa_access(today) == 0
    eqa.access_expires_on = today + timedelta(days=14)
    assert digest.check_eqa_access(today) == 1
    assert digest.check_eqa_access(today + timedelta(days=1)) == 0
    told = db.session.scalar(select(Notification).where(Notification.kind == "eqa_access_ending"))
    assert told.recipient_id == people[Role.ADMIN].id
    assert told.facts == {"eqa": eqa.name, "eqa_id": eqa.id, "ends_on": "19 Dec 2026"}
    # Extended, then coming to its end again: a new occasion.
    eqa.access_expires_on = today + timedelta(days=20)
    assert digest.check_eqa_access(today + timedelta(days=10)) == 1
    # Expired, or made inactive: nothing to warn of.
    assert digest.check_eqa_access(today + timedelta(days=30)) == 0
