"""The API's writes: a learner and their enrolments created or changed by MIS id, matched,
checked and applied as the MIS import does (portfolio.enrolments.onboarding), and cohorts.

Each write is recorded in the audit trail with the admin who made the token as its actor and
a summary naming the token. A PUT that changes nothing records nothing.
"""

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portfolio.accounts.models import Role, User
from portfolio.api.models import ApiToken
from portfolio.api.problems import Problem, field_error, invalid
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.enrolments import onboarding, operations
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.enrolments.onboarding import Outcome, RowPlan
from portfolio.enrolments.onboarding_file import check_values
from portfolio.errors import DomainError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Fields of a request body and the import's column each is checked as.
PERSON_FIELDS = {"name": "name", "email": "email", "uln": "uln"}
ENROLMENT_FIELDS = {
    "starts_on": "start", "planned_end_on": "planned_end", "qualification_code": "qualification_code",
    "cohort": "cohort", "assessor_email": "assessor_email", "iqa_email": "iqa_email",
}  # fmt: skip


def source(token: ApiToken) -> str:
    return f"the API (token “{token.name}”)"


def _actor(token: ApiToken) -> User:
    if token.created_by is None:
        raise Problem(403, "This token has no admin answerable for its changes: make a new one.")
    return token.created_by


def _strings(body: dict, fields: dict[str, str], required: tuple[str, ...]) -> dict[str, str]:
    """The body's values as the import's columns, each a string (null or absent: empty),
    checked one by one as a file's cells are; a 422 naming every field that is wrong."""
    errors = [field_error(name, f"“{name}” is not a field here; the fields are "
                                f"{', '.join(fields)}.") for name in body if name not in fields]  # fmt: skip
    values = {}
    for name, column in fields.items():
        value = body.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.append(field_error(name, f"{name} must be a string."))
            continue
        if "\x00" in value:
            errors.append(field_error(name, f"{name} holds a NUL character, which is not text."))
            continue
        value = value.strip()
        if not value and name in required:
            errors.append(field_error(name, f"{name} is required."))
            continue
        if value and column in ("start", "planned_end") and not ISO_DATE.fullmatch(value):
            errors.append(field_error(name, f"{name} must be a date written as 2026-09-07."))
            continue
        problems = check_values({column: value}).problems
        errors += [field_error(name, problem) for problem in problems]
        values[column] = value
    if errors:
        raise invalid(errors)
    return values


# The import's columns that a request names otherwise.
API_NAMES = {column: name for name, column in {**PERSON_FIELDS, **ENROLMENT_FIELDS}.items()}


def _refused(item: RowPlan) -> Problem:
    """The row's refusal, each reason with the field (or the address's part) it is about."""
    errors = [field_error(API_NAMES.get(column, column), reason)
              for reason, column in zip(item.reasons, item.fields, strict=True)]  # fmt: skip
    return Problem(422, " ".join(item.reasons), errors=errors)


def _apply(apply) -> None:
    """Run a planned change in a savepoint: all of it or none."""
    try:
        with db.session.begin_nested():
            apply()
    except IntegrityError:
        raise Problem(
            409, "Another change to the same learner came first. Read it, then send yours again."
        ) from None
    except DomainError as error:
        raise invalid([field_error(error.field, error.message)]) from None


def put_person(token: ApiToken, mis_id: str, body: dict) -> tuple[User, bool]:
    """Create the learner with this MIS id, or bring their name, email and ULN up to date;
    returns the learner and whether they were created."""
    values = _strings(body, PERSON_FIELDS, required=("name", "email"))
    if problems := check_values({"mis_id": mis_id}).problems:
        raise invalid([field_error("mis_id", p) for p in problems])
    item = onboarding.plan_learner(token.provider_id, check_values({"mis_id": mis_id, **values}))
    if item.outcome is Outcome.REFUSED:
        raise _refused(item)
    if item.outcome is not Outcome.UNCHANGED:
        actor = _actor(token)
        _apply(lambda: onboarding.apply_learner(actor, item, source(token)))
    return item.learner, item.outcome is Outcome.CREATE


def learner_by_mis_id(provider_id: int, mis_id: str) -> User | None:
    return db.session.scalar(
        select(User).where(
            User.provider_id == provider_id, User.mis_id == mis_id, User.role == Role.LEARNER
        )
    )


def put_enrolment(
    token: ApiToken, mis_id: str, body_code: str, unit_code: str, body: dict
) -> tuple[Enrolment, bool]:
    """Enrol the learner with this MIS id on the awarding body's unit, or bring the
    enrolment's dates, cohort, assessor and IQA up to date (an absent cohort, assessor or IQA
    is left as it is); returns the enrolment and whether it was created."""
    learner = learner_by_mis_id(token.provider_id, mis_id)
    if learner is None:
        raise Problem(404, f"No learner at your provider has the MIS id “{mis_id}”. Create "
                           "them first with PUT /people/{mis_id}.")  # fmt: skip
    values = _strings(body, ENROLMENT_FIELDS, required=("starts_on", "planned_end_on"))
    row = check_values({
        "mis_id": mis_id, "name": learner.name, "email": learner.email, "uln": learner.uln or "",
        "awarding_body": body_code, "unit_code": unit_code, **values,
    })  # fmt: skip
    if row.problems:  # the dates taken together: each alone was checked above
        raise invalid([field_error("planned_end_on", p) for p in row.problems])
    item = onboarding.plan(token.provider_id, [row]).rows[0]
    if item.outcome is Outcome.REFUSED:
        raise _refused(item)
    created = item.enrolment is None
    if item.outcome is not Outcome.UNCHANGED:
        actor = _actor(token)
        _apply(lambda: onboarding.apply_row(actor, item, source(token)))
    return item.enrolment, created


def _date(body: dict, name: str) -> date | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise invalid([field_error(name, f"{name} must be a date written as 2026-09-07.")])
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid([field_error(name, f"{name} “{value}” is not a date.")]) from None


def create_cohort(token: ApiToken, body: dict) -> Cohort:
    unknown = [n for n in body if n not in ("name", "starts_on", "ends_on")]
    if unknown:
        raise invalid([field_error(n, f"“{n}” is not a field of a cohort; the fields are name, "
                                      "starts_on, ends_on.") for n in unknown])  # fmt: skip
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or "\x00" in name:
        raise invalid([field_error("name", "name is required, as a string.")])
    starts_on, ends_on = _date(body, "starts_on"), _date(body, "ends_on")
    actor = _actor(token)
    try:
        cohort = operations.create_cohort(actor, name, starts_on, ends_on)
    except DomainError as error:
        raise invalid([field_error(error.field, error.message)]) from None
    audit.record(
        "cohort.created", provider_id=token.provider_id, actor=actor, object_type="cohort",
        object_id=cohort.id, after={"name": cohort.name, "starts_on": starts_on,
                                    "ends_on": ends_on, "api_token": token.id},
        summary=f"Created the cohort “{cohort.name}” from {source(token)}",
    )  # fmt: skip
    return cohort
