"""The data the fuzzer reaches: the demo provider at every stage, and a second provider."""

import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portfolio.accounts.models import Provider, Role, User
from portfolio.apprenticeships import operations as apprenticeships
from portfolio.apprenticeships.models import BreakInLearning, Employer
from portfolio.assessment import marking, signoff
from portfolio.assessment.models import Outcome, Sample
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.demo import PASSWORD, PROVIDER, build_demo, demo_email
from portfolio.demo.lifecycle import DEMO_INCIDENT
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.enrolments.operations import create_cohort
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceFile, EvidenceItem, EvidenceKind, EvidenceVersion
from portfolio.units.models import Unit
from tests import factories
from tests.evidence.helpers import CALL_NOTE
from tests.fuzz.hostile import PNG

# Each role signs in as the demo's account of that role; the learner is Aisha, whose
# Pearson unit has evidence awaiting marking, a draft STAR account and a call note.
ROLES = [
    ("signed out", None),
    ("EQA", demo_email("eqa")),
    ("learner", demo_email("learner")),
    ("assessor", demo_email("assessor")),
    ("IQA", demo_email("iqa")),
    ("admin", demo_email("admin")),
    ("employer", demo_email("employer")),
]
ROLE_PASSWORD = PASSWORD


@dataclass
class DataSet:
    """Real ids for each parameter of an address: the demo provider's, and the other's."""

    own: dict[str, list] = field(default_factory=dict)
    other: dict[str, list] = field(default_factory=dict)
    # Parameters that only make sense together (a file of an item): whole combinations.
    together: dict[frozenset, list[dict]] = field(default_factory=dict)

    def combinations(self, names: set[str]) -> list[dict]:
        """Values for every parameter of an address, one combination per object to reach."""
        for key, combos in self.together.items():
            if key == names:
                return combos
        lists = [self.own.get(name, []) for name in names]
        if not all(lists):
            return []
        return [
            {name: values[i % len(values)] for name, values in zip(names, lists, strict=True)}
            for i in range(max(len(values) for values in lists))
        ]


def _upload(user: User, item: EvidenceItem) -> EvidenceFile:
    return operations.attach_file(
        user, item, FileStorage(io.BytesIO(PNG), "screen.png"), "Screenshot of the log"
    )


def _criteria(enrolment: Enrolment) -> list[int]:
    return [c.id for c in enrolment.criteria_set.criteria]


def _declared_unit(provider: Provider, assessor: User, iqa: User) -> Enrolment:
    """A learner's SFJ unit with every criterion met by accepted evidence, declared."""
    learner = factories.make_user(provider, Role.LEARNER)
    enrolment = factories.make_enrolment(learner, body="SFJ", assessor=assessor, iqa=iqa)
    item = operations.start_item(
        learner, enrolment, EvidenceKind.INCIDENT_LOG, "Gas smell report", DEMO_INCIDENT
    )
    operations.set_claims(learner, item, {c: "The log" for c in _criteria(enrolment)})
    operations.submit_item(learner, item)
    judgements = [marking.Judgement(c.criterion_id, True, "Shown") for c in item.claims]
    marking.record_decision(
        assessor, item, judgements=judgements, outcome=Outcome.ACCEPTED, feedback="Complete.",
        lock_version=None,
    )  # fmt: skip
    signoff.declare(learner, enrolment)
    return enrolment


