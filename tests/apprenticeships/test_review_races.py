"""Progress reviews against double clicks and out-of-date pages, through real concurrent
requests on SQLite and PostgreSQL: a review is started once, each party signs once (never a
500), and nobody signs a review changed since they opened it."""

from sqlalchemy import func, select

from portfolio.apprenticeships import reviews
from portfolio.apprenticeships.reviews_models import ProgressReview, ReviewSignature
from portfolio.db import db
from tests import factories
from tests.apprenticeships.helpers import make_apprentice
from tests.stories import race, signed_in, winner_and_loser


def apprentice(app):
    """An apprentice with a line manager, committed: (learner's, manager's and assessor's
    emails, enrolment id)."""
    with app.app_context():
        made = make_apprentice(factories.make_provider())
        db.session.commit()
        return made.learner.email, made.manager.email, made.assessor.email, made.enrolment.id


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def test_the_next_review_started_twice_at_once_is_started_once(own_database_app):
    _learner, _manager, assessor, enrolment_id = apprentice(own_database_app)
    url = f"/enrolments/{enrolment_id}/reviews"
    responses = race(own_database_app, assessor, [(url, {}), (url, {})])
    # Each goes back to the list of reviews, which tells the second that one is under way.
    assert [r.status_code for r in responses] == [302, 302]
    assert count(own_database_app, ProgressReview, enrolment_id=enrolment_id) == 1


def started_and_signed_by_the_reviewer(app, assessor: str, enrolment_id: int) -> int:
    client = signed_in(app, assessor)
    assert client.post(f"/enrolments/{enrolment_id}/reviews").status_code == 302
    with app.app_context():
        review = db.session.scalar(select(ProgressReview).where(
            ProgressReview.enrolment_id == enrolment_id))  # fmt: skip
    response = client.post(f"/reviews/{review.id}/reviewer", data={
        "held_on": review.held_on.isoformat(), "notes": "We agreed a plan for the next month.",
        "sign": "1"})  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    return review.id


def read_hash(app, review_id: int) -> str:
    with app.app_context():
        return reviews.read_hash(db.session.get(ProgressReview, review_id))


def test_a_signature_sent_twice_at_once_is_made_once_without_an_error(own_database_app):
    learner, manager, assessor, enrolment_id = apprentice(own_database_app)
    review_id = started_and_signed_by_the_reviewer(own_database_app, assessor, enrolment_id)
    for who in (learner, manager):
        form = {"comments": "Agreed.", "sign": "1", "read": read_hash(own_database_app, review_id)}
        url = f"/reviews/{review_id}/comments"
        responses = race(own_database_app, who, [(url, form), (url, form)])
        winner, loser = winner_and_loser(responses)
        assert "already signed" in responses[loser].get_data(as_text=True)
    assert count(own_database_app, ReviewSignature, review_id=review_id) == 3
    with own_database_app.app_context():
        assert db.session.get(ProgressReview, review_id).signed_at is not None


def test_a_review_changed_after_the_page_was_opened_is_not_signed_from_it(own_database_app):
    learner, _manager, assessor, enrolment_id = apprentice(own_database_app)
    review_id = started_and_signed_by_the_reviewer(own_database_app, assessor, enrolment_id)
    apprentice_client = signed_in(own_database_app, learner)
    page = apprentice_client.get(f"/reviews/{review_id}").get_data(as_text=True)
    opened = read_hash(own_database_app, review_id)
    assert f'value="{opened}"' in page  # the form carries the review as shown
    # The reviewer reopens the review and rewrites it meanwhile.
    reviewer = signed_in(own_database_app, assessor)
    assert reviewer.post(f"/reviews/{review_id}/reopen").status_code == 302
    with own_database_app.app_context():
        held_on = db.session.get(ProgressReview, review_id).held_on.isoformat()
    assert reviewer.post(f"/reviews/{review_id}/reviewer", data={
        "held_on": held_on, "notes": "The apprentice has withdrawn.", "sign": "1"}).status_code == 302  # fmt: skip

    sent = apprentice_client.post(f"/reviews/{review_id}/comments", data={
        "comments": "I agree with the plan for my return.", "sign": "1", "read": opened})  # fmt: skip
    assert sent.status_code == 409
    page = sent.get_data(as_text=True)
    assert "The review changed after you opened it, so it was not signed" in page
    assert "The apprentice has withdrawn." in page  # shown as it is now
    assert "I agree with the plan for my return." in page  # what they typed is kept
    assert f'value="{read_hash(own_database_app, review_id)}"' in page  # to sign as now read
    assert count(own_database_app, ReviewSignature, review_id=review_id) == 1  # the reviewer's
