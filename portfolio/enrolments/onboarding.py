"""Onboarding learners from a management information system (MIS): what each row of an
uploaded CSV would do (the dry run), and doing it (the import, a background job).

A row is one learner on one unit. The learner is matched by the MIS id, so importing the
same file again changes nothing; each row is applied in a savepoint of its own, whole or not
at all. Everything a plan needs is read for the whole file in a few statements.
"""

import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portfolio.accounts import invitations
from portfolio.accounts.models import Role, User
from portfolio.audit import trail as audit
from portfolio.db import db, utcnow
from portfolio.enrolments import operations
from portfolio.enrolments.models import Cohort, Enrolment, OnboardingUpload
from portfolio.enrolments.onboarding_file import Row, parse
from portfolio.errors import DomainError
from portfolio.progress import refresh
from portfolio.units.models import AwardingBody, Qualification, Unit

# Look-ups by many values are sent this many values at a time.
CHUNK = 500


class Outcome(enum.StrEnum):
    REFUSED = "refused"
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"

    @property
    def label(self) -> str:
        return {"refused": "Refused", "create": "Create", "update": "Update",
                "unchanged": "Unchanged"}[self.value]  # fmt: skip


@dataclass
class RowPlan:
    """What one row will do, with what it was matched to."""

    row: Row
    outcome: Outcome = Outcome.UNCHANGED
    reasons: list[str] = field(default_factory=list)  # why it is refused
    fields: list[str | None] = field(default_factory=list)  # the column each reason is about
    changes: list[str] = field(default_factory=list)  # what it creates or changes
    learner: User | None = None
    unit: Unit | None = None
    qualification: Qualification | None = None
    assessor: User | None = None
    iqa: User | None = None
    cohort: Cohort | None = None
    enrolment: Enrolment | None = None
    applied: bool = False  # by an earlier run of the same import, which stopped part way

    def refuse(self, reason: str, column: str | None = None) -> None:
        self.outcome = Outcome.REFUSED
        self.reasons.append(reason)
        self.fields.append(column)


@dataclass
class Plan:
    rows: list[RowPlan]

    @property
    def counts(self) -> dict[Outcome, int]:
        counted = Counter(item.outcome for item in self.rows)
        return {outcome: counted.get(outcome, 0) for outcome in Outcome}

    @property
    def to_apply(self) -> int:
        return sum(item.outcome in (Outcome.CREATE, Outcome.UPDATE) for item in self.rows)

    def in_report_order(self) -> list[RowPlan]:
        """Refused rows first, then the others, each by row number."""
        return sorted(self.rows, key=lambda i: (i.outcome is not Outcome.REFUSED, i.row.number))


# -- the dry run ----------------------------------------------------------------------------


@dataclass
class Lookups:
    """What the file's rows refer to, read in a few statements for the whole file."""

    units: dict[tuple[str, str], Unit]
    bodies: set[str]
    people_by_email: dict[str, User]  # every provider's: an address belongs to one account
    learners_by_mis_id: dict[str, User]
    cohorts: dict[str, Cohort]
    enrolments: dict[tuple[int, int], Enrolment]  # (learner, unit)


def _chunks(values: Iterable, size: int = CHUNK):
    values = sorted(set(values))
    for start in range(0, len(values), size):
        yield values[start : start + size]


def load_lookups(provider_id: int, rows: list[Row]) -> Lookups:
    body_codes = {row.awarding_body.upper() for row in rows if row.awarding_body}
    units = db.session.scalars(
        select(Unit)
        .join(AwardingBody)
        .where(AwardingBody.code.in_(body_codes))
        .options(
            selectinload(Unit.awarding_body),
            selectinload(Unit.qualifications).selectinload(Qualification.units),
            selectinload(Unit.criteria_sets),
        )
    ).all()
    bodies = set(
        db.session.scalars(select(AwardingBody.code).where(AwardingBody.code.in_(body_codes)))
    )
    emails = {
        row.values.get(name) for row in rows for name in ("email", "assessor_email", "iqa_email")
    }
    people = {}
    for chunk in _chunks(emails - {"", None}):
        people.update(
            {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(chunk)))}
        )
    learners = {}
    for chunk in _chunks(row.mis_id for row in rows if row.mis_id):
        learners.update(
            {u.mis_id: u for u in db.session.scalars(
                select(User).where(User.provider_id == provider_id, User.mis_id.in_(chunk)))}
        )  # fmt: skip
    cohorts = db.session.scalars(select(Cohort).where(Cohort.provider_id == provider_id)).all()
    learner_ids = {u.id for u in learners.values()} | {
        u.id for u in people.values() if u.provider_id == provider_id and u.role is Role.LEARNER
    }
    enrolments = {}
    for chunk in _chunks(learner_ids):
        enrolments.update(
            {(e.learner_id, e.unit_id): e for e in db.session.scalars(
                select(Enrolment).where(Enrolment.learner_id.in_(chunk)))}
        )  # fmt: skip
    return Lookups(
        units={(u.awarding_body.code.upper(), u.code.upper()): u for u in units},
        bodies={code.upper() for code in bodies},
        people_by_email=people,
        learners_by_mis_id=learners,
        cohorts={c.name: c for c in cohorts},
        enrolments=enrolments,
    )


