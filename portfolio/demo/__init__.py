"""The demonstration provider: people in every role, learners enrolled, and units at every
stage of assessment (``flask demo``, in ``cli.py``)."""

from datetime import date, timedelta

import click
from sqlalchemy import func, select

from portfolio.accounts.models import Provider, Role
from portfolio.accounts.people import create_person
from portfolio.apprenticeships.hours_demo import add_demo_hours
from portfolio.apprenticeships.reviews_demo import add_demo_reviews
from portfolio.db import db
from portfolio.demo.apprenticeships import add_apprenticeships
from portfolio.demo.lifecycle import add_lifecycle
from portfolio.enrolments.operations import create_cohort, enrol_learner
from portfolio.units.models import AwardingBody, Unit

PROVIDER = "Northgate Training (demo)"
DOMAIN = "northgate.example.org"
PASSWORD = "incident-demo-2026"  # noqa: S105  (shown to everyone: demo accounts only)

PEOPLE = [
    ("admin", "Grace Adeyemi", Role.ADMIN),
    ("assessor", "Priya Sharma", Role.ASSESSOR),
    ("assessor2", "Tom Kowalski", Role.ASSESSOR),
    ("iqa", "Helen Murray", Role.IQA),
    ("eqa", "Daniel Brooks", Role.EQA),
    ("learner", "Aisha Khan", Role.LEARNER),
    ("learner2", "Callum MacLeod", Role.LEARNER),
    ("learner3", "Chloe Evans", Role.LEARNER),
    ("learner4", "Oluwaseun Bakare", Role.LEARNER),
    ("learner5", "Siobhan O'Neill", Role.LEARNER),
    ("learner6", "Wei Zhang", Role.LEARNER),
    ("learner7", "Jakub Nowak", Role.LEARNER),
    ("learner8", "Fatima Hussain", Role.LEARNER),
    ("employer", "Mark Ellison", Role.EMPLOYER),
]

COHORTS = [
    ("Contact centre apprentices, September 2026", date(2026, 9, 7), date(2027, 9, 3)),
    ("Customer service diploma, January 2027", date(2027, 1, 11), date(2027, 12, 17)),
]

# learner, awarding body, unit code, cohort index, assessor
ENROLMENTS = [
    ("learner", "PEARSON", "PEARSON-INCIDENTS", 0, "assessor"),
    ("learner2", "BIIAB", "BIIAB-INCIDENTS", 0, "assessor"),
    ("learner3", "CG", "CG-INCIDENTS", 0, "assessor"),
    ("learner4", "VTCT", "VTCT-INCIDENTS", 0, "assessor2"),
    ("learner5", "SFJ", "SFJ-INCIDENTS", 1, "assessor2"),
    ("learner6", "PEARSON", "PEARSON-INCIDENTS", 1, "assessor2"),
    ("learner7", "BIIAB", "BIIAB-INCIDENTS", 1, "assessor"),
]


def demo_email(handle: str) -> str:
    return f"{handle}@{DOMAIN}"


def build_demo(today: date | None = None) -> bool:
    """Create the demo provider; returns False, changing nothing, when it already exists."""
    today = today or date.today()
    if db.session.scalar(select(Provider.id).where(Provider.name == PROVIDER)) is not None:
        return False
    if db.session.scalar(select(func.count(Unit.id))) == 0:
        raise click.ClickException(
            "the criteria library is empty: run 'flask criteria import' first"
        )
    # Its admin's password is published to try the app with: no role needs a second factor.
    provider = Provider(name=PROVIDER, two_factor_roles="")
    db.session.add(provider)
    people = {}
    for handle, name, role in PEOPLE:
        people[handle] = create_person(
            provider,
            name=name,
            email=demo_email(handle),
            role=role,
            password=PASSWORD,
            access_expires_on=today + timedelta(days=90) if role is Role.EQA else None,
        )
    people["assessor2"].new_assessor = True
    admin = people["admin"]
    cohorts = [create_cohort(admin, name, start, end) for name, start, end in COHORTS]
    enrolments = {}
    for handle, body_code, unit_code, cohort_index, assessor in ENROLMENTS:
        unit = db.session.scalar(
            select(Unit)
            .join(AwardingBody)
            .where(AwardingBody.code == body_code, Unit.code == unit_code)
        )
        if unit is None:
            raise click.ClickException(
                f"unit {unit_code} of {body_code} is not in the criteria library"
            )
        cohort = cohorts[cohort_index]
        enrolments[handle] = enrol_learner(
            admin,
            learner_id=people[handle].id,
            qualification_id=unit.qualifications[0].id,
            unit_id=unit.id,
            starts_on=cohort.starts_on,
            planned_end_on=cohort.ends_on,
            cohort_id=cohort.id,
            assessor_id=people[assessor].id,
            iqa_id=people["iqa"].id,
        )
    add_lifecycle(people, enrolments)
    add_apprenticeships(people, enrolments, today)
    add_demo_hours(today)
    add_demo_reviews(people, enrolments, today)
    return True


def sign_ins() -> list[tuple[str, str]]:
    """The first demo account of each role, as (role, email address)."""
    first: dict[Role, str] = {}
    for handle, _name, role in PEOPLE:
        first.setdefault(role, demo_email(handle))
    return [(role.label, email) for role, email in first.items()]
