"""An employer (a line manager) sees their own apprentices and nothing else, read-only."""


from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.enrolments.permissions import visible_enrolment_ids
from tests import factories
from tests.apprenticeships.helpers import make_apprentice


def test_an_employer_sees_only_the_apprentices_that_name_them(two):
    mine, theirs, elsewhere = two
    seen = set(db.session.scalars(visible_enrolment_ids(mine.manager)))
    assert seen == {mine.enrolment.id}
    assert set(db.session.scalars(visible_enrolment_ids(theirs.manager))) == {theirs.enrolment.id}


def test_an_employer_named_on_no_apprenticeship_sees_nothing(app, provider):
    loose = factories.make_user(provider, Role.EMPLOYER)
    make_apprentice(provider)
    assert db.session.scalars(visible_enrolment_ids(loose)).all() == []


def test_employer_home_lists_their_apprentice_and_opens_their_pages(two, auth, client):
    mine, theirs, _elsewhere = two
    factories.submitted(mine.learner, mine.enrolment, title="Flood at the depot")
    auth.sign_in(mine.manager)
    home = client.get("/").get_data(as_text=True)
    assert "Your apprentices" in home
    assert mine.learner.name in home
    assert theirs.learner.name not in home
    page = client.get(f"/enrolments/{mine.enrolment.id}/apprenticeship")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Customer Service Practitioner (Level 2)" in text and "278" in text
    assert "Record a break" not in text  # the admin's form only
    portfolio = client.get(f"/enrolments/{mine.enrolment.id}/portfolio")
    assert portfolio.status_code == 200
    assert "Flood at the depot" in portfolio.get_data(as_text=True)


def test_another_employers_apprentice_and_another_providers_are_404(two, auth, client):
    mine, theirs, elsewhere = two
    item = factories.submitted(theirs.learner, theirs.enrolment)
    auth.sign_in(mine.manager)
    for enrolment in (theirs.enrolment, elsewhere.enrolment):
        assert client.get(f"/enrolments/{enrolment.id}/apprenticeship").status_code == 404
        assert client.get(f"/enrolments/{enrolment.id}/portfolio").status_code == 404
        assert client.get(f"/enrolments/{enrolment.id}").status_code == 404
    assert client.get(f"/evidence/{item.id}").status_code == 404


def test_an_employer_reads_evidence_but_cannot_change_it_or_judge_it(two, auth, client):
    mine, _theirs, _elsewhere = two
    item = factories.submitted(mine.learner, mine.enrolment)
    auth.sign_in(mine.manager)
    assert client.get(f"/evidence/{item.id}").status_code == 200
    # They write witness testimony of their own (test_employer_evidence.py): the learner's
    # evidence is not theirs to change.
    assert client.get(f"/evidence/{item.id}/edit").status_code == 404
    assert client.post(f"/evidence/{item.id}/submit").status_code == 404
    assert client.get(f"/evidence/{item.id}/mark").status_code == 403
    assert client.post(f"/evidence/{item.id}/claims", data={"criterion": "1"}).status_code == 403
    assert client.post(f"/enrolments/{mine.enrolment.id}/sign-off").status_code == 403
    assert client.get(f"/enrolments/{mine.enrolment.id}/evidence/new/star_account").status_code == 403
    # The admin's pages are not theirs either.
    assert client.get("/employers").status_code == 403
    assert client.post(f"/enrolments/{mine.enrolment.id}/breaks").status_code == 403
    assert client.post(f"/enrolments/{mine.enrolment.id}/apprenticeship").status_code == 403


def test_a_line_manager_who_is_deactivated_cannot_sign_in_to_see_them(two, auth, client):
    mine, _theirs, _elsewhere = two
    mine.manager.active = False
    db.session.flush()
    response = client.post(
        "/sign-in", data={"email": mine.manager.email, "password": factories.PASSWORD}
    )
    assert response.status_code != 302
    assert client.get(f"/enrolments/{mine.enrolment.id}/apprenticeship").status_code in (302, 401)


def test_employer_home_says_when_an_apprentice_is_on_a_break(two, auth, client):
    from datetime import date

    from portfolio.apprenticeships import operations

    mine, _theirs, _elsewhere = two
    operations.record_break(mine.admin, mine.enrolment, starts_on=mine.enrolment.starts_on,
                            ends_on=None, reason="Jury service", today=date.today())  # fmt: skip
    auth.sign_in(mine.manager)
    home = client.get("/").get_data(as_text=True)
    assert "Paused: break in learning from" in home and "Jury service" in home
    assert "278" in home and "Customer Service Practitioner (Level 2)" in home
