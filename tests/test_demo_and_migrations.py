import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from portfolio import create_app
from portfolio.accounts.models import Provider, Role, User
from portfolio.assessment.models import Decision, Sample, SampleStatus, SignOff
from portfolio.db import db
from portfolio.demo import PASSWORD, PROVIDER, sign_ins
from portfolio.enrolments.models import Enrolment
from portfolio.progress.models import EnrolmentProgress
from portfolio.units.models import AwardingBody, Unit
from tests.conftest import TEST_CONFIG


def snapshot():
    return (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Enrolment.id))),
    )


def test_demo_builds_every_role_and_running_it_twice_changes_nothing(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert PASSWORD in result.output
    first = snapshot()
    provider = db.session.scalar(select(Provider).where(Provider.name == PROVIDER))
    roles = set(db.session.scalars(select(User.role).where(User.provider_id == provider.id)))
    assert roles == set(Role)
    learners = db.session.scalar(
        select(func.count()).where(User.provider_id == provider.id, User.role == Role.LEARNER)
    )
    assert learners >= 6
    bodies = db.session.scalars(
        select(AwardingBody.code)
        .join(Unit)
        .join(Enrolment, Enrolment.unit_id == Unit.id)
        .distinct()
    ).all()
    assert len(bodies) >= 3

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert "nothing changed" in again.output
    assert snapshot() == first

    for _label, email in sign_ins():
        response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, email
        assert client.get("/").status_code == 200
        client.post("/sign-out")


def test_the_demo_unit_awaiting_countersignature_can_be_countersigned(app, runner, client):
    """The IQA's walk-through: a decision is sent back, but not one on the unit she is to
    countersign, which a sent-back decision would block; a sample of that unit waiting for
    her review blocks it until she reviews it."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    awaiting = db.session.scalars(
        select(SignOff).where(SignOff.countersigned_at.is_(None), SignOff.withdrawn_at.is_(None))
    ).all()
    assert len(awaiting) == 1
    sent_back = db.session.scalars(
        select(Decision.enrolment_id)
        .join(Sample, Sample.decision_id == Decision.id)
        .where(Sample.status == SampleStatus.ACTIONS_REQUIRED)
    ).all()
    assert sent_back and awaiting[0].enrolment_id not in sent_back
    iqa = dict(sign_ins())[Role.IQA.label]
    assert client.post("/sign-in", data={"email": iqa, "password": PASSWORD}).status_code == 302
    # Samples of the unit that wait for her review come first.
    waiting = db.session.scalars(
        select(Sample.id)
        .join(Decision, Decision.id == Sample.decision_id)
        .where(Decision.enrolment_id == awaiting[0].enrolment_id, Sample.status == SampleStatus.OPEN)
    ).all()
    for sample_id in waiting:
        refused = client.post(f"/enrolments/{awaiting[0].enrolment_id}/countersign")
        assert refused.status_code == 400
        assert "Review this unit&#39;s sampled decision" in refused.get_data(as_text=True)
        agreed = client.post(f"/samples/{sample_id}", data={"verdict": "agree", "comment": "Sound."})
        assert agreed.status_code == 302
    response = client.post(f"/enrolments/{awaiting[0].enrolment_id}/countersign")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    assert db.session.get(SignOff, awaiting[0].id).countersigned_at is not None


def test_demo_if_empty_skips_a_database_with_data(app, runner, people):
    before = snapshot()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert "demo not loaded" in result.output
    assert snapshot() == before


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request, tmp_path):
    """An app on a new database with no tables, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/empty.db"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database(f"empty_{uuid.uuid4().hex[:16]}")
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})


def test_migrations_go_down_to_nothing_and_back_up(empty_app):
    app = empty_app
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"provider", "user_account", "criterion", "enrolment"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()


def test_the_migration_that_keeps_review_due_dates_fills_them_in_as_the_refresh_does(empty_app):
    app = empty_app
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["criteria", "import"], ["demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    due = select(EnrolmentProgress.enrolment_id, EnrolmentProgress.last_review_on,
                 EnrolmentProgress.review_due_on).order_by(EnrolmentProgress.enrolment_id)  # fmt: skip
    with app.app_context():
        refreshed = db.session.execute(due).all()
        # The demo's apprentices: one with a signed review, one paused by a break with no end.
        assert any(row.last_review_on for row in refreshed)
        assert any(row.review_due_on for row in refreshed)
        db.session.remove()
        downgrade(revision="c3e9a1f7b2d4")
        upgrade()
        assert db.session.execute(due).all() == refreshed
        db.session.remove()
        db.engine.dispose()


def test_a_command_run_before_the_tables_are_made_says_to_make_them(empty_app):
    app = empty_app
    runner = app.test_cli_runner()
    for command in (["criteria", "list"], ["demo"], ["progress", "refresh"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1, (command, result.output)
        assert "has no tables yet: run 'flask db upgrade'" in result.output, result.output
        assert "Traceback" not in result.output
    with app.app_context():
        upgrade()
        db.engine.dispose()
    result = runner.invoke(args=["criteria", "list"])
    assert result.exit_code == 0 and result.output == "", result.output
    with app.app_context():
        db.engine.dispose()
