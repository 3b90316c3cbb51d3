"""Counting the SQL statements a request issues, and the messages it sends to PostgreSQL, for
tests that hold a page to a fixed number."""

from contextlib import contextmanager
from typing import NamedTuple

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


class Counted(NamedTuple):
    """What one request for a page ran, and the page it answered."""

    statements: list[str]
    html: str


def page_statements(pages: dict, engine, warm: bool = True) -> dict[object, Counted]:
    """For each page (a name: a client and the address it asks for), the statements one
    request for it runs and the page it answers, each page asked once before to fill caches
    (templates) unless ``warm`` is false."""
    counted = {}
    for name, (client, url) in pages.items():
        if warm:
            client.get(url)
        with counting(engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counted[name] = Counted(statements, response.get_data(as_text=True))
    return counted


def assert_same_counts(small: dict, large: dict) -> None:
    """Every page of ``page_statements`` ran as many statements with more data as with less;
    if not, which grew, and the statements of the first that did."""
    grown = {name: (len(small[name].statements), len(large[name].statements)) for name in small
             if len(small[name].statements) != len(large[name].statements)}  # fmt: skip
    assert not grown, f"pages whose statements grew (before, after): {grown}\n\n" + "\n\n".join(
        large[next(iter(grown))].statements
    )


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