def plan(provider_id: int, rows: list[Row]) -> Plan:
    """What importing these rows into the provider would do, row by row; changes nothing."""
    lookups = load_lookups(provider_id, rows)
    duplicates = _duplicates(rows)
    plans = []
    new_cohorts: set[str] = set()
    for row in rows:
        item = RowPlan(row)
        for problem in row.problems + duplicates.get(row.number, []):
            item.refuse(problem)
        if item.outcome is not Outcome.REFUSED:
            _plan_row(item, provider_id, lookups, new_cohorts)
        plans.append(item)
    return Plan(plans)


def _duplicates(rows: list[Row]) -> dict[int, list[str]]:
    """Rows sharing a MIS id, an email address or a ULN: each is refused, naming the others."""
    found: dict[int, list[str]] = {}
    for name, label in (("mis_id", "MIS id"), ("email", "Email"), ("uln", "ULN")):
        numbers: dict[str, list[int]] = {}
        for row in rows:
            if row.values.get(name):
                numbers.setdefault(row.values[name], []).append(row.number)
        for value, shared in numbers.items():
            for number in shared if len(shared) > 1 else ():
                others = ", ".join(str(n) for n in shared if n != number)
                found.setdefault(number, []).append(
                    f"{label} “{value}” is also on row {others}: a file has one row per learner."
                )
    return found


def _plan_row(item: RowPlan, provider_id: int, lookups: Lookups, new_cohorts: set[str]) -> None:
    row = item.row
    _find_unit(item, lookups)
    item.assessor = _staff(item, lookups, row.assessor_email, Role.ASSESSOR, provider_id)
    item.iqa = _staff(item, lookups, row.iqa_email, Role.IQA, provider_id)
    if row.email in (row.assessor_email, row.iqa_email):
        item.refuse("A learner cannot be their own assessor or IQA.",
                    "assessor_email" if row.email == row.assessor_email else "iqa_email")
    _find_learner(item, provider_id, lookups)
    if item.outcome is Outcome.REFUSED:
        return
    item.cohort = lookups.cohorts.get(row.cohort) if row.cohort else None
    learner = item.learner
    enrolment = lookups.enrolments.get((learner.id, item.unit.id)) if learner else None
    item.enrolment = enrolment
    if learner is None:
        item.changes.append("new learner")
    else:
        item.changes += [label for label, old, new in _learner_changes(learner, row) if old != new]
    if row.cohort and item.cohort is None and row.cohort not in new_cohorts:
        new_cohorts.add(row.cohort)  # said once, on the first row that names it
        item.changes.append("new cohort")
    if enrolment is None:
        item.changes.append("new enrolment")
    else:
        item.changes += [
            label for label, old, new in _enrolment_changes(item, enrolment) if old != new
        ]
    if learner is None or enrolment is None:
        item.outcome = Outcome.CREATE
    elif item.changes:
        item.outcome = Outcome.UPDATE


def _learner_changes(learner: User, row: Row):
    """(what, now, after) for each thing a row sets on an existing learner's account."""
    yield "MIS id", learner.mis_id, row.mis_id
    yield "name", learner.name, row.name
    yield "email", learner.email, row.email
    yield "ULN", learner.uln, row.uln or None


