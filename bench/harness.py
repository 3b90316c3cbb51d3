"""What the benchmarks share: a database to measure in, the data built into it (the demo and
a large provider), gunicorn serving it on a free loopback port, and signing in over HTTP.

``database("sqlite")`` or ``database("postgresql")`` gives an empty database (PostgreSQL in a
throwaway cluster from tests/postgres.py) and an instance folder, removed afterwards;
``build`` fills it; ``Server`` serves it; ``sign_in`` returns a session cookie. All traffic
stays on 127.0.0.1.
"""

import contextlib
import http.cookiejar
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for tests.postgres and bench.large_demo

import psycopg  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.large_demo import DOMAIN, build_large_provider, settle  # noqa: E402
from portfolio import create_app  # noqa: E402
from portfolio.accounts.models import User  # noqa: E402
from portfolio.apprenticeships.hours_models import OtjEntry  # noqa: E402
from portfolio.apprenticeships.models import Apprenticeship  # noqa: E402
from portfolio.db import db  # noqa: E402
from portfolio.demo import build_demo  # noqa: E402
from portfolio.enrolments.models import Enrolment  # noqa: E402
from portfolio.progress.models import EnrolmentProgress  # noqa: E402
from portfolio.units.library import import_criteria  # noqa: E402

SECRET_KEY = "bench-web-secret-key-not-for-production"  # noqa: S105
USER_AGENT = "portfolio-bench"  # the same for sign-in and wrk: the session stays "fresh"
COOKIE = "portfolio_session"
COHORT_SIZE = 100
SERVER_START_SECONDS = 60
HOST = "127.0.0.1"


# -- a database ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    name: str  # as printed: SQLite or PostgreSQL
    url: str
    instance: Path
    postmaster: int | None  # PostgreSQL's server process, whose CPU time counts too


@contextmanager
def database(kind: str, purpose: str = "bench") -> Iterator[Database]:
    """An empty database of ``kind`` (sqlite or postgresql) and an instance folder, both
    removed afterwards."""
    instance = Path(tempfile.mkdtemp(prefix=f"portfolio-{purpose}-{kind}-"))
    cluster = None
    try:
        if kind == "sqlite":
            yield Database(
                "SQLite", f"sqlite:///{instance / (purpose + '.sqlite3')}", instance, None
            )
        else:
            from tests.postgres import Cluster

            cluster = Cluster().start()
            url = cluster.create_database(f"portfolio_{purpose}")
            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            yield Database("PostgreSQL", url, instance, postmaster)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(instance, ignore_errors=True)


# -- building the data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    seconds: float
    large_seconds: float
    figures: dict
    learner_email: str
    learner_enrolment_id: int
    learner_items: int
    learner_entries: int  # of off-the-job hours
    cohort_id: int
    cohort_size: int
    manager_apprentices: int  # of the first line manager, manager1@


def build(url: str, instance: Path, learners: int, items: int) -> Built:
    """A migrated database with the criteria, the demo and the large provider, committed."""
    os.environ["PORTFOLIO_INSTANCE_PATH"] = str(instance)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                      "PUBLIC_URL": f"http://{HOST}"})  # fmt: skip
    started = time.monotonic()
    with app.app_context():
        try:
            upgrade()
            import_criteria(ROOT / "criteria")
            db.session.commit()
            build_demo()
            db.session.commit()
            large_started = time.monotonic()
            figures = build_large_provider(
                learners,
                cohorts=20,
                items_per_learner=items,
                first_cohort=COHORT_SIZE if learners >= 2 * COHORT_SIZE else None,
            )
            settle()  # as a database in service is: vacuumed, with fresh statistics
            large_seconds = time.monotonic() - large_started
            provider_id = figures["provider_id"]
            # A learner with a typical number of items.
            learner_email, enrolment_id, learner_items = db.session.execute(
                select(User.email, Enrolment.id, EnrolmentProgress.items)
                .join(Enrolment, Enrolment.learner_id == User.id)
                .join(EnrolmentProgress, EnrolmentProgress.enrolment_id == Enrolment.id)
                .where(Enrolment.provider_id == provider_id)
                .order_by(func.abs(EnrolmentProgress.items - items), Enrolment.id)
                .limit(1)
            ).one()
            sizes = db.session.execute(
                select(Enrolment.cohort_id, func.count())
                .where(Enrolment.provider_id == provider_id, Enrolment.cohort_id.is_not(None))
                .group_by(Enrolment.cohort_id)
            ).all()
            cohort_id, cohort_size = min(sizes, key=lambda row: (abs(row[1] - COHORT_SIZE), row[0]))
            learner_entries = db.session.scalar(
                select(func.count()).where(OtjEntry.enrolment_id == enrolment_id)
            )
            manager_apprentices = db.session.scalar(
                select(func.count())
                .select_from(Apprenticeship)
                .join(User, User.id == Apprenticeship.line_manager_id)
                .where(User.email == f"manager1@{DOMAIN}")
            )
        finally:
            db.session.remove()
            db.engine.dispose()
    return Built(
        seconds=time.monotonic() - started,
        large_seconds=large_seconds,
        figures=figures,
        learner_email=learner_email,
        learner_enrolment_id=enrolment_id,
        learner_items=learner_items,
        learner_entries=learner_entries,
        cohort_id=cohort_id,
        cohort_size=cohort_size,
        manager_apprentices=manager_apprentices,
    )


