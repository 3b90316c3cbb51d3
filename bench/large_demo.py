"""A large demonstration provider, for measuring pages and dashboards at scale: built by
``flask demo --learners N`` and by the benchmarks' harness.

``build_large_provider(5000)`` adds one provider, "Large provider (5000 learners)", with an
admin, an assessor per 50 learners (in teams of ten, each team taking the next 500 learners
to enrol), an IQA per 500, cohorts of equal size and learners each enrolled on one of the
library's units (round-robin) with about 100 evidence items in a realistic mix: mostly
accepted, some awaiting marking, some returned for rework (a few twice), some drafts. Every
item has one version (two after a rework), one or two criterion claims and, once marked,
decisions with a judgement per claimed criterion; the progress rows of each enrolment
(``EnrolmentProgress`` and ``CriterionState``) are filled to match.

Every enrolment is also an apprenticeship, at one of a few employers (about 250 apprentices
each, a line manager to about 25), with about 150 entries of off-the-job hours from its start
(most verified, a few rejected, the newest awaiting verification; learners who went quiet
stopped logging too) and a progress review every twelve weeks, signed by all three; about one
apprentice in eight missed the latest, which is overdue.

The rows are written with SQLAlchemy Core bulk inserts, with ids assigned here from the
largest id of each table, not through the ORM or the domain operations: 5,000 learners and
half a million items take minutes that way instead of hours. So the domain rules are kept
by construction rather than checked, and **generated history is not audited**: no audit
events are written for any generated row, and the provider's audit trail starts empty.
Every account shares one password hash (the demo password, hashed once). Nothing here
writes files, sign-offs, declarations, IQA samples, breaks in learning or review PDFs.

Everything is written in the caller's transaction, and the caller commits. On PostgreSQL the
id sequences are moved past the ids assigned here, so that rows added later get fresh ids.
"""

import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import click
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select, text

from portfolio.accounts.models import Provider, Role, User
from portfolio.accounts.passwords import hash_password
from portfolio.apprenticeships.hours_models import (
    ACTIVITIES,
    EntryStatus,
    OtjEntry,
    OtjEntryVersion,
)
from portfolio.apprenticeships.models import Apprenticeship, Employer
from portfolio.apprenticeships.reviews import canonical_hash
from portfolio.apprenticeships.reviews_models import (
    Party,
    ProgressReview,
    ReviewSignature,
    ReviewStatus,
    ReviewTarget,
    TargetState,
)
from portfolio.assessment.models import CriterionJudgement, Decision, Outcome
from portfolio.assessment.workdays import working_days_between
from portfolio.db import db, utcnow
from portfolio.demo import PASSWORD
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.evidence import kinds
from portfolio.evidence.models import (
    CriterionClaim,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    EvidenceVersion,
)
from portfolio.evidence.operations import personal_data_in
from portfolio.progress.models import (
    CLAIMED,
    MET,
    NOT_STARTED,
    CriterionState,
    EnrolmentProgress,
)
from portfolio.text import render_markdown
from portfolio.units.models import AwardingBody, Criterion, Unit

DOMAIN = "large.example.org"
ADMIN_EMAIL = f"admin@{DOMAIN}"
LEARNERS_PER_ASSESSOR = 50
ASSESSOR_TEAM = 10  # assessors in a team, which takes the next enrolments in turn
LEARNERS_PER_IQA = 500
# Rows per INSERT ... executemany; learners are written in whole batches of about this many items.
BATCH_ITEMS = 4000
# Apprenticeships: apprentices per employer and per line manager, entries of off-the-job
# hours per apprentice (on average), planned hours a week, weeks between progress reviews.
APPRENTICES_PER_EMPLOYER = 250
APPRENTICES_PER_MANAGER = 25
HOURS_ENTRIES = 150
OTJ_HOURS_PER_WEEK = 6
REVIEW_WEEKS = 12
PROGRAMME = "Customer Service Practitioner (Level 2)"
EMPLOYER_KINDS = ("Water Services", "Energy", "Housing", "Telecom", "Rail", "Insurance")
REVIEWER_NOTES = "Progress discussed with the apprentice and their line manager."
APPRENTICE_COMMENTS = "I agree with the targets."
EMPLOYER_COMMENTS = "Time for the off-the-job training is agreed."
REVIEW_TARGETS = (
    "Log two contrasting incidents, with every timestamp",
    "Shadow a team leader on an escalation",
    "Write a STAR account of a call that went badly, and what you would change",
    "Complete the online module on handling personal data",
)
PROGRESS_EVERY_SECONDS = 3.0

FIRST_NAMES = (
    "Aaliyah Adam Aisha Alfie Amara Amelia Arjun Ava Ben Bethan Callum Chloe Connor Daniel "
    "Deepa Dylan Ellie Emeka Emily Erin Ethan Fatima Finn Freya George Grace Hannah Harry "
    "Hassan Imran Isla Jack Jacob Jade Jamal Jessica Joel Kai Kayleigh Leah Liam Lily Lucy "
    "Mason Megan Mia Mohammed Nadia Niamh Noah Olivia Oscar Owen Priya Rhys Rosie Ryan Sam "
    "Sana Sophie Tariq Thomas Tom Yusuf Zara Zoe"
).split()
SURNAMES = (
    "Ahmed Ali Allen Bailey Baker Begum Bell Brown Campbell Carter Chen Clarke Cooper Davies "
    "Edwards Evans Fraser Green Hall Harris Hughes Hussain Jackson James Jones Kaur Khan King "
    "Lewis Macdonald Martin Morgan Murphy Murray Nowak Okafor Owen Patel Phillips Price Reid "
    "Roberts Robinson Scott Shah Singh Smith Taylor Thomas Thompson Turner Walker Ward Watson "
    "White Williams Wilson Wood Wright Young"
).split()

