"""When the database's write lock is taken, and what holds it: slow work a request does before it
writes (checking a password, rendering text) holds no lock, a write after others have committed
waits for the lock instead of failing, and pages refused while others write answer 404, not 500.

These tests use apps on databases of their own, not the transactional ``app`` fixture, whose
requests share one connection and so could never wait for one another.
"""

import sqlite3
import threading

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Provider, Role
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from tests import factories
from tests.conftest import make_app
from tests.evidence.helpers import INCIDENT
from tests.stories import TIMEOUT, cast, new_log, signed_in


@pytest.fixture
def sqlite_app(tmp_path):
    path = tmp_path / "locks.sqlite3"
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=False)
    app.config["TEST_DATABASE_PATH"] = str(path)
    yield app
    with app.app_context():
        db.engine.dispose()


def another_writer_can_write(app) -> bool:
    """Whether a second connection gets SQLite's write lock at once, without waiting."""
    other = sqlite3.connect(app.config["TEST_DATABASE_PATH"], timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        other.close()


def test_signing_in_holds_no_write_lock_while_the_password_is_checked(sqlite_app, monkeypatch):
    from portfolio.accounts import auth

    people = cast(sqlite_app)
    seen = []
    verify = auth.verify_password

    def verify_and_look(stored, password):
        seen.append(another_writer_can_write(sqlite_app))
        return verify(stored, password)

    monkeypatch.setattr(auth, "verify_password", verify_and_look)
    signed_in(sqlite_app, people.learner)
    assert seen == [True]


def test_a_password_rehashed_at_sign_in_is_hashed_before_the_lock_is_taken(
    sqlite_app, monkeypatch
):
    from portfolio.accounts import auth

    people = cast(sqlite_app)
    sqlite_app.config["ARGON2_TIME_COST"] += 1  # the stored hash is now due to be redone
    seen = []
    hash_password = auth.hash_password

    def hash_and_look(password):
        seen.append(another_writer_can_write(sqlite_app))
        return hash_password(password)

    monkeypatch.setattr(auth, "hash_password", hash_and_look)
    signed_in(sqlite_app, people.learner)
    assert seen == [True]


def test_saving_evidence_holds_no_write_lock_while_its_text_is_rendered(sqlite_app, monkeypatch):
    from portfolio.evidence import kinds

    people = cast(sqlite_app)
    learner = signed_in(sqlite_app, people.learner)
    item_id = new_log(learner, people.enrolment_id)
    seen = []
    render = kinds.render_html

    def render_and_look(kind, content):
        seen.append(another_writer_can_write(sqlite_app))
        return render(kind, content)

    monkeypatch.setattr(kinds, "render_html", render_and_look)
    response = learner.post(f"/evidence/{item_id}/edit", data={**INCIDENT, "title": "Edited"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert seen == [True]


def test_a_write_after_others_committed_waits_for_the_lock_and_succeeds(sqlite_app):
    """A long piece of work (a PDF export) reads, others write meanwhile, then it writes."""
    with sqlite_app.app_context():
        provider = factories.make_provider("Before")
        db.session.commit()
        provider = db.session.get(Provider, provider.id)
        assert provider.name == "Before"  # read: no lock, no snapshot kept

        other = sqlite3.connect(
            sqlite_app.config["TEST_DATABASE_PATH"], isolation_level=None, check_same_thread=False
        )
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE provider SET name = 'Changed meanwhile' WHERE id != ?",
                      (provider.id,))  # fmt: skip
        releaser = threading.Timer(0.3, lambda: other.execute("COMMIT"))
        releaser.start()  # the lock is held when the write below starts, and let go soon after
        try:
            provider.name = "After"
            db.session.commit()
        finally:
            releaser.join()
            other.close()
        assert db.session.scalar(select(Provider.name).where(Provider.id == provider.id)) == (
            "After"
        )


def test_refused_pages_answer_404_while_others_write(own_database_app):
    """Learners write evidence while another learner keeps asking for it: every refusal is a
    404 and is kept in the audit trail, and every write succeeds."""
    people = cast(own_database_app)
    with own_database_app.app_context():
        provider = db.session.get(Provider, people.provider_id)
        snooper = factories.make_user(provider, Role.LEARNER)
        snooper_email = snooper.email
        db.session.commit()
    writer = signed_in(own_database_app, people.learner)
    items = [new_log(writer, people.enrolment_id) for _ in range(2)]
    with own_database_app.app_context():
        refusals_before = db.session.scalar(
            select(func.count()).where(AuditEvent.action == "access.refused")
        )

    rounds = 25
    statuses: dict[str, list[int]] = {"write": [], "refused": []}
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def write(item_id: int) -> None:
        client = signed_in(own_database_app, people.learner)
        start.wait(timeout=TIMEOUT)
        for n in range(rounds):
            data = {**INCIDENT, "title": f"Edited {n}"}
            statuses["write"].append(client.post(f"/evidence/{item_id}/edit", data=data).status_code)

    def refuse(item_id: int) -> None:
        client = signed_in(own_database_app, snooper_email)
        start.wait(timeout=TIMEOUT)
        for _ in range(rounds):
            statuses["refused"].append(client.get(f"/evidence/{item_id}").status_code)

    def run(target, item_id: int) -> None:
        try:
            target(item_id)
        except BaseException as error:  # reported by the test, not lost in the thread
            start.abort()
            failures.append(error)

    work = [(write, items[0]), (write, items[1]), (refuse, items[0]), (refuse, items[1])]
    threads = [threading.Thread(target=run, args=w) for w in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10 * TIMEOUT)
    assert not any(t.is_alive() for t in threads)
    if failures:
        raise failures[0]
    assert statuses["refused"] == [404] * 2 * rounds
    assert statuses["write"] == [302] * 2 * rounds
    with own_database_app.app_context():
        refusals = db.session.scalar(
            select(func.count()).where(AuditEvent.action == "access.refused")
        )
    assert refusals - refusals_before == 2 * rounds


def test_two_writers_of_one_providers_audit_chain_queue_rather_than_deadlock(own_postgres_app):
    """Each has added a row that refers to the provider, for which PostgreSQL's foreign key
    check holds a key-share lock on the provider's row until the commit; then each appends to
    the provider's audit chain. The second waits for the first to commit; neither is ended as
    a deadlock."""
    from portfolio.audit import trail as audit

    app = own_postgres_app()
    with app.app_context():
        provider_id = factories.make_provider().id
        db.session.commit()
    both_added = threading.Barrier(2)
    failures: list[BaseException] = []

    def add_and_record(n: int) -> None:
        try:
            with app.app_context():
                # The lock an insert referring to the provider takes (PostgreSQL's FOR KEY SHARE).
                key_share = select(Provider.id).where(Provider.id == provider_id)
                db.session.execute(key_share.with_for_update(read=True, key_share=True))
                both_added.wait(timeout=TIMEOUT)
                audit.record("cohort.created", provider_id=provider_id, object_type="cohort",
                             summary=f"Cohort {n}")  # fmt: skip
                db.session.commit()
        except BaseException as error:  # reported by the test, not lost in the thread
            both_added.abort()
            failures.append(error)

    threads = [threading.Thread(target=add_and_record, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not failures, failures
    with app.app_context():
        reports = audit.verify(provider_id)
        assert reports and all(r.ok for r in reports), reports
        assert db.session.scalar(
            select(func.count()).where(AuditEvent.provider_id == provider_id)
        ) == 2
