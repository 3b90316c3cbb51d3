"""A page that only reads ends its transaction with COMMIT: on PostgreSQL the statements psycopg
prepared on the connection survive to the next request, where a ROLLBACK would drop them.
These tests use an app on a database of its own: ``app``'s requests share the test's
transaction, which is never committed."""

from sqlalchemy import event, text

from portfolio.db import db
from tests.stories import cast, signed_in

# psycopg prepares a statement the fifth time a connection runs it (its prepare_threshold).
VISITS = 6


def transaction_ends(app, client, url, method="get"):
    """How each transaction on the app's connections ended while ``url`` was requested."""
    ends = []
    with app.app_context():
        engine = db.engine

    def on_commit(connection):
        ends.append("commit")

    def on_rollback(connection):
        ends.append("rollback")

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        response = getattr(client, method)(url)
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)
    return response.status_code, ends


def test_a_page_ends_its_reading_with_commit(own_database_app):
    people = cast(own_database_app)
    client = signed_in(own_database_app, people.learner)
    status, ends = transaction_ends(
        own_database_app, client, f"/enrolments/{people.enrolment_id}/portfolio"
    )
    assert status == 200
    assert ends == ["commit"]


def test_a_refused_page_is_rolled_back(own_database_app):
    people = cast(own_database_app)
    client = signed_in(own_database_app, people.learner)
    status, ends = transaction_ends(
        own_database_app, client, f"/enrolments/{people.enrolment_id + 1000}/portfolio"
    )
    assert status == 404
    # The page's reading is rolled back; the one commit is the refusal's audit record.
    assert ends[0] == "rollback"
    assert ends.count("commit") == 1


def test_prepared_statements_outlive_the_request_on_postgresql(own_postgres_app):
    app = own_postgres_app()
    people = cast(app)
    client = signed_in(app, people.learner)
    for _ in range(VISITS):
        assert client.get(f"/enrolments/{people.enrolment_id}/portfolio").status_code == 200
    with app.app_context():
        # The pool hands the same, only, connection back: it holds what the pages prepared.
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared > 0
