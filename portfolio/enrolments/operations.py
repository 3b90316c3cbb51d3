"""Creating cohorts and enrolling learners: the provider admin's write operations."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portfolio.accounts.models import Role, User

# Read against the package order, as the permissions rule reads apprenticeships: what an
# apprenticeship has recorded bounds when its enrolment may start.
from portfolio.apprenticeships.records import first_record
from portfolio.audit import trail as audit
from portfolio.dates import format_date
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.errors import DomainError
from portfolio.progress import refresh
from portfolio.text import check_line
from portfolio.units.models import Qualification, Unit

# The longest cohort name, in characters, as its column holds.
COHORT_NAME_LIMIT = 200


def check_staff_change(user: User, role: Role, active: bool) -> None:
    """Refuse to make an assessor or IQA something else, or to deactivate them, while
    enrolments name them as such: those learners would be left with someone who cannot
    assess or sample. The admin gives the enrolments someone else first. A learner with
    enrolments keeps the learner's role: their evidence and decisions are a learner's, and
    staff get an account of their own."""
    if user.role is Role.LEARNER and role is not Role.LEARNER:
        units = db.session.scalars(
            select(Unit.title).join(Enrolment, Enrolment.unit_id == Unit.id)
            .where(Enrolment.learner_id == user.id).order_by(Unit.title)
        ).all()  # fmt: skip
        if units:
            raise DomainError(
                f"{user.name} is a learner enrolled on {len(units)} unit"
                f"{'s' if len(units) != 1 else ''} ({', '.join(units[:3])}"
                f"{' and more' if len(units) > 3 else ''}): a learner's account stays a "
                "learner's. Give them another account, with another email address, for "
                "another role.",
                field="role",
            )
    for held, column in ((Role.ASSESSOR, Enrolment.assessor_id), (Role.IQA, Enrolment.iqa_id)):
        if user.role is not held or (role is held and active):
            continue
        names = db.session.scalars(
            select(User.name).join(Enrolment, Enrolment.learner_id == User.id)
            .where(column == user.id, Enrolment.provider_id == user.provider_id)
            .order_by(User.name)
        ).all()  # fmt: skip
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            what = "assessor" if held is Role.ASSESSOR else "IQA"
            raise DomainError(
                f"{user.name} is the {what} of {len(names)} enrolment"
                f"{'s' if len(names) != 1 else ''} ({shown}): give "
                f"{'them' if len(names) != 1 else 'it'} another {what} first, from Enrolments, "
                "so that no learner is left without one.",
                field="role" if role is not held else "active",
            )


def _cohort_details(admin: User, cohort: Cohort | None, name: str, starts_on: date | None,
                    ends_on: date | None) -> str:  # fmt: skip
    """The cohort's name, trimmed, once the name and dates are checked."""
    name = name.strip()
    check_line(name, COHORT_NAME_LIMIT, "Cohort name", field="name")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError("The end date must be on or after the start date.", field="ends_on")
    # Names that differ only in capitals are the same cohort.
    exists = select(Cohort.name).where(Cohort.provider_id == admin.provider_id,
                                       func.lower(Cohort.name) == name.lower())  # fmt: skip
    if cohort is not None:
        exists = exists.where(Cohort.id != cohort.id)
    if (existing := db.session.scalar(exists)) is not None:
        raise DomainError(f"A cohort called '{existing}' already exists.", field="name")
    return name


