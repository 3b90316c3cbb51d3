"""The notifications page, the unread count in the header, marking read, and each person's
choice of email."""

import re

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.notifications import notify
from portfolio.notifications.inbox import unread_count
from portfolio.notifications.models import EmailChoice, Notification, NotificationSetting
from portfolio.notifications.settings import choice_of
from tests.evidence.helpers import INCIDENT
from tests.statements import counting
from tests.stories import Cycle


def header_count(html: str) -> str | None:
    """The unread count the header shows beside "Notifications", or None."""
    found = re.search(r'Notifications <span class="tag tag-red">([0-9+]+)<span', html)
    return found.group(1) if found else None


def checked(html: str) -> str:
    """The value of the checked radio button."""
    return re.search(r'<input checked[^>]* value="([a-z]+)"', html).group(1)


def tell(person, count=1, title="Gas <smell>"):
    for _ in range(count):
        notify(person.provider_id, [person.id], "evidence_submitted", item=1, title=title,
               learner="Aisha & co")  # fmt: skip
    db.session.flush()


def test_the_assessor_sees_a_learners_submission_in_the_header_and_the_list(client, auth, people):
    cycle = Cycle(client, auth, people, "SFJ")
    item = cycle.add("incident_log", INCIDENT, ["1.1"])
    cycle.be(Role.ASSESSOR)
    home = client.get("/").get_data(as_text=True)
    assert header_count(home) == "1"
    page = client.get("/notifications").get_data(as_text=True)
    learner = people[Role.LEARNER].name
    assert f"{learner} submitted &#39;{INCIDENT['title']}&#39; for marking." in page
    notification = db.session.scalar(select(Notification))
    assert f'href="/notifications/{notification.id}">Mark it<' in page
    assert client.get(f"/notifications/{notification.id}").location == f"/evidence/{item.id}/mark"
    assert "1 unread." in page
    # The learner, whose evidence it is, is told nothing.
    cycle.be(Role.LEARNER)
    assert header_count(client.get("/").get_data(as_text=True)) is None


def test_text_from_people_is_escaped(client, auth, people):
    tell(people[Role.ASSESSOR], title="<script>alert(1)</script>")
    auth.sign_in(people[Role.ASSESSOR])
    page = client.get("/notifications").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "Aisha &amp; co" in page


def test_marking_one_read_and_then_all(client, auth, people):
    assessor = people[Role.ASSESSOR]
    tell(assessor, 3)
    ids = db.session.scalars(select(Notification.id).order_by(Notification.id)).all()
    auth.sign_in(assessor)
    assert header_count(client.get("/notifications").get_data(as_text=True)) == "3"
    response = client.post(f"/notifications/{ids[0]}/read")
    assert response.status_code == 302 and response.location.endswith("/notifications")
    assert db.session.get(Notification, ids[0]).read_at is not None
    page = client.get("/notifications").get_data(as_text=True)
    assert header_count(page) == "2" and "2 unread." in page
    client.post("/notifications/read")
    page = client.get("/notifications").get_data(as_text=True)
    assert header_count(page) is None and "Nothing unread." in page
    assert "Mark all read" not in page and "Mark read" not in page


def test_following_a_notification_marks_it_read_and_leads_to_its_page(client, auth, people):
    assessor = people[Role.ASSESSOR]
    tell(assessor, 2)
    first, second = db.session.scalars(select(Notification.id).order_by(Notification.id)).all()
    auth.sign_in(assessor)
    page = client.get("/notifications").get_data(as_text=True)
    assert f'href="/notifications/{second}">Mark it<' in page
    response = client.get(f"/notifications/{second}")
    assert response.status_code == 302 and response.location == "/evidence/1/mark"
    assert db.session.get(Notification, second).read_at is not None
    assert db.session.get(Notification, first).read_at is None
    assert header_count(client.get("/notifications").get_data(as_text=True)) == "1"
    # Following it again still leads there.
    assert client.get(f"/notifications/{second}").location == "/evidence/1/mark"
    # Another person's is not found, and stays unread.
    auth.sign_out()
    for other in (people["assessor2"], people["other_admin"]):
        auth.sign_in(other)
        assert client.get(f"/notifications/{first}").status_code == 404
        auth.sign_out()
    assert db.session.get(Notification, first).read_at is None


