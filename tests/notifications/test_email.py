"""Email at once: each notification of a person who chose it arrives by SMTP, once."""

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.notifications import notify, notify_admins
from portfolio.notifications.models import EmailChoice, Notification
from portfolio.notifications.settings import choose
from tests.evidence.helpers import INCIDENT
from tests.mailserver import link, parts
from tests.stories import Cycle


def test_a_learner_hears_at_once_that_their_evidence_was_returned(
    client, auth, people, mail_server
):
    cycle = Cycle(client, auth, people, "SFJ")
    item = cycle.add("incident_log", {**INCIDENT, "title": "Gas <smell> & fumes"}, ["1.1"])
    # The assessor's default is the daily digest: no email at once for the submission.
    assert mail_server.messages == []
    cycle.mark(item, "returned", met=False, feedback="Add the severity.")
    learner = people[Role.LEARNER]
    assert len(mail_server.messages) == 1
    message = mail_server.messages[0]
    assert message["To"] == f"{learner.name} <{learner.email}>"
    assessor = people[Role.ASSESSOR].name
    sentence = f"{assessor} returned 'Gas <smell> & fumes' for rework, with feedback."
    assert message["Subject"].strip() == sentence  # folded when long
    text, html = parts(message)
    assert sentence in text
    assert "returned &#39;Gas &lt;smell&gt; &amp; fumes&#39;" in html
    assert link(message, "/evidence/").endswith(f"/evidence/{item.id}")
    assert link(message, "/account/").endswith("/account/notifications")
    told = db.session.scalar(select(Notification).where(Notification.recipient_id == learner.id))
    assert told.emailed_at is not None and told.read_at is None


def test_no_email_at_once_for_the_digest_or_off(app, people, mail_server):
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    choose(learner, EmailChoice.OFF)
    for person in (learner, assessor):
        notify(person.provider_id, [person.id], "evidence_submitted", item=1, title="T",
               learner="L")  # fmt: skip
    db.session.commit()
    assert mail_server.messages == []
    assert db.session.scalars(select(Notification.emailed_at)).all() == [None, None]


def test_an_inactive_person_is_not_emailed(app, people, mail_server):
    learner = people[Role.LEARNER]
    learner.active = False
    notify(learner.provider_id, [learner.id], "unit_signed_off", enrolment=1, unit="U",
           assessor="A")  # fmt: skip
    db.session.commit()
    assert mail_server.messages == []


def test_admins_hear_at_once_of_a_failed_job(app, people, mail_server):
    admin = people[Role.ADMIN]
    notify_admins(admin.provider_id, "job_failed", job_id=7, label="Portfolio PDF of A")
    db.session.commit()
    assert [m["To"] for m in mail_server.messages] == [f"{admin.name} <{admin.email}>"]
    assert "Portfolio PDF of A: the job failed." in parts(mail_server.messages[0])[0]
    assert link(mail_server.messages[0], "/jobs/").endswith("/jobs/7")


def test_a_long_reason_is_in_the_body_and_the_subject_stays_short(app, people, mail_server):
    learner = people[Role.LEARNER]
    reason = "The session was your usual shift on the phones, not training. " * 15
    notify(learner.provider_id, [learner.id], "hours_rejected", entry=1, on="1 Dec 2026",
           activity="Shadowing", reason=reason.strip(), assessor="Priya Sharma")  # fmt: skip
    db.session.commit()
    (message,) = mail_server.messages
    subject = " ".join(message["Subject"].split())  # unfolded
    assert len(subject) <= 100 and subject.endswith("…")
    assert subject.startswith("Priya Sharma rejected your off-the-job hours of 1 Dec 2026")
    text, _html = parts(message)
    assert " ".join(reason.split()) in " ".join(text.split())
