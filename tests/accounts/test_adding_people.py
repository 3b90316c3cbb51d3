"""The admin adds a person: warned of someone of the same name or email at the provider, then
offered to enrol a new learner, with the enrolment's dates taken from the cohort."""

from datetime import date

from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.units.models import Unit
from tests import factories

NEW_PASSWORD = "correct horse battery staple 7"


def person(**changes):
    return {"name": "Priya Sharma", "email": "priya.new@example.org", "role": "learner",
            "password": NEW_PASSWORD, **changes}  # fmt: skip


def accounts() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_an_email_address_of_someone_at_the_provider_is_refused_naming_them(client, auth, people):
    existing = people[Role.LEARNER]
    auth.sign_in(people[Role.ADMIN])
    before = accounts()
    response = client.post("/people/new", data=person(email=existing.email.upper()))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"{existing.name}, learner, already has an account with this email address" in html
    assert f'href="/people/{existing.id}"' in html  # open their account instead
    assert f'href="/enrolments/new?learner={existing.id}"' in html  # or enrol them
    assert accounts() == before


def test_another_providers_email_address_is_refused_without_naming_anyone(client, auth, people):
    other = people["other_learner"]
    auth.sign_in(people[Role.ADMIN])
    response = client.post("/people/new", data=person(email=other.email))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This email address is already in use." in html
    assert other.name not in html and f"/people/{other.id}" not in html


def test_the_same_name_is_a_warning_the_admin_can_confirm_past(client, auth, people, provider):
    existing = factories.make_user(provider, Role.LEARNER, name="Priya Sharma")
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    before = accounts()
    response = client.post("/people/new", data=person(name="  priya sharma "))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Your provider already has someone called priya sharma." in html
    assert f'href="/people/{existing.id}"' in html and existing.email in html
    assert "They are a different person: add the account anyway" in html
    assert accounts() == before
    # Someone of the same name at another provider is no concern of this one.
    other = people["other_admin"]
    factories.make_user(other.provider, Role.LEARNER, name="Jo Bloggs")
    db.session.commit()
    response = client.post("/people/new", data=person(name="Jo Bloggs", email="jo@example.org"))
    assert response.status_code == 302
    confirmed = client.post(
        "/people/new", data=person(name="Priya Sharma", same_name_confirmed="y")
    )
    assert confirmed.status_code == 302
    assert accounts() == before + 3  # Jo Bloggs at each provider, and a second Priya Sharma


def test_a_new_learner_is_offered_enrolment_with_the_cohorts_dates(client, auth, people, provider):
    cohort = Cohort(provider_id=provider.id, name="September 2026", starts_on=date(2026, 9, 7),
                    ends_on=date(2027, 7, 16))  # fmt: skip
    db.session.add(cohort)
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    response = client.post("/people/new", data=person())
    learner = db.session.scalar(select(User).where(User.email == "priya.new@example.org"))
    assert response.headers["Location"] == f"/enrolments/new?learner={learner.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enrol them on a unit now" in page
    assert f'<option selected value="{learner.id}">' in page
    # Choosing the cohort (here through its link) fills the dates in from the cohort's.
    page = client.get(f"/enrolments/new?learner={learner.id}&cohort={cohort.id}").get_data(
        as_text=True
    )
    assert 'value="2026-09-07"' in page and 'value="2027-07-16"' in page
    assert 'data-starts-on="2026-09-07"' in page  # for the script, when chosen in the list
    # Dates left empty are the cohort's.
    unit = db.session.scalar(select(Unit).where(Unit.code.is_not(None)).limit(1))
    response = client.post("/enrolments/new", data={
        "learner_id": learner.id, "unit": f"{unit.qualifications[0].id}:{unit.id}",
        "cohort_id": cohort.id, "starts_on": "", "planned_end_on": "",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    assert (enrolment.starts_on, enrolment.planned_end_on) == (cohort.starts_on, cohort.ends_on)
    # Without a cohort, the dates must be given.
    second = factories.make_user(provider, Role.LEARNER)
    db.session.commit()
    response = client.post("/enrolments/new", data={
        "learner_id": second.id, "unit": f"{unit.qualifications[0].id}:{unit.id}",
        "starts_on": "", "planned_end_on": "2027-01-01",
    })  # fmt: skip
    assert response.status_code == 400
    assert "Enter the start date, a real day such as 2026-11-04, or choose a cohort that has one." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Enrolment).where(Enrolment.learner_id == second.id)) is None


def test_enrolling_without_an_assessor_shows_on_the_admins_home(client, auth, people, provider):
    auth.sign_in(people[Role.ADMIN])
    learner = people[Role.LEARNER]
    unit = db.session.scalar(select(Unit).limit(1))
    response = client.post("/enrolments/new", data={
        "learner_id": learner.id, "unit": f"{unit.qualifications[0].id}:{unit.id}",
        "starts_on": "2026-09-01", "planned_end_on": "2027-08-31", "iqa_id": people[Role.IQA].id,
    })  # fmt: skip
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    html = client.get("/").get_data(as_text=True)
    assert "Learners without an assessor (1)" in html
    assert (
        f'<a href="/enrolments/{enrolment.id}/edit">Assign an assessor to {learner.name}</a>'
        in html
    )


def test_a_name_on_more_than_one_line_is_refused(client, auth, people):
    """A name goes into email headers and file names: a line break in it is refused."""
    auth.sign_in(people[Role.ADMIN])
    before = accounts()
    response = client.post("/people/new", data=person(name="Priya\r\nBcc: everyone@example.org"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Full name must be one line of text" in html and 'href="#name"' in html
    assert accounts() == before
