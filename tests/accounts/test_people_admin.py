"""A provider admin creates and changes accounts; bad input is refused whole."""

from datetime import date, timedelta

from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.db import db
from tests.factories import PASSWORD


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def new_person(**overrides):
    data = {"name": "Ngozi Eze", "email": "ngozi@example.org", "role": "learner",
            "access_expires_on": ""}  # fmt: skip
    return {**data, **overrides}


def test_admin_creates_a_learner_who_has_no_password_until_they_accept(app, client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    # A password sent with the form is not read: no admin sets a person's password.
    response = client.post("/people/new", data=new_person(password="fresh-orange-kettle"))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ngozi@example.org"))
    assert user.provider_id == people[Role.ADMIN].provider_id
    assert user.role is Role.LEARNER
    assert user.password_hash is None
    auth.sign_out()
    fresh = app.test_client()
    refused = fresh.post(
        "/sign-in", data={"email": "Ngozi@Example.org", "password": "fresh-orange-kettle"}
    )
    assert refused.status_code == 401


def test_bad_person_input_says_what_and_where_and_saves_nothing(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    before = user_count()
    cases = [
        (new_person(email="not-an-email"), "Enter an email address like name@example.org."),
        (
            new_person(email=people[Role.LEARNER].email),
            "already has an account with this email address",
        ),
        (new_person(name=""), "Enter the person&#39;s name."),
        (new_person(role="eqa"), "An EQA&#39;s access needs an end date."),
        (new_person(role="superuser"), "Not a valid choice"),
        (new_person(role="eqa", access_expires_on="31/02/2027"),
         "Enter a real date, such as 2026-11-04"),
        # Not offered (line managers are added on their employer's page), and refused saying so.
        (new_person(role="employer"), "added on their employer&#39;s page"),
        # An EQA account whose access has already ended could never be used.
        (new_person(role="eqa", access_expires_on="2020-01-01"), "The end date must be today ("),
    ]
    assert 'value="employer"' not in client.get("/people/new").get_data(as_text=True)
    for data, message in cases:
        response = client.post("/people/new", data=data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), message
        assert "is not active" not in response.get_data(as_text=True)
        if data["access_expires_on"]:  # a date given, if not a real one: not "needs a date"
            assert "needs an end date" not in response.get_data(as_text=True)
    assert user_count() == before


def test_eqa_account_gets_an_end_date(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    ends = date.today() + timedelta(days=90)
    data = new_person(role="eqa", email="eqa.visitor@example.org", access_expires_on=ends.isoformat())
    assert client.post("/people/new", data=data).status_code == 302
    eqa = db.session.scalar(select(User).where(User.email == "eqa.visitor@example.org"))
    assert eqa.access_expires_on == ends


def test_admin_cannot_remove_their_own_admin_role(client, auth, people):
    admin = people[Role.ADMIN]
    auth.sign_in(admin)
    response = client.post(
        f"/people/{admin.id}", data={"name": admin.name, "role": "learner", "active": "y"}
    )
    assert response.status_code == 400
    assert "You cannot remove your own admin role" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).role is Role.ADMIN
    # Unticking "active" on their own account: the message is beside that box.
    response = client.post(f"/people/{admin.id}", data={"name": admin.name, "role": "admin"})
    assert response.status_code == 400
    assert 'href="#active"' in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).active


def test_an_assessor_or_iqa_named_on_enrolments_keeps_the_role_until_replaced(
    client, auth, people
):
    from tests.factories import make_enrolment

    learner, assessor, iqa = people[Role.LEARNER], people[Role.ASSESSOR], people[Role.IQA]
    enrolment = make_enrolment(learner, assessor=assessor, iqa=iqa)
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    for who, data, field in (
        (assessor, {"name": assessor.name, "role": "learner", "active": "y"}, "role"),
        (assessor, {"name": assessor.name, "role": "assessor"}, "active"),  # deactivated
        (iqa, {"name": iqa.name, "role": "assessor", "active": "y"}, "role"),
    ):
        response = client.post(f"/people/{who.id}", data=data)
        assert response.status_code == 400, data
        html = response.get_data(as_text=True)
        assert f"({learner.name}): give it another" in html and f'href="#{field}"' in html
        db.session.expire_all()
        assert db.session.get(User, who.id).role is not Role.LEARNER
        assert db.session.get(User, who.id).active
    enrolment.assessor_id = None  # given someone else (or nobody) first
    db.session.commit()
    response = client.post(f"/people/{assessor.id}", data={"name": assessor.name, "role": "learner",
                                                           "active": "y"})  # fmt: skip
    assert response.status_code == 302


def test_an_enrolled_learner_or_a_named_line_manager_keeps_the_role(client, auth, people, provider):
    """An enrolled learner made an assessor could mark their own evidence, or as an EQA read
    every portfolio; a line manager made a learner leaves apprentices without one."""
    from tests.apprenticeships.helpers import make_apprentice
    from tests.factories import make_enrolment

    learner = people[Role.LEARNER]
    make_enrolment(learner, assessor=people[Role.ASSESSOR])
    apprentice = make_apprentice(provider)
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    ends = (date.today() + timedelta(days=30)).isoformat()
    for role in ("assessor", "iqa", "eqa", "admin"):
        data = {"name": learner.name, "role": role, "active": "y", "access_expires_on": ends}
        response = client.post(f"/people/{learner.id}", data=data)
        assert response.status_code == 400, role
        html = response.get_data(as_text=True).replace("&#39;", "'")
        assert f"{learner.name} is a learner enrolled on 1 unit (" in html and 'href="#role"' in html
        db.session.expire_all()
        assert db.session.get(User, learner.id).role is Role.LEARNER
    manager = apprentice.manager
    response = client.post(f"/people/{manager.id}", data={"name": manager.name, "role": "learner",
                                                           "active": "y"})  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"is the line manager of 1 apprentice ({apprentice.learner.name})" in html
    assert db.session.get(User, manager.id).role is Role.EMPLOYER
    # Nor deactivated: their apprentice's reviews would wait for a signature no one can give.
    response = client.post(f"/people/{manager.id}", data={"name": manager.name, "role": "employer"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"is the line manager of 1 apprentice ({apprentice.learner.name})" in html
    assert 'href="#active"' in html
    db.session.expire_all()
    assert db.session.get(User, manager.id).active
    # Nor is anyone made a line manager here, unlinked to an employer.
    assessor = people["assessor2"]
    response = client.post(f"/people/{assessor.id}", data={"name": assessor.name,
                                                            "role": "employer", "active": "y"})  # fmt: skip
    assert response.status_code == 400
    assert "added on their employer&#39;s page" in response.get_data(as_text=True)
    # A learner not enrolled on anything may become staff.
    newcomer = people["learner2"]
    response = client.post(f"/people/{newcomer.id}", data={"name": newcomer.name,
                                                            "role": "assessor", "active": "y"})  # fmt: skip
    assert response.status_code == 302


def test_a_learner_is_never_their_own_assessor_and_a_wrong_assignment_can_be_mended(
    client, auth, people
):
    from portfolio.enrolments.models import Enrolment
    from tests.factories import make_enrolment

    learner = people[Role.LEARNER]
    enrolment = make_enrolment(learner, assessor=people[Role.ASSESSOR])
    learner.role = Role.ASSESSOR  # as an account changed before the rule above
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    data = {"cohort_id": "", "starts_on": enrolment.starts_on.isoformat(),
            "planned_end_on": enrolment.planned_end_on.isoformat(), "iqa_id": ""}  # fmt: skip
    refused = client.post(f"/enrolments/{enrolment.id}/edit", data={**data, "assessor_id": str(learner.id)})
    assert refused.status_code == 400
    assert "A learner cannot assess or quality-assure their own work." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).assessor_id == people[Role.ASSESSOR].id
    other = people["assessor2"]
    mended = client.post(f"/enrolments/{enrolment.id}/edit", data={**data, "assessor_id": str(other.id)})
    assert mended.status_code == 302
    assert db.session.get(Enrolment, enrolment.id).assessor_id == other.id


def test_deactivating_an_account_signs_it_out(app, client, auth, people):
    learner = people[Role.LEARNER]
    device = app.test_client()
    device.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert device.get("/").status_code == 200
    auth.sign_in(people[Role.ADMIN])
    response = client.post(f"/people/{learner.id}", data={"name": learner.name, "role": "learner"})
    assert response.status_code == 302
    assert device.get("/").status_code == 302


def test_people_list_shows_only_this_provider(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/people").get_data(as_text=True)
    assert people[Role.LEARNER].email in html
    assert people["other_learner"].email not in html


def test_users_create_command_makes_a_first_admin(app, runner):
    result = runner.invoke(
        args=["users", "create", "--provider", "Riverside College", "--email",
              "head@riverside.example.org", "--name", "Sam Patel", "--password",
              "river-side-admin-7"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "head@riverside.example.org"))
    assert user.role is Role.ADMIN
    assert user.provider.name == "Riverside College"


def test_users_create_refuses_a_common_password(app, runner):
    before = user_count()
    result = runner.invoke(
        args=["users", "create", "--provider", "Riverside College", "--email",
              "head@riverside.example.org", "--name", "Sam Patel", "--password", "password1"],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "password: This password is one of the most commonly used" in result.output
    assert user_count() == before


def test_a_name_over_its_limit_is_refused_by_the_page(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    before = user_count()
    page = client.get("/people/new").get_data(as_text=True)
    assert 'maxlength="200"' in page and 'maxlength="254"' in page
    assert 'type="password"' not in page
    response = client.post("/people/new", data=new_person(name="N" * 201))
    assert response.status_code == 400
    assert "Full name can be at most 200 characters; this has 201." in response.get_data(
        as_text=True
    )
    assert user_count() == before


def test_names_over_their_limit_are_refused_by_the_shell(app, runner):
    cases = [
        (["--provider", "P" * 201, "--name", "Sam Patel"], "The provider's name can be at most 200"),
        (["--provider", "Riverside College", "--name", "S" * 201], "name: Full name can be at most"),
    ]  # fmt: skip
    for args, message in cases:
        result = runner.invoke(args=["users", "create", "--email", "head@riverside.example.org",
                                     "--password", "river-side-admin-7", *args])  # fmt: skip
        assert result.exit_code != 0 and message in result.output, result.output
    assert user_count() == 0


def test_addresses_mail_cannot_reach_and_empty_names_are_refused_by_the_shell(app, runner):
    from portfolio.accounts.models import Provider

    cases = [
        (["--email", "not-an-email"], "email: “not-an-email” is not an email address mail can "
                                      "be sent to: An email address must have an @-sign."),
        (["--email", "a@b@acme.example"], "is not an email address mail can be sent to"),
        (["--email", "jösé@example.org"], "Internationalized characters before the @-sign"),
        (["--email", "head@riverside.example.org", "--name", " "], "name: Enter the person's full name."),
        (["--email", "head@riverside.example.org", "--provider", " "], "Give the provider's name"),
    ]  # fmt: skip
    for args, message in cases:
        result = runner.invoke(args=["users", "create", "--provider", "Riverside College",
                                     "--name", "Sam Patel", "--password", "river-side-admin-7",
                                     *args])  # fmt: skip
        assert result.exit_code != 0 and message in result.output, result.output
    assert user_count() == 0
    assert db.session.scalars(select(Provider.name)).all() == []


def test_an_address_with_letters_outside_ascii_before_the_at_is_refused_by_the_page(
    client, auth, people
):
    auth.sign_in(people[Role.ADMIN])
    before = user_count()
    response = client.post("/people/new", data={"name": "José Silva", "email": "jösé@example.org",
                                                "role": "learner"})  # fmt: skip
    assert response.status_code == 400
    assert "Internationalized characters before the @-sign are not supported" in \
        response.get_data(as_text=True)
    assert user_count() == before