# Incident logs: the fixed parts of each; times and references are made per item.
INCIDENTS = [
    {
        "title": "Gas smell reported in a block of flats",
        "incident_type": "safety", "channel": "phone", "location": "Communal stairwell",
        "nature": "A resident reported a **strong smell of gas** on the stairs.",
        "impact": "high", "urgency": "high", "severity": "critical",
        "escalation": ("Duty emergency engineer", "A possible gas leak is a P1."),
        "resource": "Emergency engineer van",
        "communications": [("Caller", "phone", "Advised to leave the building and wait outside."),
                           ("Housing officer", "email", "Told them the engineer's arrival time.")],
        "customer_updates": "Rang the caller back to confirm the building was safe.",
        "root_cause": "A loose joint on the gas meter.",
        "lessons_learned": "Check on the callback that the safety advice was followed.",
    },
    {
        "title": "Power cut across a housing estate",
        "incident_type": "service_outage", "channel": "phone", "location": "Housing estate, north side",
        "nature": "Several callers reported **no power** in their homes since the morning.",
        "impact": "high", "urgency": "medium", "severity": "major",
        "escalation": ("Network operations team", "A wide outage affecting vulnerable customers."),
        "resource": "Network field engineer",
        "communications": [("Caller", "phone", "Gave the estimated restore time."),
                           ("Team leader", "web_chat", "Flagged the priority services customers.")],
        "customer_updates": "Posted updates on the outage page every hour until restored.",
        "root_cause": "A failed underground cable joint.",
        "lessons_learned": "Send a text update to every affected customer, not only callers.",
    },
    {
        "title": "Lift entrapment at the depot",
        "incident_type": "equipment_failure", "channel": "alarm", "location": "Goods lift, depot",
        "nature": "The lift alarm showed **two staff stuck** between floors.",
        "impact": "medium", "urgency": "high", "severity": "major",
        "escalation": ("Lift maintenance contractor", "People trapped: a P2 under the contract."),
        "resource": "Lift engineer",
        "communications": [("Site supervisor", "phone", "Confirmed both staff were unhurt."),
                           ("Lift contractor", "phone", "Confirmed the engineer was on the way.")],
        "customer_updates": "Kept the site supervisor informed every fifteen minutes.",
        "root_cause": "A worn door sensor stopped the lift.",
        "lessons_learned": "Ask the caller straight away whether anyone is unwell.",
    },
    {
        "title": "Card payments failing at the tills",
        "incident_type": "it_data", "channel": "email", "location": "Town centre store",
        "nature": "The store reported that **card payments were declined** at every till.",
        "impact": "medium", "urgency": "medium", "severity": "moderate",
        "escalation": None,
        "resource": "Payments support analyst",
        "communications": [("Store manager", "phone", "Suggested taking cash meanwhile."),
                           ("Payments team", "email", "Logged the fault with the provider.")],
        "customer_updates": "Emailed the store manager when the payments service came back.",
        "root_cause": "An expired certificate on the payment gateway.",
        "lessons_learned": "Check the status page before logging a fault with the provider.",
    },
    {
        "title": "Missed delivery of medical supplies",
        "incident_type": "delivery", "channel": "web_chat", "location": "Care home",
        "nature": "A care home reported that a **delivery of supplies** had not arrived.",
        "impact": "medium", "urgency": "low", "severity": "minor",
        "escalation": None,
        "resource": "Same-day courier",
        "communications": [("Care home manager", "web_chat", "Apologised and arranged a courier."),
                           ("Warehouse", "phone", "Confirmed the parcel was sent out again.")],
        "customer_updates": "Confirmed the courier's arrival time by email.",
        "root_cause": "The parcel was loaded on the wrong van.",
        "lessons_learned": "Give the customer a tracking link as soon as it is known.",
    },
    {
        "title": "Suspicious login attempts on an account",
        "incident_type": "security", "channel": "phone", "location": "Online account",
        "nature": "A customer reported **login codes** they had not asked for.",
        "impact": "low", "urgency": "high", "severity": "moderate",
        "escalation": ("Fraud team", "Possible account takeover, handled as a P3 with fraud."),
        "resource": "Fraud analyst",
        "communications": [("Caller", "phone", "Advised a password change and locked the account."),
                           ("Fraud team", "email", "Passed on the times of the login attempts.")],
        "customer_updates": "Rang the customer back once the account was secured.",
        "root_cause": "A password reused from another website.",
        "lessons_learned": "Lock the account before anything else when takeover is likely.",
    },
]  # fmt: skip

CALL_NOTES = [
    ("Keeping a caller informed during an outage", "inbound_phone", 11,
     "The caller was worried because the power had been off for two hours. I listened, "
     "apologised and checked the outage map, then explained that engineers were on site and "
     "gave the estimated restore time. I agreed to ring back within the hour with an update, "
     "and did so at the time promised."),
    ("Explaining an unexpected charge", "inbound_phone", 9,
     "The caller did not understand a standing charge on the bill. I explained the tariff, "
     "apologised for the confusion and raised a credit request, then promised an email "
     "confirmation within two working days."),
    ("Calming an anxious caller after a break-in", "inbound_phone", 14,
     "The caller was upset after a break-in at the shop. I stayed calm, checked that nobody "
     "was hurt, logged the incident and arranged an emergency glazier. I explained each step "
     "and the times to expect, and gave the incident reference."),
    ("Following up a complaint by web chat", "web_chat", 7,
     "The customer was unhappy that a repair had been cancelled twice. I apologised, "
     "checked the job history, booked the first available slot and escalated the complaint "
     "to the team leader, as our procedure requires after a second cancellation."),
]  # fmt: skip

STAR_ACCOUNTS = [
    ("What I learned from a gas smell report", {
        "situation": "On a busy late shift a resident rang to report a strong smell of gas in "
        "a stairwell, with neighbours still inside the building.",
        "task": "I had to log the incident, classify it correctly and get an engineer there "
        "within the one hour target for a P1.",
        "action": "I logged the call, classified it as P1 because of the safety risk and "
        "escalated it to the duty engineer. I confirmed the nearest van was free before I "
        "dispatched it, and kept the resident informed until the engineer arrived.",
        "result": "The engineer arrived in 35 minutes and made the building safe, so we met "
        "the one hour target.",
        "reflection": "I followed the procedure calmly, but next time I would check sooner "
        "that everyone had left the building.",
    }),
    ("Handling a wide power outage", {
        "situation": "During a storm our line had three times the usual number of calls "
        "about a power cut on one estate.",
        "task": "I had to log each report, link them to one incident and keep callers "
        "informed.",
        "action": "I checked the outage map before answering, linked every call to the "
        "master incident and flagged the customers on the priority services register to "
        "the network team.",
        "result": "Power came back within four hours and no vulnerable customer was left "
        "without a welfare call.",
        "reflection": "Linking calls early saved time; I would now suggest a recorded "
        "message for large outages.",
    }),
    ("Supporting a colleague with a difficult call", {
        "situation": "A new colleague took a call from a very distressed customer whose "
        "delivery of medicine was late.",
        "task": "As the buddy on shift I had to help my colleague without taking over the "
        "call.",
        "action": "I listened in, passed notes suggesting a same-day courier and reminded my "
        "colleague to give a clear time for the callback.",
        "result": "The customer received the delivery that afternoon and thanked my "
        "colleague on the callback.",
        "reflection": "Supporting quietly built my colleague's confidence; next time I would "
        "debrief straight after the call.",
    }),
]  # fmt: skip

ACCEPT_FEEDBACK = [
    "Clear, timed and complete: well done.",
    "A well-structured piece of evidence. The **timings** make your actions easy to follow.",
    "Good evidence of the criteria claimed; keep recording the times of every update.",
]
RETURN_FEEDBACK = [
    "Good start. Please **classify the severity** and add the lessons learned, then resubmit.",
    "Add the times of your updates to the customer so that the sequence of events is clear.",
    "Say which procedure you followed and why, then resubmit.",
]
MET_COMMENTS = ["Shown clearly.", "Met: see the communications log.", "Clearly evidenced."]
NOT_MET_COMMENTS = [
    "Not yet shown: the evidence does not say how this was done.",
    "Not yet met: add the times of each step.",
]
CLAIM_NOTES = ["The log itself", "Communications log", "The Action part", "Whole item", ""]

KIND_WEIGHTS = (
    (EvidenceKind.INCIDENT_LOG, 0.45),
    (EvidenceKind.CALL_NOTE, 0.30),
    (EvidenceKind.STAR_ACCOUNT, 0.25),
)
ESCALATED = {("high", "high"), ("high", "medium"), ("medium", "high")}


