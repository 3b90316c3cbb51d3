"""Small factories for test data; each flushes and returns what it made."""

import itertools
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from portfolio.accounts.models import Provider, Role, User
from portfolio.accounts.people import create_person
from portfolio.assessment import marking
from portfolio.assessment.models import Outcome
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.enrolments.operations import enrol_learner
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.units.models import AwardingBody, Criterion, Unit
from tests.evidence.helpers import STAR

PASSWORD = "a-fine-test-password-9"
# What a STAR account holds, as the domain functions take it.
STAR_CONTENT = {k: STAR[k] for k in ("situation", "task", "action", "result", "reflection")}
# The smallest file a PDF reader opens.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_numbers = itertools.count(1)


def make_provider(name: str | None = None, *, two_factor_roles: Iterable[Role] = ()) -> Provider:
    """A provider that requires two-factor authentication of no role unless told which (a new
    provider requires it of admins)."""
    provider = Provider(
        name=name or f"Provider {next(_numbers)}",
        two_factor_roles=",".join(role.value for role in two_factor_roles),
    )
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


def criteria_of(enrolment: Enrolment) -> list[Criterion]:
    """The criteria of the enrolment's unit, in the unit's order."""
    return db.session.scalars(
        select(Criterion)
        .where(Criterion.criteria_set_id == enrolment.criteria_set_id)
        .order_by(Criterion.position)
    ).all()


def submitted(learner: User, enrolment: Enrolment, title: str = "Waiting") -> EvidenceItem:
    """A STAR account of the learner claiming the unit's first criterion, submitted."""
    item = operations.start_item(learner, enrolment, EvidenceKind.STAR_ACCOUNT, title, STAR_CONTENT)
    operations.set_claims(learner, item, {criteria_of(enrolment)[0].id: ""})
    operations.submit_item(learner, item)
    return item


def accepted(
    learner: User, assessor: User, enrolment: Enrolment, numbers: list[str], title: str = "Account"
) -> EvidenceItem:
    """A STAR account of the learner, accepted with the criteria ``numbers`` met."""
    criteria = {c.number: c.id for c in criteria_of(enrolment)}
    item = operations.start_item(learner, enrolment, EvidenceKind.STAR_ACCOUNT, title, STAR_CONTENT)
    operations.set_claims(learner, item, {criteria[n]: "" for n in numbers})
    operations.submit_item(learner, item)
    marking.record_decision(assessor, item, judgements=[marking.Judgement(criteria[n], True) for n in numbers],
                            outcome=Outcome.ACCEPTED, feedback="", lock_version=None)  # fmt: skip
    return item
