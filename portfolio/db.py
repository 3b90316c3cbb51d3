"""The database: declarative base, the Flask-SQLAlchemy extension and column helpers."""

import enum
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection, DateTime, Engine, Enum, MetaData, Select, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Constraint names that Alembic can find again on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The largest value of an ``integer`` column (PostgreSQL's, and so every id's).
INTEGER_MAX = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_class, name: str, length: int = 20) -> Enum:
    """A Python enum stored as its string values, with a CHECK constraint on both databases."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        create_constraint=True,
        name=name,
    )


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back as an aware UTC datetime.

    SQLite keeps no time zone and PostgreSQL's ``timestamptz`` does; storing naive UTC on
    both means comparisons behave the same on each.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC time is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # SAVEPOINT works (SQLAlchemy's documented recipe for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


# SQLite's write lock. The sqlite3 module is told to begin no transaction itself (above), so
# SQLAlchemy's BEGIN sends nothing and SQLite reads in autocommit, each statement seeing the
# latest commit (as PostgreSQL's READ COMMITTED does). The first statement that writes, or
# that must hold what it reads until the commit, takes the write lock (BEGIN IMMEDIATE,
# waited for up to busy_timeout), held to the commit. So slow work done before the first
# write (hashing a password, rendering text, storing a file) holds no lock, and a
# transaction never has to upgrade a stale read snapshot to a writer, which SQLite refuses
# at once ("database is locked") instead of waiting.

_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "SHOW", "PRAGMA")
_LOCKS_ROWS = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b")


def _needs_transaction(statement: str) -> bool:
    """Whether a statement that writes nothing still needs a transaction: a savepoint, or a
    SELECT that locks rows."""
    upper = statement.upper()
    return upper.lstrip().startswith("SAVEPOINT") or (
        "FOR " in upper and _LOCKS_ROWS.search(upper) is not None
    )


def _locks_rows(context) -> bool:
    """Whether a SELECT asked for ``FOR UPDATE``, which SQLite's SQL leaves out: there, the
    write lock serves instead, so that what is read stays true until the commit."""
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


@event.listens_for(Engine, "before_cursor_execute")
def _before_statement(connection, cursor, statement, parameters, context, executemany):
    if connection.dialect.name != "sqlite":
        return
    driver_connection = cursor.connection
    if driver_connection.in_transaction:
        return
    writes = not statement.lstrip()[:9].upper().startswith(_READS)
    if writes or _needs_transaction(statement) or _locks_rows(context):
        driver_connection.execute("BEGIN IMMEDIATE")


def read(statement, parameters: dict):
    """The rows of a statement that loads no ORM objects, run on the session's connection.

    Skips the session's per-statement work (more than half the cost of a small query); the
    session's pending changes are flushed first, as it would do itself, so they are seen.
    """
    db.session.flush()
    return db.session.connection().execute(statement, parameters)


class Reads:
    """Read-only statements that do not depend on one another, run together on the session's
    connection: on PostgreSQL in one round trip (psycopg's pipeline mode), elsewhere one after
    another on the driver's cursor.

    ``add`` returns a function that gives the statement's rows as tuples, in the types
    SQLAlchemy would give; the first such call runs every statement added so far. A page
    that needs several reads this way waits for the database once instead of once a read.
    A statement added again with the same parameters before it has run is sent once, so
    that two parts of a page may each ask for a row they share (the provider's settings).
    """

    def __init__(self):
        self._queued: list[tuple[Select, dict]] = []
        self._rows: list[list[tuple]] = []
        self._added: dict[tuple, int] = {}  # (statement, parameters): the index it was added at

    def add(self, statement: Select, parameters: dict) -> Callable[[], list[tuple]]:
        _compiled(statement, db.session.get_bind().dialect)  # refuses what it cannot run
        try:
            key = (statement, tuple(sorted(parameters.items())))
            index = self._added.get(key)
        except TypeError:  # a parameter that is a list, say: sent as asked
            key, index = None, None
        if index is None or index < len(self._rows):  # not added, or already run
            index = len(self._queued)
            self._queued.append((statement, parameters))
            if key is not None:
                self._added[key] = index
        return lambda: self._result(index)

    def _result(self, index: int) -> list[tuple]:
        if index >= len(self._rows):
            queued = self._queued[len(self._rows) :]
            db.session.flush()  # pending changes are seen, as the session's own reads see them
            connection = db.session.connection()
            if connection.dialect.name == "postgresql" and len(queued) > 1:
                self._rows += _pipelined(connection, queued)
            else:
                self._rows += _one_by_one(connection, queued)
        return self._rows[index]


def _one_by_one(connection: Connection, queued: list[tuple[Select, dict]]) -> list[list[tuple]]:
    """Each statement's rows, the statements run one after another on the driver's cursor.

    As ``_pipelined`` does, for SQLite (in-process, with no round trip to save) and for a
    single statement (a pipeline's extra messages would cost more than they save): it skips
    SQLAlchemy's per-statement execution work, which costs as much as SQLite takes to run
    the dashboard's small aggregates.
    """
    results = []
    for statement, parameters in queued:
        cursor = _sent(connection, statement, parameters)
        try:
            results.append(_received(cursor, statement, connection.dialect))
        finally:
            cursor.close()
    return results


def _pipelined(connection: Connection, queued: list[tuple[Select, dict]]) -> list[list[tuple]]:
    """Each statement's rows, the statements sent to PostgreSQL together and answered at once."""
    with connection.connection.driver_connection.pipeline():
        cursors = [(_sent(connection, s, p), s) for s, p in queued]
    results = []
    for cursor, statement in cursors:
        with cursor:
            results.append(_received(cursor, statement, connection.dialect))
    return results


def _sent(connection: Connection, statement: Select, parameters: dict):
    """A driver cursor on which the statement, compiled once, has been executed: announced
    first to SQLAlchemy's ``before_cursor_execute`` listeners (which count and classify
    statements), as SQLAlchemy's own execution would."""
    dialect = connection.dialect
    compiled = _compiled(statement, dialect)
    arguments = _arguments(compiled, parameters, dialect.name)
    cursor = _cursor(connection.connection.driver_connection, compiled)
    try:
        connection.dispatch.before_cursor_execute(
            connection, cursor, compiled.sql, arguments, None, False
        )
        cursor.execute(compiled.sql, arguments)
    except BaseException:
        cursor.close()
        raise
    return cursor


def _received(cursor, statement: Select, dialect) -> list[tuple]:
    """The statement's rows, each value through the result processor of its column's type,
    as SQLAlchemy would give it."""
    rows = cursor.fetchall()
    return _processed(rows, _processors(statement, dialect, cursor))


_result_processors: dict = {}


def _processors(statement: Select, dialect, cursor) -> tuple:
    """The result processor of each selected column's type, None where the driver's value is
    already what SQLAlchemy gives; worked out once per statement (the cursor's description,
    which psycopg builds anew each time it is asked for, is read only then)."""
    key = (statement, dialect)
    found = _result_processors.get(key)
    if found is None:
        found = _result_processors[key] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])  # type_code
            for column, described in zip(
                statement.selected_columns, cursor.description, strict=True
            )
        )
    return found


