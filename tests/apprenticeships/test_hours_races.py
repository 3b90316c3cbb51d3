"""Off-the-job hours sent twice at once (a double click on Save, two tabs), through real
concurrent requests on SQLite and PostgreSQL: the day's limit and the rule against overlapping
entries hold, as they do for entries sent one after the other."""

from datetime import date

import pytest
from sqlalchemy import func, select

from portfolio.apprenticeships.hours_models import OtjEntry
from portfolio.db import db
from tests.stories import cast, race, winner_and_loser

DAY = date(2026, 11, 10)  # after the enrolment's start, before today


def entries_on(app, enrolment_id: int) -> tuple[int, int]:
    """How many entries the day holds, and their minutes."""
    with app.app_context():
        row = db.session.execute(select(func.count(), func.coalesce(func.sum(OtjEntry.minutes), 0))
                                 .where(OtjEntry.enrolment_id == enrolment_id,
                                        OtjEntry.on_date == DAY)).one()  # fmt: skip
        return row[0], row[1]


TIMED = {"start": "10:00", "end": "11:00", "activity": "mentoring",
         "learned": "How the escalation rota works."}  # fmt: skip
LONG = {"minutes": "400", "activity": "online", "learned": "The new ticketing system's course."}


@pytest.mark.parametrize(
    ("form", "refusal", "kept"),
    [(TIMED, "These times overlap your entry of 10:00 to 11:00", 60),
     (LONG, "That makes 13 h 20 min on 10 Nov 2026", 400)],
    ids=["overlapping", "over-the-day's-limit"],
)  # fmt: skip
def test_an_entry_sent_twice_at_once_is_logged_once(own_database_app, form, refusal, kept):
    people = cast(own_database_app)
    url = f"/enrolments/{people.enrolment_id}/hours/new"
    form = {**form, "on": DAY.isoformat()}
    responses = race(own_database_app, people.learner, [(url, form), (url, form)])
    winner, loser = winner_and_loser(responses, conflict_statuses=(400,))
    assert refusal in responses[loser].get_data(as_text=True)
    assert entries_on(own_database_app, people.enrolment_id) == (1, kept)
