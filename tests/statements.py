"""Counting the SQL statements a request issues, and the messages it sends to PostgreSQL, for
tests that hold a page to a fixed number."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def listening(target, **listeners):
    """SQLAlchemy event listeners (event name: function) attached to ``target`` in the block."""
    for name, listener in listeners.items():
        event.listen(target, name, listener)
    try:
        yield
    finally:
        for name, listener in listeners.items():
            event.remove(target, name, listener)


@contextmanager
def counting(engine):
    """The statements run through SQLAlchemy on this engine inside the block, leaving out the
    savepoints that isolate each test."""
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    with listening(engine, before_cursor_execute=count):
        yield statements


@contextmanager
def postgresql_messages(engine):
    """What the app sends to PostgreSQL inside the block, as libpq traces it: one line a
    message ("Query", "Parse", "Bind", "Sync" ...), on every connection the pool hands out."""
    import tempfile

    import psycopg

    messages: list[str] = []
    traces = {}

    def start(dbapi_connection, record, proxy):
        trace = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop)
        traces[id(dbapi_connection)] = trace
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(
            psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE
        )

    def stop(dbapi_connection, record):
        trace = traces.pop(id(dbapi_connection), None)
        if trace is None:
            return
        dbapi_connection.pgconn.untrace()
        trace.seek(0)
        for line in trace.read().decode(errors="replace").splitlines():
            fields = line.split("\t", 2)
            if len(fields) == 3 and fields[0] == "F":  # from the app; B: the server's answers
                messages.append(fields[2].strip())
        trace.close()

    try:
        with listening(engine.pool, checkout=start, checkin=stop):
            yield messages
    finally:
        for trace in traces.values():  # connections still checked out: not counted
            trace.close()


def round_trips(messages: list[str]) -> int:
    """How many times the app waited for PostgreSQL: each simple query and each Sync (which
    ends one statement, or a whole pipeline of them) is answered before the app goes on."""
    return sum(1 for m in messages if m.startswith(("Query", "Sync")))
