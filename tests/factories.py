"""Small factories for test data; each flushes and returns what it made."""

import itertools
from datetime import date

from sqlalchemy import select

from portfolio.accounts.models import Provider, Role, User
from portfolio.accounts.people import create_person
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.enrolments.operations import enrol_learner
from portfolio.units.models import AwardingBody, Unit

PASSWORD = "a-fine-test-password-9"
_numbers = itertools.count(1)


def make_provider(name: str | None = None) -> Provider:
    provider = Provider(name=name or f"Provider {next(_numbers)}")
    db.session.add(provider)
    db.session.flush()
    return provider


def make_user(provider: Provider, role: Role = Role.LEARNER, **fields) -> User:
    n = next(_numbers)
    fields.setdefault("name", f"{role.value.title()} {n}")
    fields.setdefault("email", f"{role.value}{n}@example.org")
    fields.setdefault("password", PASSWORD)
    if role is Role.EQA:
        fields.setdefault("access_expires_on", date(2099, 12, 31))
    return create_person(provider, role=role, **fields)


def unit_by_code(body_code: str) -> Unit:
    return db.session.scalar(select(Unit).join(AwardingBody).where(AwardingBody.code == body_code))


def make_enrolment(
    learner: User,
    *,
    body: str = "PEARSON",
    assessor: User | None = None,
    iqa: User | None = None,
    cohort: Cohort | None = None,
) -> Enrolment:
    admin = db.session.scalar(
        select(User).where(User.provider_id == learner.provider_id, User.role == Role.ADMIN)
    ) or make_user(learner.provider, Role.ADMIN)
    unit = unit_by_code(body)
    return enrol_learner(
        admin,
        learner_id=learner.id,
        qualification_id=unit.qualifications[0].id,
        unit_id=unit.id,
        starts_on=date(2026, 9, 1),
        planned_end_on=date(2027, 8, 31),
        cohort_id=cohort.id if cohort else None,
        assessor_id=assessor.id if assessor else None,
        iqa_id=iqa.id if iqa else None,
    )