def write_out(url: str) -> None:
    """Put the load's writes on disk before anything is measured. PostgreSQL's checkpointer
    spreads a checkpoint's writes over most of five minutes, and the kernel writes dirty
    file pages back when it gets to them: either would otherwise share the machine with the
    pages being measured."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute("CHECKPOINT")
    os.sync()


# -- serving -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def gunicorn_binary() -> str:
    local = ROOT / ".venv" / "bin" / "gunicorn"
    if local.exists():
        return str(local)
    found = shutil.which("gunicorn")
    if not found:
        raise SystemExit("gunicorn was not found: run 'make bench' to install the app first")
    return found


class Server:
    """gunicorn serving wsgi:app on a free loopback port; stop() always ends it."""

    def __init__(self, url: str, instance: Path, workers: int):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = instance / "gunicorn.log"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET_KEY,
            "PORTFOLIO_INSTANCE_PATH": str(instance),
            # Served as in production, at its own address; signed in over plain HTTP on
            # loopback, so the session cookie is not marked Secure.
            "PORTFOLIO_PUBLIC_URL": self.base,
            "PORTFOLIO_SESSION_COOKIE_SECURE": "false",
        }
        self.log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop())
        command = [gunicorn_binary(), "--workers", str(workers), "--worker-class", "sync",
                   "--bind", f"{HOST}:{self.port}", "--log-level", "warning", "wsgi:app"]  # fmt: skip
        # Its own process group, so that stop() can end the workers and any PDF render they
        # forked even when the master is gone (a forked render ignores SIGTERM: it keeps the
        # worker's handler, and the worker waits for it at exit).
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    pass
                status, _body, _headers = fetch(self.base + "/sign-in")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(
            f"gunicorn did not answer within {SERVER_START_SECONDS} s:\n{self.log_tail()}"
        )

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn's master and its workers."""
        return tree_cpu_seconds(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def failed(self) -> bool:
        """Whether the log shows an exception (in a background PDF export, say)."""
        self.log.flush()
        with contextlib.suppress(OSError):
            return "Traceback" in self.log_path.read_text(errors="replace")
        return False

    def stop(self) -> None:
        group = self.process.pid  # the group this server's processes were started in
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)  # any of the group's processes left?
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self.log.close()


def _cpu_ticks(pid: int, with_children: bool) -> int:
    """utime + stime of a process, plus those of its children that have ended if asked."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(n) for n in fields[11 : 15 if with_children else 13])
    except (OSError, ValueError, IndexError):
        return 0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process (gunicorn's master, PostgreSQL's postmaster) and its children."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    ticks = _cpu_ticks(pid, True) + sum(_cpu_ticks(int(c), False) for c in children)
    return ticks / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children (each wrk run)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- HTTP with the standard library ----------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect comes back as an HTTPError carrying its status


def fetch(url: str, *, data: dict | None = None, cookie: str | None = None, opener=None,
          text: bool = True):  # fmt: skip
    """(status, body, headers) without following redirects; only loopback URLs. The body is
    text, or bytes when ``text`` is false (a PDF)."""
    if urllib.parse.urlsplit(url).hostname != HOST:
        raise ValueError(f"refusing to send traffic beyond {HOST}: {url}")
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
    opener = opener or urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            status, body, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, body, headers = error.code, error.read(), error.headers
    return status, body.decode("utf-8", "replace") if text else body, headers


CSRF = re.compile(
    r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"'
)


def sign_in(base: str, email: str, password: str) -> str:
    """The session cookie of a fresh sign-in, through the sign-in form and its CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    status, body, _headers = fetch(base + "/sign-in", opener=opener)
    if status != 200:
        raise SystemExit(f"GET /sign-in answered {status}")
    match = CSRF.search(body)
    if not match:
        raise SystemExit("no csrf_token field in the sign-in form")
    token = match.group(1) or match.group(2)
    form = {"email": email, "password": password, "csrf_token": token}
    status, _body, headers = fetch(base + "/sign-in", data=form, opener=opener)
    if status not in (302, 303):
        raise SystemExit(f"signing in as {email} answered {status}, not a redirect: refused?")
    cookie = next((c.value for c in jar if c.name == COOKIE), None)
    if not cookie:
        raise SystemExit(f"signing in as {email} set no {COOKIE} cookie")
    return cookie
