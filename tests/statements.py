"""Counting the SQL statements a request issues, for tests that hold a page to a fixed number."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counting(engine):
    """The statements run through SQLAlchemy on this engine inside the block, leaving out the
    savepoints that isolate each test."""
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