def create_cohort(admin: User, name: str, starts_on: date | None, ends_on: date | None) -> Cohort:
    name = _cohort_details(admin, None, name, starts_on, ends_on)
    cohort = Cohort(provider_id=admin.provider_id, name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(cohort)
    db.session.flush()
    return cohort


def update_cohort(admin: User, cohort: Cohort, name: str, starts_on: date | None,
                  ends_on: date | None) -> None:  # fmt: skip
    """Rename a cohort or change its dates. Its enrolments keep their own dates (taken from
    the cohort's when they were made); enrolments made from now on take the new ones."""
    name = _cohort_details(admin, cohort, name, starts_on, ends_on)
    before = audit.snapshot(cohort, "name", "starts_on", "ends_on")
    cohort.name, cohort.starts_on, cohort.ends_on = name, starts_on, ends_on
    db.session.flush()
    audit.record(
        "cohort.changed", provider_id=admin.provider_id, actor=admin, object_type="cohort",
        object_id=cohort.id, before=before, after=audit.snapshot(cohort, "name", "starts_on", "ends_on"),
        summary=f"Changed the cohort {name}",
    )  # fmt: skip


def remove_cohort(admin: User, cohort: Cohort) -> None:
    """Remove a cohort no enrolment is in: one made by mistake."""
    count = db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort.id))
    if count:
        raise DomainError(f"The cohort '{cohort.name}' has {count} enrolment{'s' if count != 1 else ''}: "
                          "move them to another cohort first.")  # fmt: skip
    audit.record(
        "cohort.removed", provider_id=admin.provider_id, actor=admin, object_type="cohort",
        object_id=cohort.id, before=audit.snapshot(cohort, "name", "starts_on", "ends_on"),
        summary=f"Removed the cohort {cohort.name}",
    )  # fmt: skip
    db.session.delete(cohort)
    db.session.flush()


def _person(admin: User, user_id: int | None, role: Role, field: str) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.provider_id != admin.provider_id or user.role is not role:
        raise DomainError(f"Choose a {role.label.lower()} of your provider.", field=field)
    return user


def _cohort(admin: User, cohort_id: int | None) -> Cohort | None:
    if cohort_id is None:
        return None
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or cohort.provider_id != admin.provider_id:
        raise DomainError("Choose one of your provider's cohorts.", field="cohort_id")
    return cohort


def enrol_learner(
    admin: User,
    *,
    learner_id: int,
    qualification_id: int,
    unit_id: int,
    starts_on: date | None,
    planned_end_on: date | None,
    cohort_id: int | None = None,
    assessor_id: int | None = None,
    iqa_id: int | None = None,
) -> Enrolment:
    """Enrol a learner on a qualification's unit, at the unit's current criteria version.
    A date not given is the cohort's."""
    enrolment = add_enrolment(
        admin, learner_id=learner_id, qualification_id=qualification_id, unit_id=unit_id,
        starts_on=starts_on, planned_end_on=planned_end_on, cohort_id=cohort_id,
        assessor_id=assessor_id, iqa_id=iqa_id,
    )  # fmt: skip
    audit.record_many(admin.provider_id, [enrolled(admin, enrolment)])
    refresh.enrolments([enrolment.id])
    return enrolment


def add_enrolment(
    admin: User,
    *,
    learner_id: int,
    qualification_id: int,
    unit_id: int,
    starts_on: date | None,
    planned_end_on: date | None,
    cohort_id: int | None = None,
    assessor_id: int | None = None,
    iqa_id: int | None = None,
) -> Enrolment:
    """``enrol_learner``'s checks and new enrolment (flushed), without its audit event
    (``enrolled``) or its progress rows: for a caller that records and refreshes many
    enrolments at once, before the same commit (the MIS import)."""
    learner = _person(admin, learner_id, Role.LEARNER, "learner_id")
    cohort = _cohort(admin, cohort_id)
    starts_on = starts_on or (cohort.starts_on if cohort else None)
    planned_end_on = planned_end_on or (cohort.ends_on if cohort else None)
    for value, field, what in ((starts_on, "starts_on", "start date"),
                               (planned_end_on, "planned_end_on", "planned end date")):  # fmt: skip
        if value is None:
            raise DomainError(
                # A browser's date field sends nothing for a day that does not exist.
                f"Enter the {what}, a real day such as 2026-11-04"
                + (f": the cohort '{cohort.name}' has none." if cohort else ", or choose a cohort that has one."),
                field=field,
            )  # fmt: skip
    qualification = db.session.get(Qualification, qualification_id)
    unit = db.session.get(Unit, unit_id)
    if qualification is None or unit is None or unit not in qualification.units:
        raise DomainError("Choose a unit of the qualification.", field="unit")
    if planned_end_on < starts_on:
        raise DomainError(
            "The planned end must be on or after the start date.", field="planned_end_on"
        )
    already = select(Enrolment.id).where(
        Enrolment.learner_id == learner.id, Enrolment.unit_id == unit.id
    )
    refusal = DomainError(f"{learner.name} is already enrolled on this unit.", field="unit")
    if db.session.scalar(already) is not None:
        raise refusal
    enrolment = Enrolment(
        provider_id=admin.provider_id,
        learner=learner,
        qualification=qualification,
        unit=unit,
        criteria_set=unit.current,
        cohort=cohort,
        assessor=_person(admin, assessor_id, Role.ASSESSOR, "assessor_id"),
        iqa=_person(admin, iqa_id, Role.IQA, "iqa_id"),
        starts_on=starts_on,
        planned_end_on=planned_end_on,
    )
    if enrolment.assessor_id == learner.id or enrolment.iqa_id == learner.id:
        raise DomainError(
            "A learner cannot assess or quality-assure their own work.", field="assessor_id"
        )
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError:
        # Enrolled on it by another request at the same moment: the unique index lets one win.
        raise refusal from None
    return enrolment