def _processed(rows: list[tuple], processors: tuple) -> list[tuple]:
    if not any(processors):
        return rows
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    processed = []
    for row in rows:
        values = list(row)
        for i, process in converting:
            values[i] = process(values[i])
        processed.append(tuple(values))
    return processed


def fetch_first(statement: Select, parameters: dict) -> tuple | None:
    """The first row of a read-only query, run on the DB-API connection directly.

    For the hottest read (serving a stored PDF), where SQLAlchemy's session, connection and
    result layers cost several times what the database itself spends on a one-row lookup.
    The statement is compiled once per dialect, and parameters go through their types' bind
    processors; the row comes back as the driver returns it, with no type conversion, so
    select only strings and numbers. A session bound to one connection (as in a transaction
    that has not committed yet) is read through that connection, so its changes are seen.
    """
    # The session factory's own bind, if it has one, without making a session for this request.
    bind = db.session.session_factory.kw.get("bind") or db.engine
    compiled = _compiled(statement, bind.dialect)
    arguments = _arguments(compiled, parameters, bind.dialect.name)
    if isinstance(bind, Connection):
        return _first(bind.connection, compiled, arguments)
    connection = bind.raw_connection()
    try:
        row = _first(connection, compiled, arguments)
        connection.commit()  # it only read; see end_reading_transaction
        return row
    finally:
        connection.close()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    literals: dict  # the driver's values of the statement's own literals
    positions: tuple[str, ...] | None  # parameter names in order, for a positional driver
    processors: dict  # each typed parameter's bind processor, by name
    numbered: bool = False  # sql has PostgreSQL's own $1, $2 ... in place of %(name)s


