"""The admin adds employers and their line managers, and makes an enrolment an
apprenticeship naming them; each step is audited."""

import re

import pytest
from sqlalchemy import select

from portfolio import listing
from portfolio.accounts.models import Role, User
from portfolio.apprenticeships import operations
from portfolio.apprenticeships.models import Apprenticeship, Employer
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments.permissions import visible_enrolment_ids
from tests import factories


@pytest.fixture
def setting_up(app, provider):
    admin = factories.make_user(provider, Role.ADMIN)
    learner = factories.make_user(provider, Role.LEARNER)
    return admin, factories.make_enrolment(learner)


def actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_admin_adds_an_employer_a_line_manager_and_an_apprenticeship(setting_up, auth, client):
    admin, enrolment = setting_up
    auth.sign_in(admin)
    assert "No employers yet" in client.get("/employers").get_data(as_text=True)
    response = client.post("/employers", data={"name": "Harbour Energy Ltd",
                                               "contact_name": "Sam Okafor"})  # fmt: skip
    employer = db.session.scalar(select(Employer))
    assert response.status_code == 302 and employer.contact_name == "Sam Okafor"
    for name in ("Harbour Energy Ltd", "harbour energy LTD"):
        again = client.post("/employers", data={"name": name})
        assert again.status_code == 400
        assert "An employer called &#39;Harbour Energy Ltd&#39; already exists." in again.get_data(
            as_text=True)

    response = client.post(f"/employers/{employer.id}/line-managers", data={
        "manager-name": "Jo Line", "manager-email": "jo@harbour.example.org",
    })  # fmt: skip
    assert response.status_code == 302
    manager = db.session.scalar(select(User).where(User.email == "jo@harbour.example.org"))
    assert manager.role is Role.EMPLOYER and manager.employer_id == employer.id
    assert manager.password_hash is None  # invited to choose one

    page = client.get(f"/enrolments/{enrolment.id}/apprenticeship").get_data(as_text=True)
    assert "Make this an apprenticeship" in page and "Jo Line (Harbour Energy Ltd)" in page
    response = client.post(f"/enrolments/{enrolment.id}/apprenticeship", data={
        "programme": "Customer Service Practitioner (Level 2)", "employer_id": str(employer.id),
        "line_manager_id": str(manager.id), "planned_otj_hours": "278",
    })  # fmt: skip
    assert response.status_code == 302
    apprenticeship = db.session.scalar(select(Apprenticeship))
    assert apprenticeship.planned_otj_hours == 278 and apprenticeship.line_manager_id == manager.id
    assert set(db.session.scalars(visible_enrolment_ids(manager))) == {enrolment.id}
    assert {"employer.created", "account.created", "apprenticeship.set"} <= set(actions())

    trail = client.get(f"/audit/learners/{enrolment.learner_id}")
    if trail.status_code == 200:
        assert "set the apprenticeship" in trail.get_data(as_text=True)


def test_the_line_manager_must_work_for_the_employer_chosen(setting_up, auth, client):
    admin, enrolment = setting_up
    one = operations.create_employer(admin, name="One", contact_name=None, contact_email=None,
                                     contact_phone=None)  # fmt: skip
    two = operations.create_employer(admin, name="Two", contact_name=None, contact_email=None,
                                     contact_phone=None)  # fmt: skip
    manager = operations.add_line_manager(admin, two, name="Jo", email="jo@two.example.org")
    auth.sign_in(admin)
    response = client.post(f"/enrolments/{enrolment.id}/apprenticeship", data={
        "programme": "Programme", "employer_id": str(one.id),
        "line_manager_id": str(manager.id), "planned_otj_hours": "278",
    })  # fmt: skip
    assert response.status_code == 400
    assert "Choose a line manager at One" in response.get_data(as_text=True)
    assert db.session.scalar(select(Apprenticeship)) is None
    manager.active = False  # deactivated since the page was opened: the page says so
    db.session.commit()
    response = client.post(f"/enrolments/{enrolment.id}/apprenticeship", data={
        "programme": "Programme", "employer_id": str(two.id),
        "line_manager_id": str(manager.id), "planned_otj_hours": "278",
    })  # fmt: skip
    assert response.status_code == 400
    assert "Jo&#39;s account is deactivated: choose another line manager at Two" in \
        response.get_data(as_text=True)
    assert db.session.scalar(select(Apprenticeship)) is None
    for hours in ("-1", "many", "99999"):
        response = client.post(f"/enrolments/{enrolment.id}/apprenticeship", data={
            "programme": "Programme", "employer_id": str(two.id), "planned_otj_hours": hours,
        })  # fmt: skip
        assert response.status_code == 400, hours


def test_another_providers_employer_is_404_and_others_roles_403(setting_up, auth, client, people):
    admin, _enrolment = setting_up
    other_admin = people["other_admin"]
    theirs = operations.create_employer(other_admin, name="Theirs", contact_name=None,
                                        contact_email=None, contact_phone=None)  # fmt: skip
    auth.sign_in(admin)
    assert client.get(f"/employers/{theirs.id}").status_code == 404
    assert client.post(f"/employers/{theirs.id}/line-managers").status_code == 404
    auth.sign_out()
    for role in (Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.EQA, Role.EMPLOYER):
        auth.sign_in(people[role])
        assert client.get("/employers").status_code == 403, role
        auth.sign_out()


def test_an_employers_apprentices_come_by_name_a_page_at_a_time(
    setting_up, auth, client, provider, monkeypatch
):
    monkeypatch.setattr(listing, "PAGE_SIZE", 5)
    admin, _enrolment = setting_up
    employer = operations.create_employer(admin, name="Big Contact Centres", contact_name=None,
                                          contact_email=None, contact_phone=None)  # fmt: skip
    for n in reversed(range(7)):  # made in the reverse of their names' order
        learner = factories.make_user(provider, Role.LEARNER, name=f"Apprentice {n:02d}")
        db.session.add(Apprenticeship(enrolment_id=factories.make_enrolment(learner).id,
                                      programme="Programme", employer_id=employer.id,
                                      planned_otj_hours=278))  # fmt: skip
    db.session.commit()
    auth.sign_in(admin)

    def names(html: str) -> list[str]:
        return re.findall(r">(Apprentice \d\d)</a>", html)

    first = client.get(f"/employers/{employer.id}").get_data(as_text=True)
    assert "7 apprentices, by name. Showing 1 to 5." in first
    assert names(first) == [f"Apprentice {n:02d}" for n in range(5)]
    assert f'href="/employers/{employer.id}?page=2#apprentices-h" rel="next"' in first
    second = client.get(f"/employers/{employer.id}?page=2").get_data(as_text=True)
    assert names(second) == ["Apprentice 05", "Apprentice 06"]
    # A line manager refused: the page shown again links its pages to the employer's page.
    response = client.post(f"/employers/{employer.id}/line-managers",
                           data={"manager-name": "", "manager-email": "not an email"})  # fmt: skip
    assert response.status_code == 400
    assert f'href="/employers/{employer.id}?page=2#apprentices-h" rel="next"' in (
        response.get_data(as_text=True)
    )