def _enrolment_changes(item: RowPlan, enrolment: Enrolment):
    """(what, now, after) for each thing the row sets on an existing enrolment. A blank
    cohort, assessor or IQA leaves the enrolment's as it is."""
    row = item.row
    yield "start", enrolment.starts_on, row.starts_on
    yield "planned end", enrolment.planned_end_on, row.planned_end_on
    if row.cohort:
        yield "cohort", enrolment.cohort_id, item.cohort.id if item.cohort else None
    if item.assessor:
        yield "assessor", enrolment.assessor_id, item.assessor.id
    if item.iqa:
        yield "IQA", enrolment.iqa_id, item.iqa.id


def _find_unit(item: RowPlan, lookups: Lookups) -> None:
    row = item.row
    body, code = row.awarding_body.upper(), row.unit_code.upper()
    if body not in lookups.bodies:
        item.refuse(f"No awarding body has the code “{row.awarding_body}” in the criteria library.",
                    "awarding_body")
        return
    unit = lookups.units.get((body, code))
    if unit is None:
        item.refuse(f"{row.awarding_body} has no unit “{row.unit_code}” in the criteria library.",
                    "unit_code")
        return
    item.unit = unit
    qualifications = unit.qualifications
    if row.qualification_code:
        chosen = [q for q in qualifications if q.code.upper() == row.qualification_code.upper()]
        if not chosen:
            item.refuse(
                f"Unit {unit.code} is not part of a qualification “{row.qualification_code}”: "
                f"it is part of {', '.join(q.code for q in qualifications) or 'none'}.",
                "qualification_code",
            )
            return
        item.qualification = chosen[0]
    elif len(qualifications) == 1:
        item.qualification = qualifications[0]
    elif not qualifications:
        item.refuse(f"Unit {unit.code} is not part of any qualification in the criteria library.",
                    "unit_code")
    else:
        item.refuse(
            f"Unit {unit.code} is part of several qualifications "
            f"({', '.join(q.code for q in qualifications)}): give one in a qualification_code column.",
            "qualification_code",
        )


def _staff(
    item: RowPlan, lookups: Lookups, email: str, role: Role, provider_id: int
) -> User | None:
    if not email:
        return None
    column = "assessor_email" if role is Role.ASSESSOR else "iqa_email"
    person = lookups.people_by_email.get(email)
    if person is None or person.provider_id != provider_id or not person.active:
        # Another provider's people are not named, nor is it said that the address is used.
        item.refuse(
            f"No one at your provider has the email address {email} with an active account.",
            column,
        )
        return None
    if person.role is not role:
        item.refuse(f"{email} is the address of {person.name}, whose role is "
                    f"{person.role.label}, not {role.label}.", column)  # fmt: skip
        return None
    return person


def _find_learner(item: RowPlan, provider_id: int, lookups: Lookups) -> None:
    """The learner the row is for: the one with its MIS id, else one with its email address
    and no MIS id yet (who is given it), else nobody yet (one is created)."""
    row = item.row
    learner = lookups.learners_by_mis_id.get(row.mis_id)
    holder = lookups.people_by_email.get(row.email)
    if learner is not None and learner.role is not Role.LEARNER:
        item.refuse(f"MIS id {row.mis_id} belongs to {learner.name}, who is not a learner.",
                    "mis_id")
        return
    if holder is None or holder is learner:
        item.learner = learner
    elif holder.provider_id != provider_id:
        item.refuse(f"The email address {row.email} is already in use.", "email")
    elif holder.role is not Role.LEARNER:
        item.refuse(f"{row.email} is the address of {holder.name} "
                    f"({holder.role.label.lower()}), not of a learner.", "email")  # fmt: skip
    elif holder.mis_id is not None:
        item.refuse(
            f"{row.email} is the address of {holder.name}, whose MIS id is {holder.mis_id}.",
            "email",
        )
    elif learner is not None:
        item.refuse(f"{row.email} is the address of {holder.name}, another learner.", "email")
    else:
        item.learner = holder


# -- the import -----------------------------------------------------------------------------


@dataclass
class Pending:
    """What applied rows leave to be done together before their commit: their audit events
    (appended to the chain in one go), their new learners' invitations (one delivery job)
    and their new enrolments' progress rows (recomputed in one pass)."""

    events: list[audit.Entry] = field(default_factory=list)
    invite: list[User] = field(default_factory=list)
    enrolment_ids: list[int] = field(default_factory=list)

    def take(self, other: "Pending") -> None:
        self.events += other.events
        self.invite += other.invite
        self.enrolment_ids += other.enrolment_ids

    def finish(self, admin: User) -> None:
        audit.record_many(admin.provider_id, self.events)
        invitations.invite_many(self.invite, by=admin)
        refresh.enrolments(self.enrolment_ids)
        self.events, self.invite, self.enrolment_ids = [], [], []


