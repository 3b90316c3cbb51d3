"""Each item keeps its count of possible personal data still open, which the learner's to-do
list reads: every operation that changes the text or dismisses a finding counts again, and
the migration that added the count counted the drafts already written."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from tests import factories
from tests.factories import make_enrolment
from tests.stories import LEAKY

CLEAN = "The caller [NAME] asked about a bill and I explained the charges."


def _call(notes: str) -> dict:
    return {"call_date": "2026-11-03", "channel": "inbound_phone", "caller_reference": "C-1",
            "notes": notes, "outcome": "Resolved"}  # fmt: skip


def _counted(item: EvidenceItem) -> int:
    db.session.flush()
    db.session.refresh(item)
    assert item.personal_data_open == len(operations.findings(item))
    return item.personal_data_open


def test_the_count_follows_every_change_to_the_text(app, people):
    learner = people[Role.LEARNER]
    enrolment = make_enrolment(learner, body="PEARSON", assessor=people[Role.ASSESSOR])
    item = operations.start_item(learner, enrolment, EvidenceKind.CALL_NOTE, "Billing call",
                                 _call(LEAKY))  # fmt: skip
    leaked = _counted(item)
    assert leaked >= 3

    operations.save_item(learner, item, "Billing call", _call(CLEAN))
    assert _counted(item) == 0
    operations.save_item(learner, item, "Call from Mrs Okonkwo", _call(LEAKY))
    assert _counted(item) == leaked + 1  # the title's name too

    first = operations.findings(item)[0]
    operations.replace_finding(learner, item, first.field, first.finding.start,
                               first.finding.end, first.finding.text)  # fmt: skip
    assert _counted(item) == leaked
    second = operations.findings(item)[0]
    operations.dismiss_finding(learner, item, second.field, second.finding.type,
                               second.finding.text, "A colleague's desk name")  # fmt: skip
    assert _counted(item) == leaked - 1
    operations.replace_all_findings(learner, item)
    assert _counted(item) == 0


def test_the_migration_counted_the_drafts_already_written(own_database_app):
    app = own_database_app
    with app.app_context():
        provider = factories.make_provider()
        learner = factories.make_user(provider, Role.LEARNER)
        assessor = factories.make_user(provider, Role.ASSESSOR)
        enrolment = make_enrolment(learner, body="PEARSON", assessor=assessor)
        leaky = operations.start_item(learner, enrolment, EvidenceKind.CALL_NOTE, "Leaky",
                                      _call(LEAKY))  # fmt: skip
        clean = operations.start_item(learner, enrolment, EvidenceKind.CALL_NOTE, "Clean",
                                      _call(CLEAN))  # fmt: skip
        db.session.commit()
        expected = {leaky.id: len(operations.findings(leaky)), clean.id: 0}
        db.session.remove()

        downgrade(revision="7a4c2e9b5d16")  # before the count
        upgrade()
        counts = dict(db.session.execute(
            select(EvidenceItem.id, EvidenceItem.personal_data_open)
            .where(EvidenceItem.id.in_(expected))
        ).all())  # fmt: skip
        assert counts == expected and counts[leaky.id] > 0
        db.session.remove()
        db.engine.dispose()
