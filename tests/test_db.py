"""A request's transaction that only read ends in a commit, which keeps PostgreSQL's prepared
statements (psycopg drops them at every rollback); one that wrote, or failed, rolls back. On
PostgreSQL a reading request runs in autocommit until it writes or locks."""

import sys
from contextlib import contextmanager

import pytest
from flask import request
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from portfolio.accounts.models import Provider, Role
from portfolio.db import db, end_reading_transaction
from tests import factories
from tests.statements import listening, postgresql_messages, round_trips


@contextmanager
def endings():
    """How the session's transactions end: "commit" or "rollback" (tests run them as
    savepoints inside the test's own transaction, so those are what is seen)."""
    seen = []

    def committed(conn, name, context):
        seen.append("commit")

    def rolled_back(conn, name, context):
        seen.append("rollback")

    with listening(db.engine, release_savepoint=committed, rollback_savepoint=rolled_back):
        yield seen


def test_a_page_that_only_reads_ends_in_a_commit(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    with endings() as seen:
        assert client.get("/dashboard").status_code == 200
    assert seen == ["commit"]


def test_a_transaction_that_wrote_is_not_committed_at_the_end(app, provider):
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Provider))
    db.session.add(Provider(name="Written, never committed"))
    db.session.flush()  # written to the database, but not committed
    with endings() as seen:
        end_reading_transaction(None)
    assert seen == []
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Provider)) == before


def test_a_failed_request_is_not_committed(app, provider):
    db.session.commit()
    db.session.scalar(select(func.count()).select_from(Provider))
    with endings() as seen:
        end_reading_transaction(RuntimeError("the view failed"))
    assert seen == []
    with endings() as seen:
        end_reading_transaction(None)
    assert seen == ["commit"]


def test_new_connections_get_their_database_settings(app):
    from sqlalchemy import text

    def setting(sql):
        return db.session.execute(text(sql)).scalar()

    if db.engine.dialect.name == "postgresql":
        # Each prepared statement is planned once, not afresh at every run.
        assert setting("SHOW plan_cache_mode") == "force_generic_plan"
    else:
        assert (setting("PRAGMA foreign_keys"), setting("PRAGMA busy_timeout")) == (1, 5000)


# On PostgreSQL a request that only reads runs in autocommit: no BEGIN, no COMMIT. These tests
# need requests with transactions of their own, so each gets an app on a database of its own
# instead of the transactional fixtures (whose requests all run inside the test's transaction).


@pytest.fixture
def postgres_app(own_postgres_app):
    app = own_postgres_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1})

    @app.route("/probe/<action>", methods=["GET", "POST"])
    def probe(action):
        """Reads, then does what ``action`` says, and answers with the driver's state."""
        db.session.scalar(select(func.count()).select_from(Provider))
        if action in ("write", "write-then-fail"):
            db.session.add(Provider(name=f"Made by {action} in a {request.method}"))
            db.session.flush()
        elif action == "lock":
            db.session.execute(select(Provider.id).with_for_update()).all()
        driver = db.session.connection().connection.driver_connection
        state = f"{driver.info.transaction_status.name} autocommit={driver.autocommit}"
        if action == "write-then-fail":
            raise RuntimeError("the view failed after writing")
        db.session.commit()
        return state

    with app.app_context():
        admin = factories.make_user(factories.make_provider("Autocommit"), Role.ADMIN)
        db.session.commit()
        email = admin.email
    client = app.test_client()
    assert client.post("/sign-in", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    return app, client


def engine_of(app):
    with app.app_context():
        return db.engine


def providers_named(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Provider.name == name))


def test_a_page_that_only_reads_sends_no_begin_or_commit_to_postgresql(postgres_app):
    app, client = postgres_app
    with postgresql_messages(engine_of(app)) as sent:
        assert client.get("/dashboard").status_code == 200
    queries = [m for m in sent if m.startswith("Query")]
    assert not any('"BEGIN' in q or '"COMMIT' in q for q in queries), queries
    assert round_trips(sent) >= 2  # the user, then the dashboard's figures


def test_a_form_sent_with_post_still_runs_in_one_transaction(postgres_app):
    app, client = postgres_app
    with postgresql_messages(engine_of(app)) as sent:
        response = client.post("/probe/write")
    assert response.get_data(as_text=True) == "INTRANS autocommit=False"
    assert [m for m in sent if m.startswith("Query")][0].endswith('"BEGIN"')
    assert providers_named(app, "Made by write in a POST") == 1


def test_a_reading_request_that_writes_after_all_writes_in_a_transaction(postgres_app):
    app, client = postgres_app
    assert client.get("/probe/read").get_data(as_text=True) == "IDLE autocommit=True"
    assert client.get("/probe/write").get_data(as_text=True) == "INTRANS autocommit=False"
    assert providers_named(app, "Made by write in a GET") == 1
    # A failure after the write leaves nothing behind: the write was not autocommitted.
    with pytest.raises(RuntimeError, match="the view failed after writing"):
        client.get("/probe/write-then-fail")
    assert providers_named(app, "Made by write-then-fail in a GET") == 0


def test_a_reading_request_that_locks_rows_holds_the_lock_in_a_transaction(postgres_app):
    app, client = postgres_app
    assert client.get("/probe/lock").get_data(as_text=True) == "INTRANS autocommit=False"


def test_the_connection_goes_back_to_the_pool_out_of_autocommit(postgres_app):
    app, client = postgres_app
    assert client.get("/probe/read").get_data(as_text=True) == "IDLE autocommit=True"
    with app.app_context():
        connection = db.engine.raw_connection()  # the pool's only connection, used just now
        try:
            assert connection.driver_connection.autocommit is False
        finally:
            connection.close()
    assert client.post("/probe/read").get_data(as_text=True) == "INTRANS autocommit=False"


def test_autocommit_asked_for_by_name_is_left_alone(postgres_app):
    app, _client = postgres_app
    with app.app_context(), db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("VACUUM ANALYZE provider")  # refused in a transaction
        connection.exec_driver_sql("UPDATE provider SET name = name")
        assert connection.connection.driver_connection.autocommit is True


def _backend(app) -> int:
    """The server process behind the pool's connection."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def _dropped_by_the_server(app, backend: int) -> None:
    """The server ends that connection, as a restart or an idle timeout would."""
    with app.app_context():
        other = create_engine(db.engine.url, poolclass=NullPool)
    with other.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({backend})")
    other.dispose()


def test_a_connection_the_server_dropped_while_it_sat_idle_is_replaced(postgres_app, monkeypatch):
    app, client = postgres_app
    backend = _backend(app)
    _dropped_by_the_server(app, backend)
    # The module itself: as an attribute, portfolio.db is the extension object.
    monkeypatch.setattr(sys.modules["portfolio.db"], "IDLE_BEFORE_CHECK_SECONDS", 0.0)
    assert client.get("/probe/read").get_data(as_text=True) == "IDLE autocommit=True"
    assert client.post("/probe/write").status_code == 200
    assert _backend(app) != backend
    assert providers_named(app, "Made by write in a POST") == 1
