"""The provider admin's apprenticeship operations: employers and their line managers, an
enrolment's apprenticeship, and breaks in learning. Each checks its rule, records the audit
event, refreshes the progress rows it changes (a break pauses expected progress) and
flushes; the view commits."""

from datetime import date

from sqlalchemy import func, or_, select

from portfolio.accounts import invitations, people
from portfolio.accounts.models import Role, User
from portfolio.apprenticeships.hours_models import EntryStatus, OtjEntry
from portfolio.apprenticeships.models import Apprenticeship, BreakInLearning, Employer
from portfolio.audit import trail as audit
from portfolio.dates import format_date
from portfolio.db import db, hold, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.errors import DomainError
from portfolio.progress import refresh
from portfolio.text import check_length, check_line

NAME_LIMIT = 200
PROGRAMME_LIMIT = 200
REASON_LIMIT = 500
# Planned off-the-job hours above this are a typing mistake (a four-year programme at the
# most generous rules plans about 1,600).
MAX_OTJ_HOURS = 5000

EMPLOYER_FIELDS = ("name", "contact_name", "contact_email", "contact_phone")
APPRENTICESHIP_FIELDS = ("programme", "employer_id", "line_manager_id", "planned_otj_hours")
BREAK_FIELDS = ("starts_on", "ends_on", "reason")


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def _employer_details(admin: User, employer: Employer | None, **details) -> dict:
    name = (details["name"] or "").strip()
    if not name:
        raise DomainError("Enter the employer's name.", field="name")
    check_line(name, NAME_LIMIT, "Employer name", field="name")
    # Names that differ only in capitals are the same employer.
    taken = select(Employer.name).where(
        Employer.provider_id == admin.provider_id, func.lower(Employer.name) == name.lower()
    )
    if employer is not None:
        taken = taken.where(Employer.id != employer.id)
    if (existing := db.session.scalar(taken)) is not None:
        raise DomainError(f"An employer called '{existing}' already exists.", field="name")
    return {
        "name": name,
        **{field: _clean(details[field]) for field in EMPLOYER_FIELDS if field != "name"},
    }


def create_employer(admin: User, **details) -> Employer:
    """Add an employer organisation to the admin's provider."""
    employer = Employer(provider_id=admin.provider_id, **_employer_details(admin, None, **details))
    db.session.add(employer)
    db.session.flush()
    audit.record(
        "employer.created", provider_id=admin.provider_id, actor=admin, object_type="employer",
        object_id=employer.id, after=audit.snapshot(employer, *EMPLOYER_FIELDS),
        summary=f"Added the employer {employer.name}",
    )  # fmt: skip
    return employer


def update_employer(admin: User, employer: Employer, **details) -> None:
    """Change an employer's name or contact details."""
    before = audit.snapshot(employer, *EMPLOYER_FIELDS)
    for field, value in _employer_details(admin, employer, **details).items():
        setattr(employer, field, value)
    after = audit.snapshot(employer, *EMPLOYER_FIELDS)
    if after == before:
        return
    db.session.flush()
    audit.record(
        "employer.updated", provider_id=admin.provider_id, actor=admin, object_type="employer",
        object_id=employer.id, before=before, after=after,
        summary=f"Changed the details of the employer {employer.name}",
    )  # fmt: skip


def add_line_manager(admin: User, employer: Employer, *, name: str, email: str) -> User:
    """An employer account at this employer, invited by email to choose a password."""
    user = people.create_person(
        admin.provider, name=name, email=email, role=Role.EMPLOYER, actor=admin
    )
    user.employer_id = employer.id
    db.session.flush()
    invitations.invite(user, by=admin)
    return user


def check_line_manager_change(user: User, role: Role, active: bool = True) -> None:
    """Refuse to give a line manager another role, or to deactivate them, while
    apprenticeships name them: their apprentices would be left with a line manager who cannot
    see them or sign reviews."""
    if user.role is not Role.EMPLOYER or (role is Role.EMPLOYER and active):
        return
    names = db.session.scalars(
        select(User.name)
        .join(Enrolment, Enrolment.learner_id == User.id)
        .join(Apprenticeship, Apprenticeship.enrolment_id == Enrolment.id)
        .where(Apprenticeship.line_manager_id == user.id)
        .order_by(User.name)
    ).all()
    if names:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise DomainError(
            f"{user.name} is the line manager of {len(names)} apprentice"
            f"{'s' if len(names) != 1 else ''} ({shown}): name another line manager on "
            f"{'their apprenticeships' if len(names) != 1 else 'the apprenticeship'} first.",
            field="role" if role is not Role.EMPLOYER else "active",
        )