@dataclass
class _UnitInfo:
    unit_id: int
    qualification_id: int
    criteria_set_id: int
    criteria: list[int]


@dataclass
class _Plan:
    """One learner's enrolment, before its evidence is generated."""

    index: int
    learner_id: int
    enrolment_id: int
    assessor_id: int
    cohort_id: int
    unit: _UnitInfo
    starts_on: date
    planned_end_on: date
    created_at: datetime
    active_until: datetime
    fraction: float  # how far through the planned programme the learner is, 0 to 1
    items: int = 0
    employer_id: int = 0
    manager_id: int = 0
    planned_hours: int = 0


@dataclass
class _Rows:
    """Rows waiting to be inserted, table by table, in foreign-key order."""

    items: list[dict] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    decisions: list[dict] = field(default_factory=list)
    judgements: list[dict] = field(default_factory=list)
    progress: list[dict] = field(default_factory=list)
    states: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    entry_versions: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)

    def tables(self):
        return (
            (EvidenceItem.__table__, self.items),
            (EvidenceVersion.__table__, self.versions),
            (CriterionClaim.__table__, self.claims),
            (Decision.__table__, self.decisions),
            (CriterionJudgement.__table__, self.judgements),
            (EnrolmentProgress.__table__, self.progress),
            (CriterionState.__table__, self.states),
            (OtjEntry.__table__, self.entries),
            (OtjEntryVersion.__table__, self.entry_versions),
            (ProgressReview.__table__, self.reviews),
            (ReviewTarget.__table__, self.targets),
            (ReviewSignature.__table__, self.signatures),
        )


def provider_name(learners: int) -> str:
    return f"Large provider ({learners} learners)"


def build_large_provider(
    learners: int,
    *,
    cohorts: int = 20,
    items_per_learner: int = 100,
    seed: int = 1,
    first_cohort: int | None = None,
    apprenticeships: bool = True,
) -> dict:
    """Build the large provider, or do nothing when it exists; returns its figures.

    ``apprenticeships=False`` leaves out the employers, apprenticeships, hours and reviews,
    for a quicker build where they are not wanted.
    ``first_cohort`` optionally sets the size of the first cohort (say 100, to measure a
    dashboard for a typical cohort); the other cohorts then share the rest equally.
    The figures are counts of rows by table (and of people by role), with ``provider_id``
    and ``created`` (False when the provider was already there and nothing changed).
    Generated history is not audited (see the module's docstring). The caller commits.
    """
    if learners < 1 or cohorts < 1 or items_per_learner < 0:
        raise ValueError("learners and cohorts must be at least 1, items at least 0")
    existing = db.session.scalar(
        select(User.provider_id).where(User.email == ADMIN_EMAIL)
    ) or db.session.scalar(select(Provider.id).where(Provider.name == provider_name(learners)))
    if existing is not None:
        return figures(existing, created=False)
    units = _units()
    if not units:
        raise click.ClickException(
            "the criteria library is empty: run 'flask criteria import' first"
        )
    return _Builder(
        learners, cohorts, items_per_learner, seed, first_cohort, units, apprenticeships
    ).build()


def settle(tables: tuple[str, ...] = ()) -> None:
    """After a bulk load, leave the database as one in service is: fresh statistics for the
    planner and, on PostgreSQL, the tables vacuumed (visibility map and hint bits set), which
    autovacuum would otherwise do a minute later, for minutes, while the pages are in use.
    Only the ``tables`` named, when some are; else every table."""
    db.session.commit()
    names = ", ".join(f'"{name}"' for name in tables)
    if db.engine.dialect.name == "postgresql":
        # Not in a transaction, so on a connection of its own. Without truncating: giving
        # back a table's empty end needs a lock that any open transaction writing to the
        # table holds up, and VACUUM waits up to 5 s a table for it before going on.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE, TRUNCATE false) {names}")
    else:
        for name in tables or ("",):
            db.session.execute(text(f"ANALYZE {name}"))
        db.session.commit()


def written_tables() -> tuple[str, ...]:
    """The tables the large demo writes to."""
    models = (Provider, Employer, User, Cohort, Enrolment, Apprenticeship)
    rows = (table for table, _rows in _Rows().tables())
    return tuple(table.name for table in (*(m.__table__ for m in models), *rows))


def figures(provider_id: int, *, created: bool = False) -> dict:
    """Counts of the provider's rows, table by table, read from the database."""

    def count(query) -> int:
        return db.session.scalar(query) or 0

    roles = dict(
        db.session.execute(
            select(User.role, func.count())
            .where(User.provider_id == provider_id)
            .group_by(User.role)
        ).all()
    )
    items = select(EvidenceItem.id).where(EvidenceItem.provider_id == provider_id)
    decisions = select(Decision.id).where(Decision.provider_id == provider_id)
    enrolments = select(Enrolment.id).where(Enrolment.provider_id == provider_id)
    return {
        "provider_id": provider_id,
        "created": created,
        "admins": roles.get(Role.ADMIN, 0),
        "assessors": roles.get(Role.ASSESSOR, 0),
        "iqas": roles.get(Role.IQA, 0),
        "learners": roles.get(Role.LEARNER, 0),
        "cohorts": count(select(func.count()).where(Cohort.provider_id == provider_id)),
        "enrolments": count(select(func.count()).where(Enrolment.provider_id == provider_id)),
        "evidence_items": count(
            select(func.count()).where(EvidenceItem.provider_id == provider_id)
        ),
        "evidence_versions": count(select(func.count()).where(EvidenceVersion.item_id.in_(items))),
        "criterion_claims": count(select(func.count()).where(CriterionClaim.item_id.in_(items))),
        "decisions": count(select(func.count()).where(Decision.provider_id == provider_id)),
        "criterion_judgements": count(
            select(func.count()).where(CriterionJudgement.decision_id.in_(decisions))
        ),
        "enrolment_progress": count(
            select(func.count()).where(EnrolmentProgress.provider_id == provider_id)
        ),
        "criterion_states": count(
            select(func.count()).where(CriterionState.enrolment_id.in_(enrolments))
        ),
        "employers": count(select(func.count()).where(Employer.provider_id == provider_id)),
        "line_managers": roles.get(Role.EMPLOYER, 0),
        "apprenticeships": count(
            select(func.count()).where(Apprenticeship.enrolment_id.in_(enrolments))
        ),
        "otj_entries": count(select(func.count()).where(OtjEntry.provider_id == provider_id)),
        "progress_reviews": count(
            select(func.count()).where(ProgressReview.provider_id == provider_id)
        ),
    }


def _units() -> list[_UnitInfo]:
    units = db.session.scalars(
        select(Unit).join(AwardingBody).order_by(AwardingBody.code, Unit.code)
    ).all()
    out = []
    for unit in units:
        if not unit.qualifications or not unit.criteria_sets:
            continue
        current = unit.current
        criteria = db.session.scalars(
            select(Criterion.id)
            .where(Criterion.criteria_set_id == current.id)
            .order_by(Criterion.position)
        ).all()
        if criteria:
            out.append(_UnitInfo(unit.id, unit.qualifications[0].id, current.id, list(criteria)))
    return out