def apply(admin: User, plan: Plan, progress: Callable[[int, int], None] | None = None,
          every: int = 100) -> dict:  # fmt: skip
    """Apply each row that creates or updates, in a savepoint of its own: a row that fails
    leaves nothing of itself and is reported as refused. Every ``every`` rows and at the end,
    the audit events, invitations and progress rows of the rows applied since are written,
    then ``progress(done, total)`` is called (the job commits there), so each commit holds
    whole rows. Returns the rows by outcome and the refused ones."""
    total = len(plan.rows)
    cohorts = {c.name: c for item in plan.rows if (c := item.cohort) is not None}
    pending = Pending()
    for done, item in enumerate(plan.rows, start=1):
        if item.outcome in (Outcome.CREATE, Outcome.UPDATE) and not item.applied:
            applied = Pending()
            try:
                with db.session.begin_nested():
                    _apply_row(admin, item, cohorts, applied)
            except (IntegrityError, DomainError) as error:
                item.refuse(_failure(error))
            else:
                pending.take(applied)
                if item.cohort is not None:
                    cohorts[item.cohort.name] = item.cohort
        if done % every == 0 or done == total:
            pending.finish(admin)
            if progress is not None:
                progress(done, total)
    counts = plan.counts
    refused = [{"row": i.row.number, "mis_id": i.row.mis_id, "reasons": i.reasons}
               for i in plan.rows if i.outcome is Outcome.REFUSED]  # fmt: skip
    audit.record(
        "onboarding.imported", provider_id=admin.provider_id, actor=admin,
        object_type="onboarding", after={o.value: n for o, n in counts.items()},
        summary=f"Imported learners from the MIS: {counts[Outcome.CREATE]} created, "
                f"{counts[Outcome.UPDATE]} updated, {counts[Outcome.REFUSED]} refused",
    )  # fmt: skip
    return {"counts": {o.value: n for o, n in counts.items()}, "refused": refused}


def _failure(error: Exception) -> str:
    if isinstance(error, DomainError):
        return error.message
    # Someone else made the same learner, address or enrolment after the plan was made.
    return "Another change to the same learner came first; upload the file again to see it."


def _apply_row(
    admin: User, item: RowPlan, cohorts: dict[str, Cohort], pending: Pending,
    source: str = "the MIS",
) -> None:  # fmt: skip
    """Write the row's learner, cohort and enrolment, leaving to ``pending`` what is done
    together for many rows."""
    row = item.row
    if row.cohort:
        item.cohort = cohorts.get(row.cohort) or operations.create_cohort(
            admin, row.cohort, None, None
        )
    new_learner = item.learner is None
    if new_learner:
        item.learner = _create_learner(admin, row, pending, source)
    else:
        _update_learner(admin, item.learner, row, pending, source)
    if item.enrolment is None:
        item.enrolment = operations.add_enrolment(
            admin, learner_id=item.learner.id, qualification_id=item.qualification.id,
            unit_id=item.unit.id, starts_on=row.starts_on, planned_end_on=row.planned_end_on,
            cohort_id=item.cohort.id if item.cohort else None,
            assessor_id=item.assessor.id if item.assessor else None,
            iqa_id=item.iqa.id if item.iqa else None,
        )  # fmt: skip
        pending.events.append(operations.enrolled(admin, item.enrolment))
        pending.enrolment_ids.append(item.enrolment.id)
    elif any(old != new for _, old, new in _enrolment_changes(item, item.enrolment)):
        enrolment = item.enrolment
        operations.update_enrolment(
            admin, enrolment,
            cohort_id=item.cohort.id if row.cohort else enrolment.cohort_id,
            assessor_id=item.assessor.id if item.assessor else enrolment.assessor_id,
            iqa_id=item.iqa.id if item.iqa else enrolment.iqa_id,
            starts_on=row.starts_on, planned_end_on=row.planned_end_on,
        )  # fmt: skip
    if new_learner:
        # The account has no password until its learner chooses one from this email.
        pending.invite.append(item.learner)


LEARNER_FIELDS = ("name", "email", "role", "active", "mis_id", "uln")


