"""The assessor's marking queue: oldest first, fifty a page, counted in full."""

import re
from datetime import timedelta

import pytest

from portfolio.accounts.models import Role
from portfolio.db import db, utcnow
from tests.factories import make_enrolment, make_user, submitted

OVERDUE, RECENT = 7, 48  # items submitted 100 days ago and more, and items submitted today


@pytest.fixture
def long_queue(people, provider):
    """55 items waiting for the assessor: the first 7 long overdue, oldest first by number;
    and one waiting for another assessor."""
    learner = people[Role.LEARNER]
    enrolment = make_enrolment(learner, body="SFJ", assessor=people[Role.ASSESSOR])
    now = utcnow()
    for i in range(OVERDUE + RECENT):
        item = submitted(learner, enrolment, title=f"Item {i:02d}")
        item.submitted_at = now - timedelta(days=100 + OVERDUE - i) if i < OVERDUE else (
            now - timedelta(minutes=OVERDUE + RECENT - i)
        )
    other = make_user(provider, Role.LEARNER, name="Other Learner")
    submitted(other, make_enrolment(other, body="SFJ", assessor=people["assessor2"]),
              title="Not yours")  # fmt: skip
    db.session.commit()


def titles(html: str) -> list[str]:
    table = html[html.index('aria-label="Marking queue"') :]
    return re.findall(r'<a href="/evidence/\d+/mark">(.*?)</a>', table)


def test_the_queue_shows_fifty_items_a_page_oldest_first(client, auth, people, long_queue):
    auth.sign_in(people[Role.ASSESSOR])
    first = client.get("/queue").get_data(as_text=True)
    assert titles(first) == [f"Item {i:02d}" for i in range(50)]
    assert "55 items submitted by your learners, oldest first" in first
    assert f"<strong>{OVERDUE} over the target</strong>" in first
    assert "Showing 1 to 50." in first
    assert first.count("over target</span>") == OVERDUE
    assert 'rel="next"' in first and "Page 1 of 2" in first

    second = client.get("/queue?page=2").get_data(as_text=True)
    assert titles(second) == [f"Item {i:02d}" for i in range(50, 55)]
    assert "Showing 51 to 55." in second
    assert f"<strong>{OVERDUE} over the target</strong>" in second  # counted over every page
    assert "Not yours" not in first + second

    assert titles(client.get("/queue?page=9").get_data(as_text=True)) == titles(second)
    for bad in ("0", "-1", "x", "²"):
        response = client.get(f"/queue?page={bad}")
        assert response.status_code == 200
        assert titles(response.get_data(as_text=True)) == titles(first)


def test_a_short_queue_has_no_pages(client, auth, people):
    learner = people[Role.LEARNER]
    submitted(learner, make_enrolment(learner, body="SFJ", assessor=people[Role.ASSESSOR]),
              title="Only one")  # fmt: skip
    db.session.commit()
    auth.sign_in(people[Role.ASSESSOR])
    html = client.get("/queue").get_data(as_text=True)
    assert titles(html) == ["Only one"]
    assert "1 item submitted by your learners, oldest first." in html
    assert "over the target" not in html and "Showing" not in html and "Page 1 of" not in html