def _next_id(model) -> int:
    """The first id to assign: past every row, and on PostgreSQL past its id sequence too."""
    first = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    if db.session.get_bind().dialect.name == "postgresql":
        sequence = f"pg_get_serial_sequence('{model.__tablename__}', 'id')"
        first = max(first, db.session.scalar(text(f"SELECT nextval({sequence})")))
    return first


def _employer_name(n: int) -> str:
    surname, kind = SURNAMES[n % len(SURNAMES)], EMPLOYER_KINDS[n // len(SURNAMES) % len(EMPLOYER_KINDS)]
    repeat = n // (len(SURNAMES) * len(EMPLOYER_KINDS))
    return f"{surname} {kind} Ltd" + (f" ({repeat + 1})" if repeat else "")


def _aware(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=UTC)


def _local(moment: datetime) -> str:
    """A time as the evidence forms store it: local ISO to the minute (UTC here)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def _insert(table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(table), rows)


class _Builder:
    def __init__(self, learners, cohorts, items_per_learner, seed, first_cohort, units,
                 apprenticeships=True):  # fmt: skip
        self.learners = learners
        self.apprenticeships = apprenticeships
        self.cohort_count = cohorts
        self.items_per_learner = items_per_learner
        self.first_cohort = first_cohort
        self.units = units
        self.rng = random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.today = self.now.date()
        self.counts = dict.fromkeys(
            ("evidence_items", "evidence_versions", "criterion_claims", "decisions",
             "criterion_judgements", "enrolment_progress", "criterion_states", "apprenticeships",
             "otj_entries", "progress_reviews"), 0,
        )  # fmt: skip
        self.started = time.monotonic()
        self.last_report = self.started
        self.references = 0
        self._html: dict[tuple, dict] = {}
        self._personal_data: dict[tuple, int] = {}
        self._feedback_html = {
            words: render_markdown(words) for words in ACCEPT_FEEDBACK + RETURN_FEEDBACK
        }

    # -- people, cohorts, enrolments -------------------------------------------------------

    def build(self) -> dict:
        provider_id = _next_id(Provider)
        _insert(
            Provider.__table__,
            # No second factor: the benchmarks sign its admin in with the password alone.
            [{"id": provider_id, "name": provider_name(self.learners), "marking_target_days": 10,
              "two_factor_roles": "", "created_at": self.now - timedelta(days=800)}],
        )  # fmt: skip
        self.provider_id = provider_id
        assessors = max(1, round(self.learners / LEARNERS_PER_ASSESSOR))
        iqas = max(1, round(self.learners / LEARNERS_PER_IQA))
        password_hash = hash_password(PASSWORD)  # once: every generated account shares it
        user_id = _next_id(User)
        users = []

        def person(email: str, role: Role, created_at: datetime, employer_id=None) -> int:
            nonlocal user_id
            users.append({
                "id": user_id, "provider_id": provider_id, "email": email, "name": self._name(),
                "role": role, "password_hash": password_hash, "active": True,
                "new_assessor": False, "access_expires_on": None,
                "session_token": secrets.token_urlsafe(24), "created_at": created_at,
                "last_signed_in_at": None, "employer_id": employer_id,
            })  # fmt: skip
            user_id += 1
            return user_id - 1

        staff_since = self.now - timedelta(days=790)
        person(ADMIN_EMAIL, Role.ADMIN, staff_since)
        assessor_ids = [person(f"assessor{n}@{DOMAIN}", Role.ASSESSOR, staff_since)
                        for n in range(1, assessors + 1)]  # fmt: skip
        iqa_ids = [person(f"iqa{n}@{DOMAIN}", Role.IQA, staff_since) for n in range(1, iqas + 1)]
        employer_ids = self._employers(staff_since) if self.apprenticeships else []
        managers = [
            (person(f"manager{n}@{DOMAIN}", Role.EMPLOYER, staff_since, employer), employer)
            for n, employer in enumerate(
                (employer_ids[m % len(employer_ids)]
                 for m in range(round(self.learners / APPRENTICES_PER_MANAGER) or 1)
                 if employer_ids),
                start=1,
            )
        ]  # fmt: skip

        cohort_rows = self._cohorts()
        sizes = self._cohort_sizes()
        plans: list[_Plan] = []
        enrolments = []
        enrolment_id = _next_id(Enrolment)
        index = 0
        for cohort, size in zip(cohort_rows, sizes, strict=True):
            for _ in range(size):
                plan = self._plan(index, cohort, enrolment_id, assessor_ids, staff_since)
                plan.learner_id = person(
                    f"learner{index + 1}@{DOMAIN}", Role.LEARNER, plan.created_at
                )
                if managers:
                    plan.manager_id, plan.employer_id = managers[index % len(managers)]
                    weeks = (plan.planned_end_on - plan.starts_on).days / 7
                    plan.planned_hours = round(weeks * OTJ_HOURS_PER_WEEK)
                plans.append(plan)
                enrolments.append({
                    "id": enrolment_id, "provider_id": provider_id, "learner_id": plan.learner_id,
                    "qualification_id": plan.unit.qualification_id, "unit_id": plan.unit.unit_id,
                    "criteria_set_id": plan.unit.criteria_set_id, "cohort_id": cohort["id"],
                    "assessor_id": plan.assessor_id, "iqa_id": iqa_ids[index % len(iqa_ids)],
                    "starts_on": plan.starts_on, "planned_end_on": plan.planned_end_on,
                    "locked": False, "created_at": plan.created_at,
                })  # fmt: skip
                enrolment_id += 1
                index += 1
        for start in range(0, len(users), BATCH_ITEMS):
            _insert(User.__table__, users[start : start + BATCH_ITEMS])
        _insert(Cohort.__table__, cohort_rows)
        for start in range(0, len(enrolments), BATCH_ITEMS):
            _insert(Enrolment.__table__, enrolments[start : start + BATCH_ITEMS])
        _insert(Apprenticeship.__table__, [
            {"enrolment_id": plan.enrolment_id, "programme": PROGRAMME,
             "employer_id": plan.employer_id, "line_manager_id": plan.manager_id,
             "planned_otj_hours": plan.planned_hours, "created_at": plan.created_at,
             "updated_at": plan.created_at}
            for plan in plans if plan.manager_id
        ])  # fmt: skip
        self.counts["apprenticeships"] = len(plans) if managers else 0
        self._share_items(plans)
        self._evidence(plans)
        self._fix_sequences()
        self._report(len(plans), final=True)
        result = {
            "provider_id": provider_id,
            "created": True,
            "admins": 1,
            "assessors": assessors,
            "iqas": iqas,
            "learners": self.learners,
            "cohorts": len(cohort_rows),
            "enrolments": len(enrolments),
            "employers": len(employer_ids),
            "line_managers": len(managers),
        }
        result.update(self.counts)
        return result

    def _employers(self, since: datetime) -> list[int]:
        """The apprentices' employers, inserted now (their line managers' accounts name them)."""
        first_id = _next_id(Employer)
        count = max(1, round(self.learners / APPRENTICES_PER_EMPLOYER))
        _insert(Employer.__table__, [
            {"id": first_id + n, "provider_id": self.provider_id,
             "name": _employer_name(n),
             "contact_name": self._name(), "contact_email": None, "contact_phone": None,
             "created_at": since}
            for n in range(count)
        ])  # fmt: skip
        return [first_id + n for n in range(count)]

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"

    def _cohort_sizes(self) -> list[int]:
        count = self.cohort_count
        if self.first_cohort is not None and count > 1 and 0 < self.first_cohort < self.learners:
            rest = self.learners - self.first_cohort
            return [self.first_cohort] + [
                rest // (count - 1) + (1 if i < rest % (count - 1) else 0) for i in range(count - 1)
            ]
        return [
            self.learners // count + (1 if i < self.learners % count else 0) for i in range(count)
        ]

    def _cohorts(self) -> list[dict]:
        """Cohorts starting at even steps over the last two years (the newest 45 days ago)."""
        first_id = _next_id(Cohort)
        oldest, newest = self.today - timedelta(days=730), self.today - timedelta(days=45)
        step = (newest - oldest).days / max(1, self.cohort_count - 1)
        rows = []
        for i in range(self.cohort_count):
            starts_on = oldest + timedelta(days=round(i * step))
            rows.append({
                "id": first_id + i, "provider_id": self.provider_id,
                "name": f"Cohort {i + 1}: contact centre apprentices, {starts_on:%B %Y}",
                "starts_on": starts_on, "ends_on": starts_on + timedelta(days=364),
                "created_at": _aware(starts_on - timedelta(days=30)),
            })  # fmt: skip
        return rows

    def _plan(self, index, cohort, enrolment_id, assessor_ids, staff_since) -> _Plan:
        rng = self.rng
        starts_on = min(cohort["starts_on"] + timedelta(days=rng.randint(0, 21)),
                        self.today - timedelta(days=30))  # fmt: skip
        planned_end_on = starts_on + timedelta(days=rng.randint(330, 460))
        elapsed = (self.today - starts_on).days
        fraction = min(1.0, elapsed / (planned_end_on - starts_on).days)
        # About one learner in seven has done nothing for 30 days or more.
        if elapsed > 60 and rng.random() < 0.15:
            idle = timedelta(days=rng.uniform(30, min(150, elapsed - 20)))
        else:
            idle = timedelta(days=rng.uniform(0, 20))
        return _Plan(
            index=index,
            learner_id=0,
            enrolment_id=enrolment_id,
            assessor_id=self._assessor(index, assessor_ids),
            cohort_id=cohort["id"],
            unit=self.units[index % len(self.units)],
            starts_on=starts_on,
            planned_end_on=planned_end_on,
            created_at=max(_aware(starts_on - timedelta(days=7)), staff_since),
            active_until=(self.now - idle).replace(microsecond=0),
            fraction=fraction,
        )

    def _assessor(self, index: int, assessor_ids: list[int]) -> int:
        """Assessors work in teams of ten, and a team takes the next ``10 x 50`` learners to
        enrol, in turn among its members: a cohort is shared by one team or two, as a provider
        staffs its intakes, and every assessor has about 50 learners."""
        count = len(assessor_ids)
        position = index * count // self.learners  # the assessor's place, were it in order
        team = position - position % ASSESSOR_TEAM
        members = min(ASSESSOR_TEAM, count - team)
        return assessor_ids[team + index % members]

    def _share_items(self, plans: list[_Plan]) -> None:
        """About ``items_per_learner`` each on average; learners further on have more."""
        weights = [0.4 + plan.fraction * self.rng.uniform(0.6, 1.4) for plan in plans]
        scale = self.items_per_learner * len(plans) / sum(weights)
        for plan, weight in zip(plans, weights, strict=True):
            plan.items = round(weight * scale)

    # -- evidence ----------------------------------------------------------------------------

    def _evidence(self, plans: list[_Plan]) -> None:
        self.ids = {
            "item": _next_id(EvidenceItem),
            "version": _next_id(EvidenceVersion),
            "claim": _next_id(CriterionClaim),
            "decision": _next_id(Decision),
            "judgement": _next_id(CriterionJudgement),
            "entry": _next_id(OtjEntry),
            "review": _next_id(ProgressReview),
            "target": _next_id(ReviewTarget),
        }
        rows = _Rows()
        for done, plan in enumerate(plans, start=1):
            self._learner(plan, rows)
            if len(rows.items) >= BATCH_ITEMS:
                self._write(rows)
                rows = _Rows()
            self._report(done)
        self._write(rows)

    def _write(self, rows: _Rows) -> None:
        for table, table_rows in rows.tables():
            _insert(table, table_rows)

    def _report(self, learners_done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last_report < PROGRESS_EVERY_SECONDS:
            return
        self.last_report = now
        print(
            f"large demo: {learners_done:,} of {self.learners:,} learners, "
            f"{self.counts['evidence_items']:,} evidence items"
            + (" written" if final else " so far")
            + f" ({now - self.started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    def _take(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    def _learner(self, plan: _Plan, rows: _Rows) -> None:
        rng = self.rng
        criteria = plan.unit.criteria
        n = len(criteria)
        # The criteria the learner has reached: accepted evidence covers the first ones, work in
        # progress may reach one or two further.
        reach_met = max(1, min(n, round(plan.fraction * n * rng.uniform(0.8, 1.25))))
        reach_claimed = min(n, reach_met + rng.choice((0, 1, 1, 2)))
        start = max(_aware(plan.starts_on), plan.created_at)
        end = max(plan.active_until, start + timedelta(hours=1))
        span = (end - start).total_seconds()
        # Items spread over the learner's time so far; the newest one is their last activity.
        offsets = [rng.uniform(0, span * 0.98) for _ in range(plan.items - 1)]
        if plan.items:
            offsets.append(max(0.0, span - rng.uniform(0, 86400)))
        created_times = sorted(start + timedelta(seconds=offset) for offset in offsets)
        claimed: set[int] = set()
        met: set[int] = set()
        awaiting = 0
        oldest_awaiting = None
        returned_twice = 0
        last_activity = None
        incident_logs: list[int] = []
        for position, created in enumerate(created_times):
            late = position >= plan.items * 0.8
            status, rounds = self._status(late)
            kind = self._kind()
            pool = (
                criteria[:reach_met]
                if status is EvidenceStatus.ACCEPTED
                else criteria[:reach_claimed]
            )
            claim_ids = (
                rng.sample(pool, 2) if len(pool) > 1 and rng.random() < 0.5 else [rng.choice(pool)]
            )
            item_id = self._take("item")
            times = self._times(created, end, rounds)
            updated = times[-1]
            content, html, title, personal_data = self._content(kind, created)
            linked = None
            if kind is EvidenceKind.STAR_ACCOUNT and incident_logs and rng.random() < 0.5:
                linked = rng.choice(incident_logs)
            if kind is EvidenceKind.INCIDENT_LOG:
                incident_logs.append(item_id)
            version_rows, decision_rows, submitted = self._history(
                plan, item_id, rounds, times, claim_ids, content, html, met
            )
            rows.versions.extend(version_rows)
            for decision, judgements in decision_rows:
                rows.decisions.append(decision)
                rows.judgements.extend(judgements)
            rows.items.append({
                "id": item_id, "provider_id": self.provider_id, "enrolment_id": plan.enrolment_id,
                "learner_id": plan.learner_id, "kind": kind, "title": title, "status": status,
                "linked_item_id": linked, "created_by_id": plan.learner_id, "created_at": created,
                "updated_at": updated, "submitted_at": submitted, "lock_version": 1,
                "personal_data_open": personal_data,
            })  # fmt: skip
            for criterion_id in claim_ids:
                rows.claims.append({
                    "id": self._take("claim"), "item_id": item_id, "criterion_id": criterion_id,
                    "note": rng.choice(CLAIM_NOTES), "created_by_id": plan.learner_id,
                    "created_at": created,
                })  # fmt: skip
            claimed.update(claim_ids)
            if status is EvidenceStatus.SUBMITTED:
                awaiting += 1
                if oldest_awaiting is None or submitted < oldest_awaiting:
                    oldest_awaiting = submitted
            if rounds.count("R") >= 2:
                returned_twice += 1
            if last_activity is None or updated > last_activity:
                last_activity = updated
            self.counts["evidence_items"] += 1
            self.counts["evidence_versions"] += len(version_rows)
            self.counts["criterion_claims"] += len(claim_ids)
            self.counts["decisions"] += len(decision_rows)
            self.counts["criterion_judgements"] += sum(len(j) for _d, j in decision_rows)
        entries = self._hours(plan, rows) if plan.manager_id else []
        last_review = self._reviews(plan, rows, entries, n, len(met)) if plan.manager_id else None
        logged = sum(e["minutes"] for e in entries if e["status"] is not EntryStatus.REJECTED)
        verified = sum(e["minutes"] for e in entries if e["status"] is EntryStatus.VERIFIED)
        scope = {"provider_id": self.provider_id, "cohort_id": plan.cohort_id,
                 "qualification_id": plan.unit.qualification_id, "unit_id": plan.unit.unit_id,
                 "assessor_id": plan.assessor_id}  # fmt: skip
        rows.progress.append({
            "enrolment_id": plan.enrolment_id, **scope, "starts_on": plan.starts_on,
            "planned_end_on": plan.planned_end_on, "criteria_total": n,
            "criteria_claimed": len(claimed | met), "criteria_met": len(met),
            "items": plan.items, "awaiting_marking": awaiting, "oldest_awaiting_at": oldest_awaiting,
            "items_returned_twice": returned_twice,
            "last_activity_at": last_activity or plan.created_at,
            "signed_off": False, "countersigned": False, "updated_at": self.now,
            "otj_planned_minutes": plan.planned_hours * 60 if plan.manager_id else None,
            "otj_logged_minutes": logged,
            "otj_verified_minutes": verified,
            # No breaks in learning: the next review is due the interval after the last.
            "last_review_on": last_review,
            "review_due_on": ((last_review or plan.starts_on) + timedelta(weeks=REVIEW_WEEKS)
                              if plan.manager_id else None),
        })  # fmt: skip
        rows.states.extend(
            {"enrolment_id": plan.enrolment_id, "criterion_id": c, **scope,
             "state": MET if c in met else CLAIMED if c in claimed else NOT_STARTED}
            for c in criteria
        )  # fmt: skip
        self.counts["enrolment_progress"] += 1
        self.counts["criterion_states"] += n

    # -- apprenticeships ---------------------------------------------------------------------

    def _hours(self, plan: _Plan, rows: _Rows) -> list[dict]:
        """About HOURS_ENTRIES entries on weekdays from the start to the learner's last
        activity, at most one a day: most verified, a few rejected with a reason, the newest
        eight awaiting verification. Returns the entries' rows."""
        rng = self.rng
        last = min(plan.active_until.date(), self.today - timedelta(days=1))
        days = [plan.starts_on + timedelta(days=d)
                for d in range((last - plan.starts_on).days + 1)
                if (plan.starts_on + timedelta(days=d)).weekday() < 5]  # fmt: skip
        wanted = rng.randint(HOURS_ENTRIES * 2 // 3, HOURS_ENTRIES * 4 // 3)
        chosen = sorted(rng.sample(days, min(wanted, len(days))))
        codes = list(ACTIVITIES)
        entries = []
        for offset, day in enumerate(chosen):
            entry_id = self._take("entry")
            activity = codes[rng.randrange(len(codes))]
            start = rng.choice((9 * 60, 9 * 60 + 30, 13 * 60, 14 * 60))
            minutes = rng.choice((60, 90, 120, 180, 240))
            if len(chosen) - offset <= 8:
                status = EntryStatus.AWAITING
            elif rng.random() < 0.04:
                status = EntryStatus.REJECTED
            else:
                status = EntryStatus.VERIFIED
            at = datetime.combine(day, clock(17), tzinfo=UTC)
            learned = f"{ACTIVITIES[activity]}: what I learned on {day:%d %B}."
            entry = {
                "id": entry_id, "provider_id": self.provider_id, "enrolment_id": plan.enrolment_id,
                "learner_id": plan.learner_id, "on_date": day, "start_minute": start,
                "end_minute": start + minutes, "minutes": minutes, "activity": activity,
                "activity_kind_id": None, "learned": learned, "status": status, "version": 1,
                "created_at": at, "updated_at": at, "lock_version": 1,
            }  # fmt: skip
            decided = status is not EntryStatus.AWAITING
            rows.entries.append(entry)
            rows.entry_versions.append({
                "entry_id": entry_id, "number": 1, "created_by_id": plan.learner_id,
                "created_at": at,
                "content": {"on": day.isoformat(), "start_minute": start,
                            "end_minute": start + minutes, "minutes": minutes,
                            "activity": activity, "activity_kind_id": None,
                            "activity_label": ACTIVITIES[activity], "learned": learned,
                            "criteria": [], "evidence": []},
                "status": status, "decided_by_id": plan.assessor_id if decided else None,
                "decided_at": at + timedelta(days=2) if decided else None,
                "reason": "Not away from normal duties." if status is EntryStatus.REJECTED
                else None,
            })  # fmt: skip
            entries.append(entry)
        self.counts["otj_entries"] += len(entries)
        return entries

    def _reviews(self, plan: _Plan, rows: _Rows, entries: list[dict], criteria: int,
                 met: int) -> date | None:  # fmt: skip
        """A review every REVIEW_WEEKS weeks from the start, held on or a few days before its
        due day and signed by the assessor, the apprentice and the line manager, each setting
        a target and carrying the last one's forward. About one apprentice in eight missed the
        latest, which is now overdue. Returns the day the last was held (None for none)."""
        rng = self.rng
        interval = timedelta(weeks=REVIEW_WEEKS)
        # Each review is due the interval after the last was held (the first, after the start)
        # and is held on that day or up to ten days before.
        held_days = []
        since = plan.starts_on
        while since + interval <= self.today:
            due_on = since + interval
            held_days.append((due_on, due_on - timedelta(days=rng.randint(0, 10))))
            since = held_days[-1][1]
        if held_days and plan.index % 8 == 3:
            held_days.pop()  # one apprentice in eight missed the latest: overdue now
        whole = max(1, (plan.planned_end_on - plan.starts_on).days)
        previous_targets: list[dict] = []
        since = plan.starts_on
        for number, (due_on, held) in enumerate(held_days, start=1):
            period = [e for e in entries if since < e["on_date"] <= held]
            upto = [e for e in entries if e["on_date"] <= held]

            def total(found, *statuses):
                return round(sum(e["minutes"] for e in found if e["status"] in statuses) / 60, 2)

            verified = total(upto, EntryStatus.VERIFIED)
            planned = plan.planned_hours
            due_hours = round(planned * min(1.0, (held - plan.starts_on).days / whole), 2)
            share = verified / due_hours if due_hours else 1.0
            facts = {
                "gathered_at": _aware(held, 10).isoformat(),
                "period": {"from": since.isoformat(), "to": held.isoformat()},
                "met_ids": [],
                "criteria_total": criteria,
                "criteria_met_total": round(met * (held - plan.starts_on).days
                                            / max(1, (self.today - plan.starts_on).days)),
                "criteria_met": [],
                "evidence": {"accepted": 0, "accepted_titles": [], "returned": 0,
                             "returned_titles": []},
                "hours": {
                    "planned": float(planned), "due": due_hours,
                    "logged": total(upto, EntryStatus.VERIFIED, EntryStatus.AWAITING),
                    "verified": verified,
                    "awaiting": total(upto, EntryStatus.AWAITING),
                    "rag": "green" if share >= 1 else "amber" if share >= 0.9 else "red",
                    "period_verified": total(period, EntryStatus.VERIFIED),
                    "period_logged": total(period, EntryStatus.VERIFIED, EntryStatus.AWAITING),
                },
                "previous_targets": [
                    {"text": t["text"], "due_on": None, "state": TargetState.MET.value}
                    for t in previous_targets
                ],
            }  # fmt: skip
            review_id = self._take("review")
            signed_at = _aware(held, 16)
            rows.reviews.append({
                "id": review_id, "provider_id": self.provider_id,
                "enrolment_id": plan.enrolment_id, "number": number, "due_on": due_on,
                "held_on": held, "status": ReviewStatus.SIGNED, "facts": facts,
                "reviewer_notes": REVIEWER_NOTES, "apprentice_comments": APPRENTICE_COMMENTS,
                "employer_comments": EMPLOYER_COMMENTS,
                "created_by_id": plan.assessor_id, "created_at": _aware(held, 9),
                "updated_at": signed_at, "signed_at": signed_at,
            })  # fmt: skip
            targets = []
            for position, carried in enumerate(previous_targets):
                targets.append({"id": self._take("target"), "review_id": review_id,
                                "position": position, "text": carried["text"], "due_on": None,
                                "state": TargetState.MET, "carried_from_id": carried["id"]})  # fmt: skip
            targets.append({"id": self._take("target"), "review_id": review_id,
                            "position": len(targets),
                            "text": REVIEW_TARGETS[number % len(REVIEW_TARGETS)],
                            "due_on": None, "state": TargetState.OPEN, "carried_from_id": None})  # fmt: skip
            rows.targets.extend(targets)
            # What each party signed, as reviews.signed_content puts it.
            shared = {
                "review": review_id, "enrolment": plan.enrolment_id, "learner": plan.learner_id,
                "unit": plan.unit.unit_id, "number": number, "due_on": due_on.isoformat(),
                "held_on": held.isoformat(), "facts": facts, "reviewer_notes": REVIEWER_NOTES,
                "targets": [{"text": t["text"], "due_on": None, "state": t["state"].value,
                             "carried": t["carried_from_id"] is not None} for t in targets],
            }  # fmt: skip
            comments = {Party.REVIEWER: "", Party.APPRENTICE: APPRENTICE_COMMENTS,
                        Party.EMPLOYER: EMPLOYER_COMMENTS}  # fmt: skip
            for minutes, (party, user_id) in enumerate(
                ((Party.REVIEWER, plan.assessor_id), (Party.APPRENTICE, plan.learner_id),
                 (Party.EMPLOYER, plan.manager_id))
            ):  # fmt: skip
                signed = {**shared, "party": party.value, "comments": comments[party]}
                rows.signatures.append({
                    "review_id": review_id, "party": party, "user_id": user_id,
                    "signed_at": signed_at - timedelta(minutes=30 - 10 * minutes),
                    "content_sha256": canonical_hash(signed),
                })  # fmt: skip
            previous_targets = targets[-1:]
            since = held
        self.counts["progress_reviews"] += len(held_days)
        return held_days[-1][1] if held_days else None

    def _status(self, late: bool) -> tuple[EvidenceStatus, list[str]]:
        """An item's status and the decisions it went through: A accepted, R returned.

        Older items are mostly accepted; the newest are mostly drafts or awaiting marking.
        """
        r = self.rng.random()
        if late:
            status = (EvidenceStatus.DRAFT if r < 0.35 else EvidenceStatus.SUBMITTED if r < 0.80
                      else EvidenceStatus.RETURNED if r < 0.90 else EvidenceStatus.ACCEPTED)  # fmt: skip
        else:
            status = (EvidenceStatus.ACCEPTED if r < 0.90 else EvidenceStatus.RETURNED if r < 0.95
                      else EvidenceStatus.DRAFT)  # fmt: skip
        r = self.rng.random()
        if status is EvidenceStatus.ACCEPTED:
            return status, ["R", "A"] if r < 0.08 else ["A"]
        if status is EvidenceStatus.RETURNED:
            return status, ["R", "R"] if r < 0.25 else ["R"]
        if status is EvidenceStatus.SUBMITTED:
            return status, ["R", "S"] if r < 0.12 else ["S"]
        return status, ["draft"]

    def _kind(self) -> EvidenceKind:
        r = self.rng.random()
        for kind, weight in KIND_WEIGHTS:
            if r < weight:
                return kind
            r -= weight
        return KIND_WEIGHTS[-1][0]

    def _times(self, created: datetime, end: datetime, rounds: list[str]) -> list[datetime]:
        """created, then for each round its submission and (unless awaiting) its decision."""
        rng = self.rng
        steps = []
        if rounds != ["draft"]:
            for round_ in rounds:
                steps.append(timedelta(hours=rng.uniform(0.5, 72)))  # writing, then submitting
                if round_ != "S":
                    steps.append(timedelta(days=rng.uniform(0.5, 14)))  # awaiting the assessor
        else:
            steps.append(timedelta(minutes=rng.uniform(5, 240)))  # the last edit of the draft
        total = sum(steps, timedelta())
        room = end - created
        if total > room:
            factor = room / total if total else 0
            steps = [step * factor for step in steps]
        times = [created]
        for step in steps:
            times.append((times[-1] + step).replace(microsecond=0))
        # Rounding to the second must not reorder or pass the end.
        for i in range(1, len(times)):
            times[i] = min(max(times[i], times[i - 1]), end)
        return times

    def _history(self, plan, item_id, rounds, times, claim_ids, content, html, met):
        """Versions and decisions with judgements; adds to ``met`` what accepted items meet."""
        rng = self.rng
        versions, decisions = [], []
        if rounds == ["draft"]:
            versions.append(
                self._version(item_id, 1, content, html, plan, times[0], times[1], None)
            )
            return versions, decisions, None
        moment = 1
        version_start = times[0]
        previous_met: set[int] = set()
        submitted = None
        for number, round_ in enumerate(rounds, start=1):
            submitted = times[moment]
            moment += 1
            decided = times[moment] if round_ != "S" else None
            versions.append(self._version(item_id, number, content, html, plan, version_start,
                                          submitted, submitted))  # fmt: skip
            if round_ == "S":
                break
            moment += 1
            if round_ == "A":
                judged = {c: True for c in claim_ids}
                if len(claim_ids) > 1 and not previous_met and rng.random() < 0.1:
                    judged[claim_ids[-1]] = False  # accepted on the one criterion it meets
                met.update(c for c, ok in judged.items() if ok)
                outcome, feedback = Outcome.ACCEPTED, rng.choice(ACCEPT_FEEDBACK)
            else:
                judged = {c: c != claim_ids[-1] and rng.random() < 0.5 for c in claim_ids}
                previous_met = {c for c, ok in judged.items() if ok}
                outcome, feedback = Outcome.RETURNED, rng.choice(RETURN_FEEDBACK)
            decision_id = self._take("decision")
            decisions.append((
                {"id": decision_id, "provider_id": self.provider_id, "item_id": item_id,
                 "version_number": number, "assessor_id": plan.assessor_id, "outcome": outcome,
                 "feedback": feedback, "feedback_html": self._feedback_html[feedback],
                 "decided_at": decided,
                 "marking_days": working_days_between(submitted.date(), decided.date()),
                 "enrolment_id": plan.enrolment_id, "unit_id": plan.unit.unit_id,
                 "cohort_id": plan.cohort_id, "qualification_id": plan.unit.qualification_id},
                [{"id": self._take("judgement"), "decision_id": decision_id, "criterion_id": c,
                  "met": ok, "comment": rng.choice(MET_COMMENTS if ok else NOT_MET_COMMENTS),
                  "added_by_assessor": False}
                 for c, ok in judged.items()],
            ))  # fmt: skip
            # The learner reworks a returned item in a new version.
            version_start = decided
        return versions, decisions, submitted

    def _version(self, item_id, number, content, html, plan, created, updated, submitted):
        return {
            "id": self._take("version"), "item_id": item_id, "number": number,
            "content": content, "html": html, "created_by_id": plan.learner_id,
            "created_at": created, "updated_at": updated, "submitted_at": submitted,
        }  # fmt: skip

    # -- content -------------------------------------------------------------------------------

    def _content(self, kind: EvidenceKind, created: datetime) -> tuple[dict, dict, str, int]:
        """Small content valid for the kind, its rendered Markdown, a title, and how much
        possible personal data the personal-data check finds in them (the template's: the
        times and references made for each item are none)."""
        rng = self.rng
        if kind is EvidenceKind.INCIDENT_LOG:
            index = rng.randrange(len(INCIDENTS))
            template = INCIDENTS[index]
            content = self._incident(template, created)
        elif kind is EvidenceKind.CALL_NOTE:
            index = rng.randrange(len(CALL_NOTES))
            title, channel, minutes, notes = CALL_NOTES[index]
            template = {"title": title}
            content = {"call_date": created.date().isoformat(), "channel": channel,
                       "duration_minutes": minutes, "notes": notes}  # fmt: skip
        else:
            index = rng.randrange(len(STAR_ACCOUNTS))
            title, parts = STAR_ACCOUNTS[index]
            template = {"title": title}
            content = dict(parts)
        key = (kind, index)
        if key not in self._html:
            self._html[key] = kinds.render_html(kind, content)
            self._personal_data[key] = len(personal_data_in(template["title"], kind, content))
        return content, self._html[key], template["title"], self._personal_data[key]

    def _incident(self, template: dict, created: datetime) -> dict:
        reported = created - timedelta(hours=2)
        self.references += 1
        escalated = (template["impact"], template["urgency"]) in ESCALATED and template[
            "escalation"
        ]
        communications = [
            {"at": _local(reported + timedelta(minutes=6 + 24 * i)), "with": whom,
             "channel": channel, "summary": summary}
            for i, (whom, channel, summary) in enumerate(template["communications"])
        ]  # fmt: skip
        return {
            "reference": f"INC-{reported:%Y%m%d}-{self.references % 10000:04d}",
            "reported_at": _local(reported),
            "caller_reference": "Caller A",
            "channel": template["channel"],
            "incident_type": template["incident_type"],
            "location": template["location"],
            "nature": template["nature"],
            "impact": template["impact"],
            "urgency": template["urgency"],
            "severity": template["severity"],
            "escalated": bool(escalated),
            "escalation": {
                "to": template["escalation"][0],
                "at": _local(reported + timedelta(minutes=3)),
                "reason": template["escalation"][1],
            }
            if escalated
            else {},  # fmt: skip
            "resources": [
                {
                    "resource": template["resource"],
                    "availability_confirmed": True,
                    "dispatched_at": _local(reported + timedelta(minutes=10)),
                    "receipt_confirmed": True,
                }
            ],  # fmt: skip
            "communications": communications,
            "customer_updates": template["customer_updates"],
            "resolved_at": _local(reported + timedelta(minutes=75)),
            "root_cause": template["root_cause"],
            "lessons_learned": template["lessons_learned"],
        }

    def _fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids assigned here (never backwards)."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for model in (Provider, User, Cohort, Enrolment, EvidenceItem, EvidenceVersion,
                      CriterionClaim, Decision, CriterionJudgement, Employer, OtjEntry,
                      ProgressReview, ReviewTarget):  # fmt: skip
            table = model.__tablename__
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            db.session.execute(
                text(
                    f"SELECT setval({sequence}, GREATEST((SELECT max(id) FROM {table}), "  # noqa: S608
                    f"nextval({sequence})))"
                )  # fmt: skip
            )