def line_managers(employer_id: int) -> list[User]:
    """The employer's people (employer accounts), by name."""
    return db.session.scalars(
        select(User)
        .where(User.employer_id == employer_id, User.role == Role.EMPLOYER)
        .order_by(User.name, User.id)
    ).all()


def set_apprenticeship(
    admin: User,
    enrolment: Enrolment,
    *,
    programme: str,
    employer_id: int,
    line_manager_id: int | None,
    planned_otj_hours: int,
) -> Apprenticeship:
    """Make the enrolment an apprenticeship, or change its programme, employer, line manager
    or planned hours. The line manager (who then sees the enrolment) must be an active
    employer account at that employer."""
    programme = programme.strip()
    if not programme:
        raise DomainError("Enter the apprenticeship programme.", field="programme")
    check_length(programme, PROGRAMME_LIMIT, "Programme", field="programme")
    employer = db.session.get(Employer, employer_id)
    if employer is None or employer.provider_id != admin.provider_id:
        raise DomainError("Choose one of your provider's employers.", field="employer_id")
    if line_manager_id is not None:
        manager = db.session.get(User, line_manager_id)
        if (
            manager is None
            or manager.provider_id != admin.provider_id
            or manager.role is not Role.EMPLOYER
            or manager.employer_id != employer.id
        ):
            raise DomainError(
                f"Choose a line manager at {employer.name}, or add one on the employer's page.",
                field="line_manager_id",
            )
        if not manager.active:
            raise DomainError(
                f"{manager.name}'s account is deactivated: choose another line manager at "
                f"{employer.name}, or reactivate theirs on their page.",
                field="line_manager_id",
            )
    if not 0 <= planned_otj_hours <= MAX_OTJ_HOURS:
        raise DomainError(
            f"Planned off-the-job hours are a whole number from 0 to {MAX_OTJ_HOURS}.",
            field="planned_otj_hours",
        )
    apprenticeship = apprenticeship_of(enrolment.id)
    before = None
    if apprenticeship is None:
        apprenticeship = Apprenticeship(enrolment_id=enrolment.id)
        db.session.add(apprenticeship)
    else:
        before = audit.snapshot(apprenticeship, *APPRENTICESHIP_FIELDS)
    apprenticeship.programme = programme
    apprenticeship.employer_id = employer.id
    apprenticeship.line_manager_id = line_manager_id
    apprenticeship.planned_otj_hours = planned_otj_hours
    after = audit.snapshot(apprenticeship, *APPRENTICESHIP_FIELDS)
    if before == after:
        return apprenticeship
    db.session.flush()
    audit.record(
        "apprenticeship.set", provider_id=admin.provider_id, actor=admin,
        object_type="enrolment", object_id=enrolment.id, learner_id=enrolment.learner_id,
        before=before, after=after,
        summary=f"Set the apprenticeship of {enrolment.learner.name}: {programme} "
        f"with {employer.name}",
    )  # fmt: skip
    # The progress row carries the planned hours.
    refresh.enrolments([enrolment.id])
    return apprenticeship


def apprenticeship_of(enrolment_id: int) -> Apprenticeship | None:
    return db.session.scalar(
        select(Apprenticeship).where(Apprenticeship.enrolment_id == enrolment_id)
    )


