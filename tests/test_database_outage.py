"""When the database cannot be reached, or stays too busy to take a write, a request answers 503
with a page that says so and when to try again, saves nothing, and the same request works once
the database is back: PostgreSQL refusing connections (as while it restarts), and SQLite's
write lock held by another process past the app's wait for it."""

import sqlite3

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from portfolio.accounts.models import Provider, Role
from portfolio.api import tokens
from portfolio.api.models import TokenScope
from portfolio.db import db
from portfolio.evidence.models import EvidenceItem
from tests import factories
from tests.conftest import _run_on_server, make_app
from tests.evidence.helpers import INCIDENT
from tests.stories import cast, signed_in

MESSAGE = "The database could not be reached just now, so nothing was saved."


def items(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(EvidenceItem.id)))


def assert_unavailable(response, *, page: bool = True, retry_after: str | None = "30") -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == (retry_after or response.headers["Retry-After"])
    text = response.get_data(as_text=True)
    assert MESSAGE in text.replace("&#39;", "'")
    if page:
        assert "<h1>Briefly unavailable</h1>" in text
        assert "Traceback" not in text


def test_postgresql_refusing_connections_is_a_503_and_the_app_recovers(own_postgres_app):
    app = own_postgres_app()
    people = cast(app)
    with app.app_context():
        admin = factories.make_user(db.session.get(Provider, people.provider_id), Role.ADMIN)
        secret = tokens.create_token(admin, "MIS sync", TokenScope.READ_WRITE)[1]
        db.session.commit()
    client = signed_in(app, people.learner)
    new_log = f"/enrolments/{people.enrolment_id}/evidence/new/incident_log"
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = url.database
    connected = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"  # noqa: S608  (the test's own database)
    _run_on_server(url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false', connected)
    try:
        home = client.get("/")
        assert_unavailable(home)
        assert 'href="/">Try again</a>' in home.get_data(as_text=True)
        written = client.post(new_log, data=INCIDENT)
        assert_unavailable(written)
        assert "send the form again" in written.get_data(as_text=True)
        asked_json = client.get("/", headers={"Accept": "application/json"})
        assert_unavailable(asked_json, page=False)
        assert asked_json.get_json()["error"] == "Briefly unavailable"
        api = client.get("/api/v1/enrolments", headers={"Authorization": f"Bearer {secret}"})
        # The API's answers carry its rate limit's Retry-After: the time until it resets.
        assert_unavailable(api, page=False, retry_after=None)
        assert api.get_json()["status"] == 503
    finally:
        _run_on_server(url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert client.get("/").status_code == 200
    assert items(app) == 0  # the write refused while the database was away was not kept
    assert client.post(new_log, data=INCIDENT).status_code == 302
    assert items(app) == 1


def test_sqlite_write_lock_held_past_the_wait_is_a_503_and_nothing_is_saved(tmp_path):
    path = tmp_path / "busy.sqlite3"
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=False)
    people = cast(app)
    client = signed_in(app, people.learner)
    new_log = f"/enrolments/{people.enrolment_id}/evidence/new/incident_log"
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock throughout
    try:
        assert client.get("/").status_code == 200  # reading goes on
        assert_unavailable(client.post(new_log, data=INCIDENT))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert items(app) == 0
    assert client.post(new_log, data=INCIDENT).status_code == 302
    assert items(app) == 1
    with app.app_context():
        db.engine.dispose()


def test_a_command_run_while_the_database_is_locked_says_so_in_one_line(tmp_path):
    path = tmp_path / "busy.sqlite3"
    app = make_app(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = app.test_cli_runner().invoke(args=[
            "users", "create", "--provider", "Riverside College", "--email",
            "head@riverside.example.org", "--name", "Sam Patel", "--password", "river-side-admin-7",
        ])  # fmt: skip
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: The database could not be reached or was too busy to answer (database is locked)"
    )
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Provider.id))) == 0
        db.engine.dispose()


def test_an_operational_error_that_is_the_apps_own_fault_stays_a_500(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'fault.sqlite3'}", WTF_CSRF_ENABLED=False)

    @app.get("/missing-table")
    def missing_table():
        db.session.execute(text("SELECT count(*) FROM no_such_table"))

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/missing-table")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    with app.app_context():
        db.engine.dispose()


def test_a_refused_write_other_than_a_duplicate_stays_a_500(tmp_path):
    """A duplicate sent at the same moment is a 409 (tests/enrolments/test_admin_races.py);
    any other constraint refusing a write is a fault of the app."""
    app = make_app(f"sqlite:///{tmp_path / 'constraint.sqlite3'}", WTF_CSRF_ENABLED=False)

    @app.get("/missing-value")
    def missing_value():
        db.session.execute(text("INSERT INTO provider (name) VALUES (NULL)"))

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/missing-value").status_code == 500
    with app.app_context():
        db.engine.dispose()