@cache
def _compiled(statement: Select, dialect) -> _Compiled:
    """The statement compiled once for this dialect, ready for the driver."""
    compiled = statement.compile(dialect=dialect)
    requested = {b.key for b in compiled.binds.values() if b.required}
    late = compiled.literal_execute_params | compiled.post_compile_params
    if late:
        # Values SQLAlchemy writes into the SQL as it runs the statement (a separator, a
        # list of roles): rendered now, so they must belong to the statement itself.
        if any(b.key in requested for b in late):
            raise ValueError("a value written into the SQL must not come with each request")
        expanded = compiled.construct_expanded_state(dict.fromkeys(requested))
        sql, params, positions = expanded.statement, expanded.parameters, expanded.positiontup
    else:
        sql, params, positions = compiled.string, compiled.params, compiled.positiontup
    processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                  for name, bind in compiled.binds.items()}  # fmt: skip
    processors = {name: process for name, process in processors.items() if process is not None}
    literals = {k: _driver_value(v, processors.get(k), dialect.name)
                for k, v in params.items() if k not in requested}  # fmt: skip
    if dialect.driver == "psycopg" and not compiled.positional:
        sql, names = _numbered(sql)
        return _Compiled(sql, literals, names, processors, numbered=True)
    return _Compiled(sql, literals, tuple(positions) if compiled.positional else None, processors)


_PYFORMAT = re.compile(r"%%|%\(([^)]+)\)s")


def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """The SQL with PostgreSQL's numbered placeholders in place of psycopg's named ones, and
    the names in the order of their numbers. psycopg would otherwise parse every statement
    for its placeholders each time it runs, and it keeps the result only of statements
    shorter than 4 KiB, which the dashboard's summary is not."""
    names: dict[str, int] = {}

    def number(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return "%"  # an escaped percent sign
        return f"${names.setdefault(name, len(names) + 1)}"

    return _PYFORMAT.sub(number, sql), tuple(names)


def _cursor(driver_connection, compiled: _Compiled):
    """A cursor for the compiled statement: one that sends numbered placeholders as they are."""
    if compiled.numbered:
        from psycopg import RawCursor

        return RawCursor(driver_connection)
    return driver_connection.cursor()


def _arguments(compiled: _Compiled, parameters: dict, dialect_name: str) -> dict | tuple:
    values = {**compiled.literals,
              **{name: _driver_value(v, compiled.processors.get(name), dialect_name)
                 for name, v in parameters.items()}}  # fmt: skip
    return values if compiled.positions is None else tuple(values[n] for n in compiled.positions)


def _driver_value(value, process, dialect_name: str):
    """A parameter as SQLAlchemy hands it to the driver: through its type's bind processor
    (an aware time becomes naive UTC, an enum its value); an untyped one as it is, but for
    enums and dates, which SQLite takes as their value and ISO text."""
    if process is not None:
        return process(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date) and not isinstance(value, datetime) and dialect_name == "sqlite":
        return value.isoformat()  # how SQLAlchemy stores a date in SQLite
    return value


def _first(connection, compiled: _Compiled, arguments) -> tuple | None:
    cursor = _cursor(connection.driver_connection, compiled)
    try:
        cursor.execute(compiled.sql, arguments)
        return cursor.fetchone()
    finally:
        cursor.close()