def build_data_set() -> DataSet:
    """The demo provider, a file on a draft, and another provider with its own learner."""
    assert build_demo(date.today())
    provider = db.session.scalar(select(Provider).where(Provider.name == PROVIDER))
    handles = ["admin", "assessor", "assessor2", "iqa", "eqa"]
    handles += ["learner", "learner3", "learner4", "learner5"]
    people = {
        h: db.session.scalar(select(User).where(User.email == demo_email(h))) for h in handles
    }
    enrolments = {
        handle: db.session.scalar(select(Enrolment).where(Enrolment.learner_id == user.id))
        for handle, user in people.items()
        if handle.startswith("learner")
    }
    # The fuzzing assessor's own work at the stages the demo gives another assessor: a unit
    # ready to sign off, one signed off (to withdraw) and an observation to confirm.
    assessor = people["assessor"]
    ready = _declared_unit(provider, assessor, people["iqa"])
    signed = _declared_unit(provider, assessor, people["iqa"])
    signoff.sign_off(assessor, signed)
    observation = operations.start_item(
        assessor, enrolments["learner"], EvidenceKind.OBSERVATION, "Observed on the phones",
        {"observed_on": "2026-11-03", "context": "Live calls", "observed": "Logged every call.",
         "judgement": "Accurate and complete."},
    )  # fmt: skip
    operations.set_claims(assessor, observation, {_criteria(enrolments["learner"])[0]: "Calls"})
    enrolments |= {"ready": ready, "signed": signed}

    items = db.session.scalars(
        select(EvidenceItem)
        .where(EvidenceItem.provider_id == provider.id)
        .order_by(EvidenceItem.id)
    ).all()
    # One item of each kind in each state, Aisha's first.
    first_of = {}
    for i in items:
        first_of.setdefault((i.kind, i.status), i)
    items = list(first_of.values())
    drafts = [i for i in items if i.kind is EvidenceKind.STAR_ACCOUNT and i.editable]
    own_file = _upload(people["learner"], drafts[0])

    other = factories.make_provider("Another provider")
    other_admin = factories.make_user(other, Role.ADMIN)
    other_assessor = factories.make_user(other, Role.ASSESSOR)
    other_learner = factories.make_user(other, Role.LEARNER)
    other_enrolment = factories.make_enrolment(other_learner, body="SFJ", assessor=other_assessor)
    other_cohort = create_cohort(other_admin, "Other intake", date(2026, 9, 1), date(2027, 7, 31))
    other_item = operations.start_item(
        other_learner, other_enrolment, EvidenceKind.CALL_NOTE, CALL_NOTE["title"],
        {**CALL_NOTE, "duration_minutes": 12},
    )  # fmt: skip
    other_file = _upload(other_learner, other_item)
    other_employer = apprenticeships.create_employer(
        other_admin, name="Other employer", contact_name=None, contact_email=None,
        contact_phone=None,
    )  # fmt: skip
    other_break = apprenticeships.record_break(
        other_admin, other_enrolment, starts_on=other_enrolment.starts_on, ends_on=None,
        reason="Leave", today=date.today(),
    )  # fmt: skip
    db.session.flush()

    cohorts = db.session.scalars(select(Cohort.id).where(Cohort.provider_id == provider.id)).all()
    samples = db.session.scalars(select(Sample.id).where(Sample.provider_id == provider.id)).all()
    units = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
    versions = db.session.execute(
        select(EvidenceVersion.item_id, EvidenceVersion.number)
        .where(EvidenceVersion.item_id.in_([i.id for i in items]))
        .order_by(EvidenceVersion.id)
    ).all()
    trails = {}
    for object_type, object_id in db.session.execute(
        select(AuditEvent.object_type, AuditEvent.object_id)
        .where(AuditEvent.provider_id == provider.id)
        .order_by(AuditEvent.id)
    ):
        trails.setdefault(object_type, object_id)
    learners = [people[h].id for h in ("learner", "learner3", "learner4")]
    data = DataSet()
    data.own = {
        "enrolment_id": [
            enrolments[h].id
            for h in ("learner", "learner3", "learner4", "learner5", "ready", "signed")
        ],  # fmt: skip
        "item_id": [i.id for i in items],
        # Not the accounts the fuzzer signs in with: an admin's edits would lock them out.
        "user_id": [people["learner3"].id, people["learner4"].id, people["assessor2"].id],
        "learner_id": learners,
        "cohort_id": list(cohorts),
        "unit_id": units[:2],
        "sample_id": list(samples),
        "fmt": ["csv", "xlsx"],
        "kind": [kind.value for kind in EvidenceKind],
        "object_type": list(trails),
        "object_id": list(trails.values()),
        "employer_id": db.session.scalars(
            select(Employer.id).where(Employer.provider_id == provider.id)
        ).all(),
        "break_id": db.session.scalars(
            select(BreakInLearning.id)
            .join(Enrolment, Enrolment.id == BreakInLearning.enrolment_id)
            .where(Enrolment.provider_id == provider.id)
        ).all(),
    }
    data.other = {
        "enrolment_id": [other_enrolment.id],
        "item_id": [other_item.id],
        "user_id": [other_learner.id],
        "learner_id": [other_learner.id],
        "cohort_id": [other_cohort.id],
        "file_id": [other_file.id],
        "object_id": [other_item.id],
        "employer_id": [other_employer.id],
        "break_id": [other_break.id],
    }
    data.together = {
        frozenset({"item_id", "file_id"}): [{"item_id": drafts[0].id, "file_id": own_file.id}],
        frozenset({"item_id", "number"}): [
            {"item_id": item_id, "number": number} for item_id, number in versions
        ],
        frozenset({"object_type", "object_id"}): [
            {"object_type": t, "object_id": i} for t, i in trails.items()
        ],
        frozenset({"enrolment_id", "kind"}): [
            {"enrolment_id": enrolments["learner"].id, "kind": kind.value} for kind in EvidenceKind
        ],
    }
    return data