def _check_break(
    enrolment: Enrolment,
    starts_on: date,
    ends_on: date | None,
    today: date,
    exclude: int | None = None,
) -> None:
    if starts_on < enrolment.starts_on:
        raise DomainError(
            "A break starts on or after the enrolment's start, "
            f"{format_date(enrolment.starts_on)}.",
            field="starts_on",
        )
    if starts_on > today:
        raise DomainError(
            f"The first day of the break cannot be after today ({format_date(today)}): a break "
            "is recorded once it has begun.",
            field="starts_on",
        )
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The last day of the break is on or after its first.", field="ends_on")
    if ends_on is not None and ends_on > today:
        raise DomainError(
            f"The last day of the break cannot be after today ({format_date(today)}). Leave "
            "it empty for a break still going, and end the break when the learner is back.",
            field="ends_on",
        )
    overlapping = select(BreakInLearning).where(
        BreakInLearning.enrolment_id == enrolment.id,
        or_(BreakInLearning.ends_on.is_(None), BreakInLearning.ends_on >= starts_on),
    )
    if ends_on is not None:
        overlapping = overlapping.where(BreakInLearning.starts_on <= ends_on)
    if exclude is not None:
        overlapping = overlapping.where(BreakInLearning.id != exclude)
    clash = db.session.scalars(overlapping.order_by(BreakInLearning.starts_on)).first()
    if clash is not None:
        until = f" to {format_date(clash.ends_on)}" if clash.ends_on else ", not ended yet"
        raise DomainError(
            f"This overlaps the break from {format_date(clash.starts_on)}{until}: "
            "change the dates, or end that break first.",
            field="starts_on",
        )
    logged = db.session.scalars(
        select(OtjEntry.on_date).distinct().where(
            OtjEntry.enrolment_id == enrolment.id, OtjEntry.status != EntryStatus.REJECTED,
            OtjEntry.on_date >= starts_on, OtjEntry.on_date <= (ends_on or today),
        ).order_by(OtjEntry.on_date)
    ).all()  # fmt: skip
    if logged:
        days = ", ".join(format_date(day) for day in logged[:5]) + (", ..." if len(logged) > 5 else "")
        raise DomainError(
            f"{enrolment.learner.name} has off-the-job hours logged on {days}, inside these "
            "dates, and no hours are logged during a break: choose dates around them, or have "
            "the assessor reject those entries first.",
            field="starts_on",
        )


def record_break(
    admin: User,
    enrolment: Enrolment,
    *,
    starts_on: date,
    ends_on: date | None,
    reason: str,
    today: date,
) -> BreakInLearning:
    """A break in learning on this enrolment: its figures leave out the break's days."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Enter the reason for the break.", field="reason")
    check_length(reason, REASON_LIMIT, "Reason", field="reason")
    hold(enrolment)  # hours logged meanwhile wait, then see the break
    _check_break(enrolment, starts_on, ends_on, today)
    pause = BreakInLearning(
        enrolment_id=enrolment.id, starts_on=starts_on, ends_on=ends_on, reason=reason,
        recorded_by_id=admin.id,
    )  # fmt: skip
    db.session.add(pause)
    db.session.flush()
    audit.record(
        "break.recorded", provider_id=admin.provider_id, actor=admin,
        object_type="break_in_learning", object_id=pause.id, learner_id=enrolment.learner_id,
        after={"enrolment": enrolment.id, **audit.snapshot(pause, *BREAK_FIELDS)},
        summary=f"Recorded a break in learning for {enrolment.learner.name} from "
        f"{format_date(starts_on)}: {reason}",
    )  # fmt: skip
    refresh.enrolments([enrolment.id])
    return pause


def end_break(admin: User, pause: BreakInLearning, *, ends_on: date, today: date) -> None:
    """End a break that is still going, on its last day."""
    if pause.ends_on is not None:
        raise DomainError("This break has ended already.", field="ends_on")
    enrolment = pause.enrolment
    _check_break(enrolment, pause.starts_on, ends_on, today, exclude=pause.id)
    before = audit.snapshot(pause, *BREAK_FIELDS)
    pause.ends_on = ends_on
    pause.ended_by_id = admin.id
    pause.ended_at = utcnow()
    db.session.flush()
    audit.record(
        "break.ended", provider_id=admin.provider_id, actor=admin,
        object_type="break_in_learning", object_id=pause.id, learner_id=enrolment.learner_id,
        before=before, after=audit.snapshot(pause, *BREAK_FIELDS),
        summary=f"Ended the break in learning of {enrolment.learner.name} on "
        f"{format_date(ends_on)}",
    )  # fmt: skip
    refresh.enrolments([enrolment.id])


def breaks_of(enrolment_id: int) -> list[BreakInLearning]:
    return db.session.scalars(
        select(BreakInLearning)
        .where(BreakInLearning.enrolment_id == enrolment_id)
        .order_by(BreakInLearning.starts_on.desc())
    ).all()
