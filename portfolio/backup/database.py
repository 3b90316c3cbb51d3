"""The database's part of a backup: one consistent snapshot, and the files it refers to.

SQLite is copied with its online backup API, which reads one consistent state while
requests go on writing. PostgreSQL is dumped by ``pg_dump`` in its custom format from a
snapshot exported by a REPEATABLE READ transaction, and the files the dump refers to are
listed inside that same transaction, so the list and the dump agree.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url, text

SQLITE_MEMBER = "database/portfolio.sqlite3"
POSTGRESQL_MEMBER = "database/portfolio.dump"

# Each stored file the snapshot names, with the size and SHA-256 its row records.
EVIDENCE_FILES = "SELECT stored_name, size, sha256 FROM evidence_file ORDER BY stored_name"
# The signed PDFs in the exports folder: portfolios' and progress reviews'.
DOCUMENTS = (
    "SELECT stored_name, size, sha256 FROM portfolio_document WHERE stored_name IS NOT NULL "
    "UNION ALL "
    "SELECT stored_name, size, sha256 FROM progress_review_document WHERE stored_name IS NOT NULL "
    "ORDER BY stored_name"
)
REVISION = "SELECT version_num FROM alembic_version"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Recorded:
    """A stored file as the snapshot's row records it."""

    stored_name: str
    size: int
    sha256: str


@dataclass
class Snapshot:
    kind: str  # "sqlite" or "postgresql"
    path: Path  # the database file or dump, in the working folder
    member: str  # its name in the archive
    revision: str
    evidence_files: list[Recorded] = field(default_factory=list)
    documents: list[Recorded] = field(default_factory=list)


def kind_of(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend in ("sqlite", "postgresql"):
        return backend
    raise BackupError(f"Backups are made of SQLite and PostgreSQL databases, not {backend}.")


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"The SQLite database {url} is not a file that can be backed up.")
    return Path(database)


def take_snapshot(engine: Engine, workdir: Path) -> Snapshot:
    """Copy (SQLite) or dump (PostgreSQL) the database into ``workdir``."""
    kind = kind_of(str(engine.url))
    if kind == "sqlite":
        return _sqlite_snapshot(sqlite_path(str(engine.url)), workdir)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # The transaction's view of the database, which pg_dump adopts (--snapshot):
            # the files listed here are those the dump refers to.
            exported = connection.scalar(text("SELECT pg_export_snapshot()"))
            found = Snapshot(
                kind, workdir / "portfolio.dump", POSTGRESQL_MEMBER,
                connection.scalar(text(REVISION)),
                [Recorded(*row) for row in connection.execute(text(EVIDENCE_FILES))],
                [Recorded(*row) for row in connection.execute(text(DOCUMENTS))],
            )  # fmt: skip
            _run(
                _pg_binary("pg_dump", _server_major(connection)),
                "--format=custom", "--no-owner", "--no-acl", f"--snapshot={exported}",
                f"--file={found.path}", url=engine.url,
            )  # fmt: skip
    return found


def _sqlite_snapshot(source: Path, workdir: Path) -> Snapshot:
    if not source.exists():
        raise BackupError(f"There is no SQLite database at {source}.")
    copy = workdir / "portfolio.sqlite3"
    # Read only, so a backup never takes the write lock requests need.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)  # every page in one step: one consistent state
        found = Snapshot(
            "sqlite", copy, SQLITE_MEMBER, _scalar(dst, REVISION),
            [Recorded(*row) for row in dst.execute(EVIDENCE_FILES)],
            [Recorded(*row) for row in dst.execute(DOCUMENTS)],
        )  # fmt: skip
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite database {source} could not be copied: {error}") from error
    finally:
        src.close()
        dst.close()
    return found


def _scalar(connection: sqlite3.Connection, query: str):
    row = connection.execute(query).fetchone()
    return row[0] if row else None


# --- restoring -------------------------------------------------------------------------


def tables(engine: Engine) -> list[str]:
    """The tables the database already has: a restore goes only into one with none."""
    return inspect(engine).get_table_names()


def restore(engine: Engine, kind: str, source: Path) -> None:
    """Load the snapshot at ``source`` into the empty database ``engine`` connects to."""
    url = engine.url
    if kind == "sqlite":
        target = sqlite_path(str(url))
        engine.dispose()  # nothing of this process holds the empty database open
        target.parent.mkdir(parents=True, exist_ok=True)
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            # Written through SQLite (not copied over the file), all or nothing.
            src.backup(dst)
        except sqlite3.Error as error:
            raise BackupError(f"The database could not be written to {target}: {error}") from error
        finally:
            src.close()
            dst.close()
        return
    with engine.connect() as connection:
        major = _server_major(connection)
    engine.dispose()
    _run(
        _pg_binary("pg_restore", major),
        "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", str(source),
        url=url,
    )  # fmt: skip


# --- PostgreSQL's programs -------------------------------------------------------------


def _server_major(connection) -> int:
    return int(connection.scalar(text("SHOW server_version_num"))) // 10000


def _pg_binary(name: str, major: int) -> str:
    """The server's own major version of a PostgreSQL program (Debian keeps each version's
    in /usr/lib/postgresql/<major>/bin); else a newer one, or the one on the PATH."""
    exact = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if exact.exists():
        return str(exact)
    newer = [
        path
        for path in glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
        if int(Path(path).parts[-3]) > major
    ]
    if newer:
        return max(newer, key=lambda path: int(Path(path).parts[-3]))
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        f"PostgreSQL's {name} was not found. Install PostgreSQL {major}'s client programs "
        f"(Debian: apt-get install postgresql-client-{major}) or put {name} on the PATH."
    )


def _run(program: str, *args: str, url) -> None:
    """Run pg_dump or pg_restore on the database at ``url``; the password goes by the
    environment, never on a command line others can read."""
    from psycopg.conninfo import make_conninfo

    params = {key: value for key, value in url.query.items() if isinstance(value, str)}
    params.update(
        {
            key: value
            for key, value in (
                ("host", url.host),
                ("port", url.port and str(url.port)),
                ("user", url.username),
                ("dbname", url.database),
            )  # fmt: skip
            if value
        }
    )
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    done = subprocess.run(  # noqa: S603  (PostgreSQL's own program, arguments of ours)
        [program, *args, f"--dbname={make_conninfo(**params)}"],
        env=environment, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"{Path(program).name} failed: {done.stderr.strip()}")
