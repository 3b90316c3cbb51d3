"""Connections get their database settings, a request's writes are kept only when it commits,
and a PostgreSQL connection the server has dropped is replaced before a request uses it."""

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from portfolio.accounts.models import Provider, Role
from portfolio.db import db, hold
from tests import factories


def test_new_connections_get_their_database_settings(app):
    def setting(sql):
        return db.session.execute(text(sql)).scalar()

    if db.engine.dialect.name == "postgresql":
        assert db.engine.pool._pre_ping  # a dropped connection is replaced, not used
    else:
        assert (setting("PRAGMA foreign_keys"), setting("PRAGMA busy_timeout")) == (1, 5000)


# These tests need requests with transactions of their own, so each gets an app on a
# database of its own instead of the transactional fixtures (whose requests all run inside
# the test's transaction).


@pytest.fixture
def postgres_app(own_postgres_app):
    app = own_postgres_app()

    @app.route("/probe/<action>", methods=["POST"])
    def probe(action):
        """Reads, writes, then commits or fails as ``action`` says."""
        db.session.scalar(select(func.count()).select_from(Provider))
        db.session.add(Provider(name=f"Made by {action}"))
        db.session.flush()
        if action == "write-then-fail":
            raise RuntimeError("the view failed after writing")
        db.session.commit()
        return "written"

    with app.app_context():
        admin = factories.make_user(factories.make_provider("Probing"), Role.ADMIN)
        db.session.commit()
        email = admin.email
    client = app.test_client()
    assert client.post("/sign-in", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    return app, client


def providers_named(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Provider.name == name))


def test_a_request_that_fails_after_writing_leaves_nothing_behind(postgres_app):
    app, client = postgres_app
    assert client.post("/probe/write").get_data(as_text=True) == "written"
    assert providers_named(app, "Made by write") == 1
    with pytest.raises(RuntimeError, match="the view failed after writing"):
        client.post("/probe/write-then-fail")
    assert providers_named(app, "Made by write-then-fail") == 0


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


def test_a_connection_the_server_dropped_is_replaced(postgres_app):
    app, client = postgres_app
    backend = _backend(app)
    _dropped_by_the_server(app, backend)
    assert client.post("/probe/write").status_code == 200
    assert _backend(app) != backend
    assert providers_named(app, "Made by write") == 1


def test_holding_a_row_keeps_the_callers_changes_not_yet_flushed(app):
    provider = factories.make_provider("Before")
    provider.name = "Changed, not yet flushed"
    hold(provider)
    assert provider.name == "Changed, not yet flushed"
    db.session.expire_all()
    assert db.session.get(Provider, provider.id).name == "Changed, not yet flushed"
