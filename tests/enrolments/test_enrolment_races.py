"""An admin's enrolment sent twice at once (a double click) makes one enrolment, and the
second copy is told so as if sent later: never a 500. Real concurrent requests, on SQLite and
PostgreSQL."""

from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from tests import factories
from tests.stories import race, winner_and_loser


def test_an_enrolment_sent_twice_at_once_is_made_once(own_database_app):
    with own_database_app.app_context():
        provider = factories.make_provider()
        admin = factories.make_user(provider, Role.ADMIN)
        learner = factories.make_user(provider, Role.LEARNER, name="Fatima Rahman")
        unit = factories.unit_by_code("BIIAB")
        form = {"learner_id": str(learner.id), "unit": f"{unit.qualifications[0].id}:{unit.id}",
                "cohort_id": "", "assessor_id": "", "iqa_id": "", "starts_on": "2026-09-07",
                "planned_end_on": "2027-09-03"}  # fmt: skip
        admin_email, learner_id = admin.email, learner.id
        db.session.commit()
    responses = race(own_database_app, admin_email, [("/enrolments/new", form)] * 2)
    winner, loser = winner_and_loser(responses, conflict_statuses=(400,))
    assert "Fatima Rahman is already enrolled on this unit." in responses[loser].get_data(as_text=True)
    with own_database_app.app_context():
        made = db.session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.learner_id == learner_id))  # fmt: skip
        assert made == 1
