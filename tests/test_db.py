"""A request's transaction that only read ends in a commit, which keeps PostgreSQL's prepared
statements (psycopg drops them at every rollback); one that wrote, or failed, rolls back."""

from contextlib import contextmanager

from sqlalchemy import event, func, select

from portfolio.accounts.models import Provider, Role
from portfolio.db import db, end_reading_transaction


@contextmanager
def endings():
    """How the session's transactions end: "commit" or "rollback" (tests run them as
    savepoints inside the test's own transaction, so those are what is seen)."""
    seen = []

    def committed(conn, name, context):
        seen.append("commit")

    def rolled_back(conn, name, context):
        seen.append("rollback")

    event.listen(db.engine, "release_savepoint", committed)
    event.listen(db.engine, "rollback_savepoint", rolled_back)
    try:
        yield seen
    finally:
        event.remove(db.engine, "release_savepoint", committed)
        event.remove(db.engine, "rollback_savepoint", rolled_back)


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
