"""A form reads what a browser sends: text from the form's fields, a file only where the form
takes one. A JSON body, or a file sent under a text field's name, is refused as text that is
missing, with the field's own message, never a server error."""

import io

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.enrolments.models import Cohort
from portfolio.forms import AppForm


def cohort_count() -> int:
    return db.session.scalar(select(func.count(Cohort.id)))


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"name": 5, "starts_on": 20260901, "ends_on": None},
        {"name": {"a": 1}, "starts_on": ["2026-09-01"], "ends_on": True},
    ],
)
def test_a_json_body_is_not_read_as_the_form(client, auth, people, body):
    auth.sign_in(people[Role.ADMIN])
    before = cohort_count()
    response = client.post("/cohorts", json=body)
    assert response.status_code == 400
    assert "Enter a name for the cohort." in response.get_data(as_text=True)
    assert cohort_count() == before


def test_a_file_sent_as_a_text_field_is_refused_as_missing_text(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    before = cohort_count()
    response = client.post(
        "/cohorts",
        data={
            "name": (io.BytesIO(b"Evening intake"), "name.txt"),
            "starts_on": (io.BytesIO(b"2026-09-01"), "date.txt"),
            "ends_on": "2027-07-31",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Enter a name for the cohort." in response.get_data(as_text=True)
    assert cohort_count() == before


def test_signing_in_with_files_for_the_email_and_password_is_refused(client, people):
    response = client.post(
        "/sign-in",
        data={
            "email": (io.BytesIO(people[Role.LEARNER].email.encode()), "email.txt"),
            "password": (io.BytesIO(b"a-fine-test-password-9"), "password.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Enter your email address." in response.get_data(as_text=True)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_app_reads_only_what_a_browser_sends(app):
    from flask_wtf import FlaskForm

    forms = [f for f in _subclasses(FlaskForm) if f.__module__.startswith("portfolio.")]
    assert len(forms) > 10
    assert [f.__qualname__ for f in forms if not issubclass(f, AppForm)] == []


def test_a_nul_character_in_a_field_is_refused_naming_the_field(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    before = cohort_count()
    response = client.post("/cohorts", data={"name": "Evening\x00intake"})
    assert response.status_code == 400
    assert "The field “name” holds a NUL character" in response.get_data(as_text=True)
    assert cohort_count() == before


@pytest.mark.parametrize("url", ["/people?q=a%00b", "/enrolments?q=%00", "/audit/%00/1"])
def test_a_nul_character_in_an_address_is_refused(client, auth, people, url):
    auth.sign_in(people[Role.ADMIN])
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_signing_in_with_a_nul_character_is_refused(client, people):
    email = people[Role.LEARNER].email
    response = client.post("/sign-in", data={"email": email + "\x00", "password": "x"})
    assert response.status_code == 400
    assert "The field “email” holds a NUL character" in response.get_data(as_text=True)