def test_no_one_can_mark_another_persons_notification(client, auth, people):
    tell(people[Role.ASSESSOR])
    mine = db.session.scalar(select(Notification.id))
    for other in (people["assessor2"], people["other_admin"]):
        auth.sign_in(other)
        assert client.post(f"/notifications/{mine}/read").status_code == 404
        assert client.post("/notifications/read").status_code == 302
        assert "You have no notifications yet" in client.get("/notifications").get_data(
            as_text=True
        )
        auth.sign_out()
    assert db.session.get(Notification, mine).read_at is None


def test_signed_out_people_are_sent_to_sign_in(client, people):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read").status_code == 302


def test_the_list_comes_a_page_at_a_time_newest_first(client, auth, people):
    assessor = people[Role.ASSESSOR]
    for n in range(55):
        notify(assessor.provider_id, [assessor.id], "evidence_submitted", item=1, title=f"Log {n}",
               learner="A")  # fmt: skip
    auth.sign_in(assessor)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Log 54" in first and "Log 5&#39;" in first and "Log 4&#39;" not in first
    assert "Page 1 of 2" in first and header_count(first) == "55"
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Log 4&#39;" in second and "Log 0&#39;" in second and "Log 54" not in second


def test_the_header_count_stops_at_99(client, auth, people):
    tell(people[Role.ASSESSOR], 101)
    assert unread_count(people[Role.ASSESSOR].id) == 100
    auth.sign_in(people[Role.ASSESSOR])
    page = client.get("/notifications").get_data(as_text=True)
    assert header_count(page) == "99+" and "More than 99 unread." in page


def test_the_header_count_is_one_statement_however_many_are_unread(client, auth, people):
    assessor = people[Role.ASSESSOR]
    auth.sign_in(assessor)
    client.get("/")

    def home():
        with counting(db.engine) as statements:
            assert client.get("/").status_code == 200
        return statements

    none = home()
    tell(assessor, 30)
    many = home()
    assert len(none) == len(many)
    counts = [s for s in many if "FROM notification" in s]
    assert len(counts) == 1 and "read_at IS NULL" in counts[0]


def test_the_empty_list_says_what_comes_here(client, auth, people):
    auth.sign_in(people[Role.LEARNER])
    page = client.get("/notifications").get_data(as_text=True)
    assert "You have no notifications yet" in page and "Nothing unread." in page


@pytest.mark.parametrize(
    ("role", "default"),
    [
        (Role.LEARNER, EmailChoice.IMMEDIATELY),
        (Role.ASSESSOR, EmailChoice.DAILY),
        (Role.IQA, EmailChoice.DAILY),
        (Role.ADMIN, EmailChoice.IMMEDIATELY),
    ],
)
def test_each_role_has_a_default_email_choice(app, people, role, default):
    assert choice_of(people[role]) is default


def test_a_person_chooses_their_email_and_the_change_is_audited(client, auth, people):
    learner = people[Role.LEARNER]
    auth.sign_in(learner)
    form = client.get("/account/notifications").get_data(as_text=True)
    assert checked(form) == "immediately"
    response = client.post("/account/notifications", data={"email": "daily"})
    assert response.status_code == 302
    assert db.session.get(NotificationSetting, learner.id).email is EmailChoice.DAILY
    assert checked(client.get("/account/notifications").get_data(as_text=True)) == "daily"
    client.post("/account/notifications", data={"email": "off"})
    assert choice_of(learner) is EmailChoice.OFF
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "notifications.email_chosen")
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.after["email"] for e in events] == ["daily", "off"]


def test_a_choice_that_is_not_offered_is_refused_with_a_message(client, auth, people):
    auth.sign_in(people[Role.LEARNER])
    response = client.post("/account/notifications", data={"email": "hourly"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = client.post("/account/notifications", data={})
    assert response.status_code == 400
    assert "Choose how to be emailed" in response.get_data(as_text=True)
    assert db.session.get(NotificationSetting, people[Role.LEARNER].id) is None
