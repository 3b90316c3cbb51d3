"""An admin's form sent twice at once (a double click) makes one enrolment, person or cohort,
and the second copy is told so: never a 500. Real concurrent requests, on SQLite and
PostgreSQL."""

from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
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


def admin_of_a_new_provider(app) -> tuple[str, int]:
    with app.app_context():
        provider = factories.make_provider()
        admin = factories.make_user(provider, Role.ADMIN)
        made = admin.email, provider.id
        db.session.commit()
    return made


def rows(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_person_or_a_cohort_added_twice_at_once_is_added_once(own_database_app):
    admin, provider_id = admin_of_a_new_provider(own_database_app)
    person = {"name": "Priya Sharma", "email": "priya.new@example.org", "role": "learner",
              "password": "correct horse battery staple 7"}  # fmt: skip
    responses = race(own_database_app, admin, [("/people/new", person)] * 2)
    winner, loser = winner_and_loser(responses, conflict_statuses=(400, 409))
    assert "Priya" in responses[loser].get_data(as_text=True) or "saved a moment ago" in (
        responses[loser].get_data(as_text=True))
    assert rows(own_database_app, User, User.email == person["email"]) == 1

    cohort = {"name": "Evening intake", "starts_on": "2026-09-07", "ends_on": "2027-07-16"}
    responses = race(own_database_app, admin, [("/cohorts", cohort)] * 2)
    winner_and_loser(responses, conflict_statuses=(400, 409))
    assert rows(own_database_app, Cohort, Cohort.provider_id == provider_id) == 1