@click.command("large-demo")
@click.option(
    "--learners",
    type=click.IntRange(min=1),
    required=True,
    help="Learners of the large provider (5000 for the benchmark).",
)
@click.option(
    "--cohorts",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Cohorts of equal size.",
)
@click.option(
    "--items",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Evidence items per learner, on average.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generator.")
@with_appcontext
def large_demo_command(learners: int, cohorts: int, items: int, seed: int):
    """Build a large provider for measuring pages at scale (running it again changes nothing)."""
    started = time.monotonic()
    result = build_large_provider(learners, cohorts=cohorts, items_per_learner=items, seed=seed)
    db.session.commit()
    if result["created"]:
        settle(written_tables())
    name = db.session.get(Provider, result["provider_id"]).name
    if result["created"]:
        click.echo(f"{name} built in {time.monotonic() - started:.0f} s.")
    else:
        click.echo(f"{name} already present; nothing changed.")
    click.echo(
        f"{result['learners']:,} learners, {result['assessors']} assessor(s), "
        f"{result['iqas']} IQA(s), "
        f"{result['cohorts']} cohorts; {result['evidence_items']:,} evidence items, "
        f"{result['evidence_versions']:,} versions, {result['criterion_claims']:,} claims, "
        f"{result['decisions']:,} decisions, {result['criterion_judgements']:,} judgements; "
        f"{result['apprenticeships']:,} apprenticeships at {result['employers']} employers, "
        f"{result['otj_entries']:,} entries of off-the-job hours, "
        f"{result['progress_reviews']:,} progress reviews."
    )
    click.echo(
        f"Sign in as {ADMIN_EMAIL}, assessor1@{DOMAIN}, iqa1@{DOMAIN}, manager1@{DOMAIN} "
        f"or learner1@{DOMAIN} "
        f"(password: {PASSWORD})."
    )
