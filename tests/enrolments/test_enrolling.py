"""Cohorts and enrolments through the admin's pages."""

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.enrolments.operations import create_cohort
from portfolio.errors import DomainError
from tests.factories import unit_by_code


def enrolment_count() -> int:
    return db.session.scalar(select(func.count(Enrolment.id)))


def form(people, **overrides):
    unit = unit_by_code("BIIAB")
    data = {
        "learner_id": str(people[Role.LEARNER].id),
        "unit": f"{unit.qualifications[0].id}:{unit.id}",
        "cohort_id": "",
        "assessor_id": str(people[Role.ASSESSOR].id),
        "iqa_id": str(people[Role.IQA].id),
        "starts_on": "2026-09-07",
        "planned_end_on": "2027-09-03",
    }
    return {**data, **overrides}


def test_admin_creates_a_cohort_and_enrols_a_learner_into_it(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    cohort = {"name": "Apprentices Sept 2026", "starts_on": "2026-09-07", "ends_on": "2027-09-03"}
    response = client.post("/cohorts", data=cohort)
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Apprentices Sept 2026"))
    response = client.post("/enrolments/new", data=form(people, cohort_id=str(cohort.id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == cohort.id))
    assert enrolment.learner_id == people[Role.LEARNER].id
    assert enrolment.assessor_id == people[Role.ASSESSOR].id
    assert enrolment.iqa_id == people[Role.IQA].id
    assert enrolment.criteria_set_id == unit_by_code("BIIAB").current.id
    # The assessor now has the learner in their caseload.
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    assert people[Role.LEARNER].name in client.get("/").get_data(as_text=True)


def test_bad_enrolments_are_refused_with_a_message_and_save_nothing(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    assert client.post("/enrolments/new", data=form(people)).status_code == 302
    before = enrolment_count()
    cases = [
        (form(people), "is already enrolled on this unit"),
        (form(people, learner_id=str(people["learner2"].id), planned_end_on="2026-01-01"),
         "The planned end must be on or after the start date."),
        (form(people, learner_id=str(people["learner2"].id), starts_on="2026-13-45"),
         "Enter a real date, such as 2026-11-04"),
        (form(people, learner_id=str(people["other_learner"].id)), "Not a valid choice"),
        (form(people, learner_id=str(people["learner2"].id), assessor_id=str(people[Role.IQA].id)),
         "Not a valid choice"),
        (form(people, learner_id=str(people["learner2"].id), unit="999:999"), "Not a valid choice"),
        (form(people, learner_id=""), "Choose a learner."),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post("/enrolments/new", data=data)
        assert response.status_code == 400, (data, response.status_code)
        assert message in response.get_data(as_text=True), message
    assert enrolment_count() == before


def test_duplicate_cohort_name_is_refused(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    client.post("/cohorts", data={"name": "Evening group"})
    response = client.post("/cohorts", data={"name": "Evening group"})
    assert response.status_code == 400
    assert "A cohort called &#39;Evening group&#39; already exists." in response.get_data(
        as_text=True
    )
    # Differing only in capitals, it is the same cohort, named as it is.
    response = client.post("/cohorts", data={"name": "evening GROUP"})
    assert response.status_code == 400
    assert "A cohort called &#39;Evening group&#39; already exists." in response.get_data(
        as_text=True
    )


def test_cohort_ending_before_it_starts_is_refused(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    response = client.post(
        "/cohorts", data={"name": "Backwards", "starts_on": "2027-01-01", "ends_on": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.get_data(as_text=True)


def test_admin_reassigns_a_learners_assessor(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    client.post("/enrolments/new", data=form(people))
    enrolment = db.session.scalar(select(Enrolment))
    response = client.post(
        f"/enrolments/{enrolment.id}/edit",
        data={"cohort_id": "", "assessor_id": str(people["assessor2"].id),
              "iqa_id": str(people[Role.IQA].id), "starts_on": "2026-09-07",
              "planned_end_on": "2027-09-03"},
    )  # fmt: skip
    assert response.status_code == 302
    assert db.session.get(Enrolment, enrolment.id).assessor_id == people["assessor2"].id


def test_admin_home_lists_next_steps_when_the_provider_is_empty(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/").get_data(as_text=True)
    assert "Next steps" in html
    assert "Create a cohort" in html
    assert "Enrol learners on a unit" in html


def test_empty_states_say_what_to_do_next(client, auth, people):
    expectations = {
        Role.LEARNER: "You are not enrolled on a unit yet",
        Role.ASSESSOR: "No learners are assigned to you yet",
        Role.IQA: "No learners are assigned to you for quality assurance yet",
    }
    for role, message in expectations.items():
        auth.sign_in(people[role])
        assert message in client.get("/").get_data(as_text=True)
        auth.sign_out()


def test_with_many_learners_the_learner_is_found_by_name_or_email(
    client, auth, people, provider, monkeypatch
):
    from portfolio.enrolments import forms
    from tests.factories import make_user

    monkeypatch.setattr(forms, "ALL_LEARNERS_UP_TO", 3)
    for i in range(6):
        make_user(provider, Role.LEARNER, name=f"Priya Shah {i}", email=f"priya{i}@example.org")
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    page = client.get("/enrolments/new").get_data(as_text=True)
    assert "find the one to enrol by name or email" in page
    assert "Priya Shah" not in page  # no learner is listed before a search
    found = client.get("/enrolments/new", query_string={"q": "PRIYA3@"}).get_data(as_text=True)
    assert "1 learner found" in found and "Priya Shah 3 (priya3@example.org)" in found
    assert "Priya Shah 4" not in found
    none = client.get("/enrolments/new", query_string={"q": "nobody"}).get_data(as_text=True)
    assert "No learner's name or email contains “nobody”" in none
    # From the People page's "Enrol" link the learner comes chosen, without a search.
    chosen = client.get("/enrolments/new", query_string={"learner": people["learner2"].id})
    assert f'<option selected value="{people["learner2"].id}">' in chosen.get_data(as_text=True)
    # The learner posted is checked against the provider's learners, search or not.
    learner = db.session.scalar(select(User).where(User.email == "priya5@example.org"))
    assert client.post("/enrolments/new", data=form(people, learner_id=str(learner.id))).status_code == 302
    refused = client.post("/enrolments/new", data=form(people, learner_id=str(people["other_learner"].id)))
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)


def test_a_cohort_name_over_its_limit_is_refused_by_the_page_and_the_domain(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    assert 'maxlength="200"' in client.get("/cohorts").get_data(as_text=True)
    response = client.post("/cohorts", data={"name": "C" * 201})
    assert response.status_code == 400
    assert "Cohort name can be at most 200 characters; this has 201." in response.get_data(
        as_text=True
    )
    with pytest.raises(DomainError, match="Cohort name can be at most 200 characters"):
        create_cohort(people[Role.ADMIN], "C" * 201, None, None)
    assert db.session.scalar(select(func.count(Cohort.id))) == 0


def test_a_cohort_is_renamed_given_dates_and_removed_once_empty(client, auth, people):
    from tests.factories import make_enrolment

    admin = people[Role.ADMIN]
    auth.sign_in(admin)
    client.post("/cohorts", data={"name": "Imported 2027"})  # as the MIS import makes them
    client.post("/cohorts", data={"name": "Evening group"})
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Imported 2027"))
    assert f'href="/cohorts/{cohort.id}">Edit' in client.get("/cohorts").get_data(as_text=True)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert 'value="Imported 2027"' in page and "can be removed" in page

    taken = client.post(f"/cohorts/{cohort.id}", data={"name": "evening group"})
    assert taken.status_code == 400
    assert "A cohort called &#39;Evening group&#39; already exists." in taken.get_data(as_text=True)
    backwards = client.post(f"/cohorts/{cohort.id}", data={
        "name": "Contact centre, January 2027", "starts_on": "2027-01-11", "ends_on": "2026-01-11"})  # fmt: skip
    assert backwards.status_code == 400
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).name == "Imported 2027"
    saved = client.post(f"/cohorts/{cohort.id}", data={
        "name": "Contact centre, January 2027", "starts_on": "2027-01-11", "ends_on": "2028-01-10"})  # fmt: skip
    assert saved.status_code == 302
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    assert (cohort.name, cohort.starts_on.isoformat(), cohort.ends_on.isoformat()) == (
        "Contact centre, January 2027", "2027-01-11", "2028-01-10")

    # Not while an enrolment is in it; then, once empty, it goes.
    enrolment = make_enrolment(people[Role.LEARNER], cohort=cohort)
    db.session.commit()
    refused = client.post(f"/cohorts/{cohort.id}/remove")
    assert refused.status_code == 302 and refused.location == f"/cohorts/{cohort.id}"
    page = client.get(refused.location).get_data(as_text=True)
    assert "has 1 enrolment: move them to another cohort first" in page
    assert db.session.get(Cohort, cohort.id) is not None
    enrolment.cohort_id = None
    db.session.commit()
    cohort_id = cohort.id
    assert client.post(f"/cohorts/{cohort_id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(Cohort, cohort_id) is None

    # Another provider's cohort is not found; other roles are refused.
    other = create_cohort(people["other_admin"], "Theirs", None, None)
    db.session.commit()
    assert client.get(f"/cohorts/{other.id}").status_code == 404
    assert client.post(f"/cohorts/{other.id}/remove").status_code == 404
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    assert client.get(f"/cohorts/{other.id}").status_code == 403