def enrolled(admin: User, enrolment: Enrolment) -> audit.Entry:
    """The audit event of a new enrolment."""
    return audit.Entry(
        "enrolment.created", "enrolment", actor=admin, object_id=enrolment.id,
        learner_id=enrolment.learner_id, after=_enrolment_state(enrolment),
        summary=f"Enrolled {enrolment.learner.name} on {enrolment.unit.title}",
    )  # fmt: skip


def _enrolment_state(enrolment: Enrolment) -> dict:
    return {
        "unit": enrolment.unit_id, "criteria_set": enrolment.criteria_set_id,
        "cohort": enrolment.cohort_id, "assessor": enrolment.assessor_id, "iqa": enrolment.iqa_id,
        "starts_on": enrolment.starts_on.isoformat(), "planned_end_on": enrolment.planned_end_on.isoformat(),
    }  # fmt: skip


def update_enrolment(
    admin: User,
    enrolment: Enrolment,
    *,
    cohort_id: int | None,
    assessor_id: int | None,
    iqa_id: int | None,
    starts_on: date,
    planned_end_on: date,
) -> Enrolment:
    """Move a learner between cohorts, reassign their assessor or IQA, or change dates."""
    before = _enrolment_state(enrolment)
    if planned_end_on < starts_on:
        raise DomainError(
            "The planned end must be on or after the start date.", field="planned_end_on"
        )
    # The ids asked for, not the relationships' columns: those change only at the flush.
    for person_id, field in ((assessor_id, "assessor_id"), (iqa_id, "iqa_id")):
        if person_id is not None and person_id == enrolment.learner_id:
            raise DomainError("A learner cannot assess or quality-assure their own work.",
                              field=field)  # fmt: skip
    if starts_on > enrolment.starts_on:
        first = first_record(enrolment.id)
        if first is not None and first.on < starts_on:
            raise DomainError(
                f"The start date cannot be later than {format_date(first.on)}, the day of the "
                f"first {first.what} on this enrolment.",
                field="starts_on",
            )
    enrolment.cohort = _cohort(admin, cohort_id)
    enrolment.assessor = _person(admin, assessor_id, Role.ASSESSOR, "assessor_id")
    enrolment.iqa = _person(admin, iqa_id, Role.IQA, "iqa_id")
    enrolment.starts_on = starts_on
    enrolment.planned_end_on = planned_end_on
    db.session.flush()
    audit.record(
        "enrolment.changed", provider_id=admin.provider_id, actor=admin, object_type="enrolment",
        object_id=enrolment.id, learner_id=enrolment.learner_id, before=before,
        after=_enrolment_state(enrolment), summary=f"Changed the enrolment of {enrolment.learner.name}",
    )  # fmt: skip
    refresh.enrolments([enrolment.id])
    return enrolment
