"""The database: declarative base, the Flask-SQLAlchemy extension and column helpers."""

import sqlite3
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, Enum, MetaData, event
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

_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")


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
    start = statement.lstrip()[:9].upper()
    writes = not start.startswith(_READS)
    if writes or start.startswith("SAVEPOINT") or _locks_rows(context):
        driver_connection.execute("BEGIN IMMEDIATE")


def hold(instance) -> None:
    """Read ``instance`` again and hold its row until the commit (SELECT ... FOR UPDATE; on
    SQLite, the write lock: ``_locks_rows``). A one-time step takes it before it checks
    whether it may go ahead, so that of two copies sent at once (a double click, a form sent
    from two tabs) the second waits for the first to commit, then finds its work done."""
    # A refresh overwrites what is not yet flushed: a caller's own changes go first.
    db.session.flush()
    # OF its own table: the relations loaded with it by a join are read, not held.
    db.session.refresh(instance, with_for_update={"of": type(instance)})
