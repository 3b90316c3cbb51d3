"""Fixtures: a database migrated once per kind and process and copied for each app, and a
rolled-back transaction per test.

Every test that uses ``app`` runs on SQLite and again on a throwaway PostgreSQL cluster.
"""

import contextvars
import os
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import scoped_session, sessionmaker

INSTANCE_PATH = tempfile.mkdtemp(prefix="portfolio-instance-")
os.environ["PORTFOLIO_INSTANCE_PATH"] = INSTANCE_PATH

from portfolio import ROOT, create_app  # noqa: E402
from portfolio.db import db  # noqa: E402
from portfolio.units.library import import_criteria  # noqa: E402
from tests import factories  # noqa: E402
from tests.mailserver import _smtp_server, mail_server  # noqa: E402, F401  (fixtures)
from tests.postgres import Cluster  # noqa: E402

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    # Jobs run at once, in the process that starts them, when its transaction commits.
    "JOBS_IMMEDIATE": True,
    # Cheap hashing keeps the suite fast; production uses argon2-cffi's recommended cost.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 8,
    "ARGON2_PARALLELISM": 1,
}


# The files that take longest, run first, longest first: pytest-xdist (make test) hands the
# processes whole files in the order collected (with --no-loadscope-reorder, as its default
# order is by the number of tests in a file), so none of these is left running alone at the
# end while the other processes wait. Each of the later ones takes 25 s or more.
SLOWEST_FIRST = (
    "tests/fuzz/", "tests/jobs/test_worker_killed.py", "tests/browser/",
    "tests/exports/test_portfolio_pdf.py", "tests/evidence/test_pii_addresses.py",
    "tests/backup/", "tests/progress/test_large_demo.py", "tests/progress/test_dashboard.py",
    "tests/apprenticeships/test_hours.py", "tests/exports/test_faults.py",
    "tests/assessment/test_lifecycle.py", "tests/test_demo_and_migrations.py",
    "tests/apprenticeships/test_hours_progress.py", "tests/assessment/test_races.py",
    "tests/enrolments/test_long_lists.py", "tests/evidence/test_suggestion_meaning.py",
    "tests/webhooks/test_retries.py", "tests/assessment/test_integrity.py",
    "tests/progress/test_dashboard_figures.py", "tests/apprenticeships/test_reviews.py",
)  # fmt: skip


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        found = (n for n, start in enumerate(SLOWEST_FIRST) if item.nodeid.startswith(start))
        return next(found, len(SLOWEST_FIRST))

    items.sort(key=rank)


def pytest_unconfigure(config):
    """Removes the folders this process made: the apps' instance folder and the migrated
    SQLite database every app's copy is made from (PostgreSQL's go with their cluster)."""
    shutil.rmtree(INSTANCE_PATH, ignore_errors=True)
    if "sqlite" in _migrated:
        shutil.rmtree(Path(_migrated["sqlite"].database).parent, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


def make_app(database_url: str, **config):
    """An app on a migrated database holding the criteria library: a copy of one migrated
    once in this process (``_migrated``)."""
    _copy_migrated(make_url(database_url))
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **config})


# A database migrated and holding the criteria library, made once in each test process for
# each kind of database; every app's database starts as a copy of it (SQLite's backup of
# the file, a PostgreSQL database made from it as a template), as migrating and importing
# take a second or two an app.
_migrated: dict[str, URL] = {}


def _copy_migrated(url: URL) -> None:
    kind = url.get_backend_name()
    if kind not in _migrated:
        if kind == "sqlite":
            template = url.set(database=tempfile.mkdtemp(prefix="migrated-") + "/db.sqlite3")
        else:
            template = url.set(database=f"migrated_{uuid.uuid4().hex[:16]}")
            _run_on_server(url, f'CREATE DATABASE "{template.database}"')
        uri = template.render_as_string(hide_password=False)
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
        with app.app_context():
            upgrade()
            import_criteria(ROOT / "criteria")
            db.session.commit()
            db.engine.dispose()
        _migrated[kind] = template
    template = _migrated[kind]
    if kind == "sqlite":
        source, copy = sqlite3.connect(template.database), sqlite3.connect(url.database)
        with closing(source), closing(copy):
            source.backup(copy)
    else:  # the database the test made is empty: made again from the template
        _run_on_server(url, f'DROP DATABASE "{url.database}"',
                       f'CREATE DATABASE "{url.database}" TEMPLATE "{template.database}"')  # fmt: skip


def _run_on_server(url: URL, *statements: str) -> None:
    import psycopg

    server = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture
def own_postgres_app(postgres_cluster):
    """Makes apps each on a PostgreSQL database of its own, CSRF off, for tests whose requests
    must run as they do in service (their own connections and transactions), not inside
    the test's transaction as ``app``'s do."""
    made = []

    def make(**config):
        url = postgres_cluster.create_database(f"own_{uuid.uuid4().hex[:16]}")
        made.append(make_app(url, WTF_CSRF_ENABLED=False, **config))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database_app(request, tmp_path):
    """An app on a database of this test's own, CSRF off, on SQLite and on PostgreSQL: for
    tests of real concurrent requests, which ``app``'s shared connection would serialise."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path / "own.sqlite3")
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database(f"own_{uuid.uuid4().hex[:16]}")
    app = make_app(url, WTF_CSRF_ENABLED=False)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_app(tmp_path_factory):
    app = make_app("sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.sqlite3"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def _postgresql_app(postgres_cluster):
    app = make_app(postgres_cluster.create_database("portfolio_test"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def _app(request):
    """The migrated app of one database, made once per run: a function-scoped choice between
    two session-scoped apps, so that no run (serial or in several processes) makes one twice."""
    return request.getfixturevalue(f"_{request.param}_app")


@pytest.fixture
def app(_app):
    """The app, with every change the test makes rolled back at its end."""
    with _app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        session_factory = db.session
        # A plain Session: Flask-SQLAlchemy's own picks the engine over a given connection.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield _app
        finally:
            db.session.remove()
            db.session = session_factory
            transaction.rollback()
            connection.close()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, session and ``g``.

    Flask reuses an app context that is already pushed, so without this the test's own
    context (and Flask-Login's cached user in ``g``) would leak into every request.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()  # the test sees what the request committed
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    def __init__(self, client):
        self.client = client

    def sign_in(self, user, password: str = factories.PASSWORD):
        response = self.client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def sign_out(self):
        return self.client.post("/sign-out")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def provider(app):
    return factories.make_provider()


@pytest.fixture
def people(app, provider):
    """One of each role at one provider, and a second provider with its own learner."""
    from portfolio.accounts.models import Role

    made = {role: factories.make_user(provider, role) for role in Role}
    made["learner2"] = factories.make_user(provider, Role.LEARNER)
    made["assessor2"] = factories.make_user(provider, Role.ASSESSOR)
    other = factories.make_provider()
    made["other_admin"] = factories.make_user(other, Role.ADMIN)
    made["other_learner"] = factories.make_user(other, Role.LEARNER)
    return made


CRITERIA_DIR = Path(ROOT) / "criteria"