def _create_learner(admin: User, row: Row, pending: Pending, source: str = "the MIS") -> User:
    learner = User(
        provider_id=admin.provider_id, name=row.name, email=row.email, role=Role.LEARNER,
        password_hash=None, mis_id=row.mis_id,
        uln=row.uln or None,
    )  # fmt: skip
    db.session.add(learner)
    db.session.flush()
    pending.events.append(audit.Entry(
        "account.created", "user", actor=admin, object_id=learner.id, learner_id=learner.id,
        after=audit.snapshot(learner, *LEARNER_FIELDS),
        summary=f"Created the learner account of {learner.name} from {source}",
    ))  # fmt: skip
    return learner


def _update_learner(
    admin: User, learner: User, row: Row, pending: Pending, source: str = "the MIS"
) -> None:
    before = audit.snapshot(learner, *LEARNER_FIELDS)
    learner.mis_id, learner.name, learner.email = row.mis_id, row.name, row.email
    learner.uln = row.uln or None
    after = audit.snapshot(learner, *LEARNER_FIELDS)
    if after == before:
        return
    db.session.flush()
    pending.events.append(audit.Entry(
        "account.changed", "user", actor=admin, object_id=learner.id, learner_id=learner.id,
        before=before, after=after, summary=f"Changed the account of {learner.name} from {source}",
    ))  # fmt: skip


# -- one learner at a time (the REST API) -------------------------------------------------


def plan_learner(provider_id: int, row: Row) -> RowPlan:
    """What a row naming a learner alone, on no unit, would do to their account: matched and
    refused as a file's row is."""
    item = RowPlan(row)
    for problem in row.problems:
        item.refuse(problem)
    if item.outcome is not Outcome.REFUSED:
        _find_learner(item, provider_id, load_lookups(provider_id, [row]))
    if item.outcome is Outcome.REFUSED:
        return item
    if item.learner is None:
        item.outcome, item.changes = Outcome.CREATE, ["new learner"]
    else:
        item.changes = [
            label for label, old, new in _learner_changes(item.learner, row) if old != new
        ]
        item.outcome = Outcome.UPDATE if item.changes else Outcome.UNCHANGED
    return item


def apply_learner(admin: User, item: RowPlan, source: str) -> User:
    """Create or change the account plan_learner() planned, as an import would; a new
    learner is invited to choose their password."""
    pending = Pending()
    if item.learner is None:
        item.learner = _create_learner(admin, item.row, pending, source)
        pending.invite.append(item.learner)
    else:
        _update_learner(admin, item.learner, item.row, pending, source)
    pending.finish(admin)
    return item.learner


def apply_row(admin: User, item: RowPlan, source: str) -> None:
    """Apply one planned row, as the import applies each; the caller holds the savepoint
    and reports a DomainError or IntegrityError."""
    cohorts = {item.cohort.name: item.cohort} if item.cohort is not None else {}
    pending = Pending()
    _apply_row(admin, item, cohorts, pending, source)
    pending.finish(admin)


# -- uploads --------------------------------------------------------------------------------


def plan_upload(upload: OnboardingUpload) -> Plan:
    return plan(upload.provider_id, parse(upload.content))


def import_upload(
    upload: OnboardingUpload, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Plan the upload afresh and apply it as the admin who asked for the import; safe to run
    again, since the rows already applied are then unchanged. A run that stopped part way (a
    worker killed) left the outcomes of the rows it committed: those rows are reported as
    it applied them, created or updated, not as unchanged."""
    plan = plan_upload(upload)
    earlier = (upload.result or {}).get("applied_outcomes", [])
    for item, outcome in zip(plan.rows, earlier, strict=False):
        if item.outcome is Outcome.UNCHANGED and outcome in (Outcome.CREATE, Outcome.UPDATE):
            item.outcome, item.applied = Outcome(outcome), True

    def committed(done: int, total: int) -> None:
        # What this run has applied so far, committed with it, for a run after a stop.
        upload.result = {"applied_outcomes": [item.outcome.value for item in plan.rows[:done]]}
        if progress is not None:
            progress(done, total)

    result = apply(upload.imported_by, plan, committed)
    upload.result = result
    db.session.flush()
    return result


def request_import(admin: User, upload: OnboardingUpload) -> None:
    if upload.import_requested_at is not None:
        raise DomainError("This file's import has already been started.")
    upload.imported_by = admin
    upload.import_requested_at = utcnow()
    db.session.flush()
