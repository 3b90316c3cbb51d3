"""``flask demo``: a demonstration provider with people in every role and learners enrolled."""

from datetime import date, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portfolio.accounts.models import Provider, Role, User
from portfolio.accounts.people import create_person
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
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
    provider = Provider(name=PROVIDER)
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
    add_demo_evidence(people, enrolments)
    return True


DEMO_INCIDENT = {
    "reference": "INC-20261104-0042",
    "reported_at": "2026-11-04T14:05",
    "caller_reference": "Caller A (resident)",
    "channel": "phone",
    "incident_type": "safety",
    "location": "Communal stairwell, block C",
    "nature": "A resident reported a **strong smell of gas** on the stairs of a block of flats.",
    "impact": "high",
    "urgency": "high",
    "severity": "critical",
    "escalated": True,
    "escalation": {"to": "Duty emergency engineer", "at": "2026-11-04T14:08",
                   "reason": "Possible gas leak: a P1 under our emergency procedure."},
    "resources": [{"resource": "Emergency engineer van 12", "availability_confirmed": True,
                   "dispatched_at": "2026-11-04T14:10", "receipt_confirmed": True}],
    "communications": [
        {"at": "2026-11-04T14:06", "with": "Caller", "channel": "phone",
         "summary": "Advised to leave the building, not to use switches and to wait outside."},
        {"at": "2026-11-04T14:30", "with": "Housing officer", "channel": "email",
         "summary": "Told them about the incident and the engineer's arrival time."},
    ],
    "customer_updates": "Rang the caller back at 14:45 to confirm the engineer had made it safe.",
    "resolved_at": "2026-11-04T15:20",
    "root_cause": "A loose joint on the gas meter.",
    "lessons_learned": "On the callback, check that the evacuation advice was followed.",
}  # fmt: skip

DEMO_STAR = {
    "situation": "On a busy late shift a resident rang to report a strong smell of gas in the "
    "stairwell of a block of flats, with several neighbours still inside the building.",
    "task": "I had to log the incident, classify it correctly and get an engineer there within "
    "the one hour target for a P1.",
    "action": "I logged the call straight away, classified it as P1 because of the safety risk "
    "and escalated it to the duty engineer. I confirmed the nearest van was free before I "
    "dispatched it, and I kept the resident informed until the engineer arrived.",
    "result": "The engineer arrived in 35 minutes, found a loose meter joint and made the "
    "building safe, so we met the one hour target.",
    "reflection": "I stayed calm and followed the procedure, but next time I would check sooner "
    "that everyone had left the building. I learned how much a clear, timed log helps the "
    "engineer and my team leader understand an incident quickly.",
}

DEMO_CALL_NOTE = {
    "call_date": "2026-11-05",
    "channel": "inbound_phone",
    "duration_minutes": 9,
    "notes": "Caller Mrs Joan Whitfield rang from 07700 900461 about a bill of £82.40 that "
    "included a standing charge she did not expect. I explained the tariff, apologised for "
    "the confusion and raised a credit request under reference INC-20261105-0113, then "
    "promised an email confirmation within two working days.",
}


def add_demo_evidence(people: dict, enrolments: dict) -> None:
    """Evidence at several stages, so a newcomer sees the learner's side at once."""
    from portfolio.evidence import operations
    from portfolio.evidence.models import EvidenceKind

    learner, enrolment = people["learner"], enrolments["learner"]
    criteria = {c.number: c.id for c in enrolment.criteria_set.criteria}
    log = operations.start_item(
        learner,
        enrolment,
        EvidenceKind.INCIDENT_LOG,
        "Gas smell in a block of flats",
        DEMO_INCIDENT,
    )
    operations.set_claims(learner, log, {
        criteria["1.1"]: "Reference, times, nature and impact at the top of the log",
        criteria["2.1"]: "Dispatch of van 12 with receipt confirmed, and the communications log",
    })  # fmt: skip
    operations.submit_item(learner, log)
    star = operations.start_item(
        learner, enrolment, EvidenceKind.STAR_ACCOUNT, "Reflecting on the gas smell report",
        DEMO_STAR, linked_item_id=log.id,
    )  # fmt: skip
    operations.set_claims(learner, star, {criteria["3.1"]: "The Reflection part"})
    # A draft that still holds a customer's details: the personal-data check shows them.
    operations.start_item(
        learner, enrolment, EvidenceKind.CALL_NOTE, "Unexpected standing charge", DEMO_CALL_NOTE
    )
    other, other_enrolment = people["learner2"], enrolments["learner2"]
    operations.start_item(
        other, other_enrolment, EvidenceKind.INCIDENT_LOG, "Lift entrapment at the depot",
        {**DEMO_INCIDENT, "reference": "INC-20261106-0007", "incident_type": "equipment_failure",
         "nature": "Two staff were stuck in the goods lift between floors."},
    )  # fmt: skip


def sign_ins() -> list[tuple[str, str]]:
    """The first demo account of each role, as (role, email address)."""
    first: dict[Role, str] = {}
    for handle, _name, role in PEOPLE:
        first.setdefault(role, demo_email(handle))
    return [(role.label, email) for role, email in first.items()]


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no provider yet.")
@with_appcontext
def demo_command(if_empty: bool):
    """Load the demonstration provider (running it again changes nothing)."""
    demo_present = db.session.scalar(select(Provider.id).where(Provider.name == PROVIDER))
    if if_empty and db.session.scalar(select(func.count(Provider.id))):
        click.echo("The database already has data; demo not loaded.")
        if not demo_present:
            return
    else:
        created = build_demo()
        db.session.commit()
        click.echo(
            "Demo data loaded." if created else "Demo data already present; nothing changed."
        )
    counts = db.session.execute(
        select(User.role, func.count())
        .join(Provider)
        .where(Provider.name == PROVIDER)
        .group_by(User.role)
    ).all()
    enrolled = db.session.scalar(
        select(func.count(Enrolment.id)).join(Provider).where(Provider.name == PROVIDER)
    )
    click.echo(", ".join(f"{n} {role.value}" for role, n in counts) + f"; {enrolled} enrolments.")
    click.echo(f"\nDemo sign-ins (password for all: {PASSWORD}):")
    for label, email in sign_ins():
        click.echo(f"  {label:45} {email}")
