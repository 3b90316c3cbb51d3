"""The audit trail: a hash-linked chain per provider that shows any tampering, and its pages."""

import enum
import re
import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from flask import render_template
from flask_migrate import upgrade
from sqlalchemy import delete, event, select, text, update
from sqlalchemy.exc import IntegrityError

from portfolio import create_app
from portfolio.accounts.models import Role
from portfolio.audit.cli import audit_cli
from portfolio.audit.models import ZERO_HASH, AuditEvent, AuditEventChanged
from portfolio.audit.trail import (
    Entry,
    event_hash,
    events_for_learner,
    events_for_object,
    record,
    record_many,
    snapshot,
    verify,
)
from portfolio.db import db
from portfolio.enrolments.operations import update_enrolment
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from tests.conftest import TEST_CONFIG
from tests.factories import STAR_CONTENT, make_enrolment, make_provider, make_user
from tests.statements import counting


def submit(provider, actor, learner, title: str, version: int = 1) -> AuditEvent:
    return record(
        "evidence.submitted",
        provider_id=provider.id,
        actor=actor,
        object_type="evidence",
        object_id=version,
        learner_id=learner.id,
        before={"status": "draft"},
        after={"status": "submitted", "version": version, "criteria": [3, 1]},
        summary=f"Submitted '{title}' version {version}",
    )


@pytest.fixture
def chain(app):
    """Five events at a provider of their own, after whatever its accounts recorded."""
    provider = make_provider()
    learner = make_user(provider, Role.LEARNER)
    events = [submit(provider, learner, learner, f"Gas leak log {n}", n) for n in range(1, 6)]
    return provider, events


def report_for(provider):
    (report,) = verify(provider.id)
    return report


def tamper(sql: str, **params) -> None:
    # The ORM refuses to change an event, so an attacker with database access is played by SQL.
    db.session.execute(text(sql), params)


# Building and verifying a chain


def test_events_are_numbered_and_linked_in_turn(chain):
    provider, events = chain
    first, *rest = events
    assert [e.seq for e in events] == list(range(first.seq, first.seq + 5))
    for before, after in zip(events, rest, strict=False):
        assert after.prev_hash == before.hash
    assert all(len(e.hash) == 64 for e in events)
    report = report_for(provider)
    assert report.ok and report.reason is None
    assert report.events == events[-1].seq
    assert report.provider_name == provider.name


def test_a_new_chain_starts_at_one_from_the_zero_hash(app):
    provider = make_provider()
    first = record("sign_in.failed", provider_id=provider.id, object_type="user", summary="x")
    assert (first.seq, first.prev_hash) == (1, ZERO_HASH)
    assert first.actor_id is None and first.actor_role is None
    assert report_for(provider).ok


def test_several_events_appended_at_once_continue_the_chain_in_order(chain):
    provider, _ = chain
    learner = make_user(provider, Role.LEARNER)
    head = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.provider_id == provider.id)
        .order_by(AuditEvent.seq.desc())
    )
    entries = [
        Entry("account.created", "user", actor=learner, object_id=learner.id,
              learner_id=learner.id, after={"name": learner.name}, summary=f"Event {n}")
        for n in range(1, 4)
    ]  # fmt: skip
    with counting(db.engine) as statements:
        appended = record_many(provider.id, entries)
    assert [e.seq for e in appended] == [head.seq + n for n in range(1, 4)]
    assert [e.summary for e in appended] == ["Event 1", "Event 2", "Event 3"]
    assert appended[0].prev_hash == head.hash
    assert [e.prev_hash for e in appended[1:]] == [e.hash for e in appended[:-1]]
    assert appended[0].actor_role == "learner" and appended[0].after == {"name": learner.name}
    # The chain is locked and its head read once for all three.
    reads = [s for s in statements if not s.lstrip().upper().startswith("INSERT")]
    assert len(reads) == 2
    assert report_for(provider).ok
    assert record_many(provider.id, []) == []
    record("sign_in.failed", provider_id=provider.id, object_type="user", summary="next")
    assert report_for(provider).ok and report_for(provider).events == appended[-1].seq + 1


def test_the_hash_covers_what_was_stored_including_dates_enums_and_accents(app):
    class Colour(enum.Enum):
        RED = "red"

    class Thing:
        starts_on = date(2026, 9, 1)
        decided_at = datetime(2026, 11, 23, 9, 30, 15, 120, tzinfo=UTC)
        colour = Colour.RED
        title = "Café – “Gas leak” log"

    values = snapshot(Thing, "starts_on", "decided_at", "colour", "title")
    assert values == {
        "starts_on": "2026-09-01",
        "decided_at": "2026-11-23T09:30:15.000120+00:00",
        "colour": "red",
        "title": "Café – “Gas leak” log",
    }
    provider = make_provider()
    stored = record("enrolment.changed", provider_id=provider.id, object_type="enrolment",
                    object_id=7, before={1: (date(2026, 1, 2),)}, after=values,
                    summary="ü" * 400)  # fmt: skip
    assert stored.before == {"1": ["2026-01-02"]}  # as the JSON column gives it back
    assert len(stored.summary) == 300
    db.session.expire_all()
    assert report_for(provider).ok


def test_values_json_cannot_hold_are_refused(app):
    provider = make_provider()
    with pytest.raises(TypeError):
        record("x.y", provider_id=provider.id, object_type="evidence", after={"f": object()})


def test_separate_providers_keep_separate_chains(app):
    a, b = make_provider(), make_provider()
    learner_a, learner_b = make_user(a, Role.LEARNER), make_user(b, Role.LEARNER)
    for n in range(3):
        submit(a, learner_a, learner_a, f"A{n}")
        submit(b, learner_b, learner_b, f"B{n}")
    last_a = submit(a, learner_a, learner_a, "A last")
    assert last_a.prev_hash != ZERO_HASH
    tamper("UPDATE audit_event SET summary = 'x' WHERE id = :id", id=last_a.id)
    assert not report_for(a).ok
    assert report_for(b).ok
    reports = {r.provider_id: r for r in verify()}
    assert not reports[a.id].ok and reports[b.id].ok


def test_two_events_cannot_take_the_same_place_in_a_chain(chain):
    provider, events = chain
    clash = AuditEvent(provider_id=provider.id, seq=events[-1].seq, action="x.y",
                       object_type="evidence", summary="", prev_hash=ZERO_HASH, hash=ZERO_HASH)  # fmt: skip
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(clash)
        db.session.flush()


def test_two_writers_at_once_take_turns_on_postgresql(request):
    """The second writer waits for the first to commit, then appends after it."""
    # Its own database: the writers must really commit, which the per-test transaction forbids.
    url = request.getfixturevalue("postgres_cluster").create_database("audit_race")
    race_app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with race_app.app_context():
        upgrade()
        provider = make_provider("Race")
        db.session.commit()
        provider_id = provider.id
    first_flushed = threading.Event()
    seqs = {}

    def write(name: str):
        with race_app.app_context():
            try:
                appended = record("x.y", provider_id=provider_id, object_type="evidence")
                if name == "first":
                    first_flushed.set()
                    time.sleep(0.3)  # the second writer starts while this one is uncommitted
                db.session.commit()
                seqs[name] = appended.seq
            except Exception as error:  # reported by the assertion below
                seqs[name] = error
            finally:
                first_flushed.set()

    first = threading.Thread(target=write, args=("first",))
    first.start()
    first_flushed.wait(5)
    second = threading.Thread(target=write, args=("second",))
    second.start()
    first.join()
    second.join()
    with race_app.app_context():
        (report,) = verify(provider_id)
        db.session.remove()
        db.engine.dispose()
    assert seqs == {"first": 1, "second": 2}
    assert report.ok


# Tampering, found


def test_a_changed_summary_is_reported_at_that_event(chain):
    provider, events = chain
    target = events[2]
    tamper("UPDATE audit_event SET summary = 'Accepted it' WHERE id = :id", id=target.id)
    report = report_for(provider)
    assert not report.ok
    assert (report.broken_at_seq, report.broken_event_id) == (target.seq, target.id)
    assert report.reason == f"event {target.seq}'s content does not match its hash"


def test_a_change_to_the_newest_event_is_found(chain):
    provider, events = chain
    tamper("UPDATE audit_event SET after = NULL WHERE id = :id", id=events[-1].id)
    report = report_for(provider)
    assert report.broken_at_seq == events[-1].seq
    assert "content does not match" in report.reason


def test_a_deleted_event_is_reported_as_missing(chain):
    provider, events = chain
    tamper("DELETE FROM audit_event WHERE id = :id", id=events[2].id)
    report = report_for(provider)
    assert not report.ok
    assert report.broken_at_seq == events[2].seq
    assert report.broken_event_id is None
    assert report.reason == f"event {events[2].seq} is missing"


def test_a_chain_whose_start_was_deleted_is_broken(chain):
    provider, events = chain
    tamper("DELETE FROM audit_event WHERE provider_id = :p AND seq < :seq",
           p=provider.id, seq=events[1].seq)  # fmt: skip
    assert report_for(provider).reason == "event 1 is missing"


def test_a_chain_that_does_not_start_from_the_zero_hash_is_broken(app):
    provider = make_provider()
    first = record("x.y", provider_id=provider.id, object_type="evidence")
    forged = event_hash({**_fields(first), "prev_hash": "f" * 64})
    tamper("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id",
           p="f" * 64, h=forged, id=first.id)  # fmt: skip
    report = report_for(provider)
    assert (report.broken_at_seq, report.reason) == (1, "event 1 does not start from the zero hash")


def test_swapped_events_break_the_link_where_they_were_swapped(chain):
    provider, events = chain
    a, b = events[1], events[2]
    tamper("UPDATE audit_event SET seq = -1 WHERE id = :id", id=a.id)
    tamper("UPDATE audit_event SET seq = :seq WHERE id = :id", seq=a.seq, id=b.id)
    tamper("UPDATE audit_event SET seq = :seq WHERE id = :id", seq=b.seq, id=a.id)
    report = report_for(provider)
    assert (report.broken_at_seq, report.broken_event_id) == (a.seq, b.id)
    assert report.reason == f"event {a.seq} does not link to event {a.seq - 1}"


def test_a_changed_hash_breaks_the_next_link(chain):
    provider, events = chain
    target, following = events[1], events[2]
    tamper("UPDATE audit_event SET hash = :h WHERE id = :id", h="e" * 64, id=target.id)
    report = report_for(provider)
    assert (report.broken_at_seq, report.broken_event_id) == (following.seq, following.id)
    assert report.reason == f"event {following.seq} does not link to event {target.seq}"


def test_a_rewritten_event_with_a_fresh_hash_breaks_the_next_link(chain):
    provider, events = chain
    target, following = events[1], events[2]
    rewritten = {**_fields(target), "summary": "Accepted it"}
    tamper("UPDATE audit_event SET summary = :s, hash = :h WHERE id = :id",
           s="Accepted it", h=event_hash(rewritten), id=target.id)  # fmt: skip
    report = report_for(provider)
    assert (report.broken_at_seq, report.broken_event_id) == (following.seq, following.id)
    assert report.reason == f"event {following.seq} does not link to event {target.seq}"


def test_only_the_first_break_is_reported(chain):
    provider, events = chain
    for target in (events[3], events[1]):
        tamper("UPDATE audit_event SET summary = 'x' WHERE id = :id", id=target.id)
    assert report_for(provider).broken_at_seq == events[1].seq


def _fields(audit_event: AuditEvent) -> dict:
    return {c.key: getattr(audit_event, c.key) for c in AuditEvent.__mapper__.column_attrs}


# Append-only in the application


def test_the_application_cannot_change_an_event(chain):
    _, events = chain
    events[0].summary = "Accepted it"
    with pytest.raises(AuditEventChanged, match="never changed or deleted"):
        db.session.flush()
    db.session.rollback()


def test_the_application_cannot_delete_an_event(chain):
    _, events = chain
    db.session.delete(events[0])
    with pytest.raises(AuditEventChanged):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [update(AuditEvent).values(summary="x"), delete(AuditEvent)],
    ids=["update", "delete"],
)
def test_the_application_cannot_change_events_in_bulk(chain, statement):
    with pytest.raises(AuditEventChanged):
        db.session.execute(statement)


# Reading a trail


def test_a_learners_and_an_objects_trail_come_newest_first(app, people):
    admin, learner = people[Role.ADMIN], people[Role.LEARNER]
    provider_id = learner.provider_id
    provider = learner.provider
    mine = [submit(provider, learner, learner, "Mine", 41) for _ in range(2)]
    theirs = submit(provider, admin, people["learner2"], "Theirs", 41)
    trail = events_for_learner(learner.id, provider_id)
    assert [e.id for e in trail][:2] == [mine[1].id, mine[0].id]
    assert all(e.learner_id == learner.id for e in trail)
    assert events_for_learner(learner.id, people["other_admin"].provider_id) == []
    by_object = events_for_object("evidence", 41, provider_id)
    assert [e.id for e in by_object][:3] == [theirs.id, mine[1].id, mine[0].id]
    assert by_object[0].actor == admin


# The command line


def test_verify_says_so_when_there_is_nothing_to_check(runner):
    result = runner.invoke(audit_cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "No audit events yet."


def test_verify_prints_each_intact_chain_and_exits_zero(runner, chain):
    provider, events = chain
    result = runner.invoke(audit_cli, ["verify", "--provider", str(provider.id)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{provider.name}: {events[-1].seq} events, chain intact\n"


def test_verify_names_the_broken_event_and_exits_non_zero(runner, chain):
    provider, events = chain
    intact = make_provider("Northgate Training (demo)")
    record("x.y", provider_id=intact.id, object_type="evidence")
    target = events[2]
    tamper("UPDATE audit_event SET summary = 'x' WHERE id = :id", id=target.id)
    result = runner.invoke(audit_cli, ["verify"])
    assert result.exit_code == 1
    assert "Northgate Training (demo): 1 event, chain intact\n" in result.output
    assert (
        f"{provider.name}: chain broken at event {target.seq} (id {target.id}): "
        f"event {target.seq}'s content does not match its hash\n"
    ) in result.output
    assert "1 audit chain is broken" in result.output


def test_verify_reports_a_missing_event_without_an_id(runner, chain):
    provider, events = chain
    tamper("DELETE FROM audit_event WHERE id = :id", id=events[1].id)
    result = runner.invoke(audit_cli, ["verify", "--provider", str(provider.id)])
    assert result.exit_code == 1
    seq = events[1].seq
    assert f"chain broken at event {seq}: event {seq} is missing" in result.output


def test_verify_refuses_an_unknown_provider(runner, app):
    result = runner.invoke(audit_cli, ["verify", "--provider", "999999"])
    assert result.exit_code == 1
    assert "no provider with id 999999" in result.output


# The pages


def returned(provider, assessor, learner, item_id: int) -> AuditEvent:
    return record("decision.recorded", provider_id=provider.id, actor=assessor,
                  object_type="evidence", object_id=item_id, learner_id=learner.id,
                  before={"status": "submitted"}, after={"status": "returned", "version": 1},
                  summary="Returned 'Gas leak log' v1 for rework")  # fmt: skip


def started(learner, enrolment, title: str = "Gas leak log") -> EvidenceItem:
    return operations.start_item(learner, enrolment, EvidenceKind.STAR_ACCOUNT, title, STAR_CONTENT)


@pytest.fixture
def trail(people):
    """A learner in the assessor's and IQA's caseload, with evidence submitted and returned."""
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolment = make_enrolment(learner, assessor=assessor, iqa=people[Role.IQA])
    provider = learner.provider
    item = started(learner, enrolment)
    submit(provider, learner, learner, "Gas leak log", item.id)
    returned(provider, assessor, learner, item.id)
    return learner


@pytest.fixture
def trail_item(trail) -> int:
    return db.session.scalar(select(EvidenceItem.id).where(EvidenceItem.learner_id == trail.id))


def learner_page(client, learner):
    return client.get(f"/audit/learners/{learner.id}")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ASSESSOR, Role.IQA])
def test_admins_and_the_learners_assessor_and_iqa_see_it(client, auth, people, trail, role):
    auth.sign_in(people[role])
    response = learner_page(client, trail)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assessor = people[Role.ASSESSOR].name
    assert f"{assessor} returned 'Gas leak log' (version 1) for rework" in page
    assert re.search(rf"{trail.name} submitted 'Gas leak log' \(version \d+\) for marking", page)
    # The stored summary and the raw before and after, behind the disclosure.
    raw = page.split("<details>")[1]
    assert "Returned &#39;Gas leak log&#39; v1 for rework" in raw
    assert "decision.recorded" in raw
    assert "<dt>status</dt>" in raw and "<dd>returned</dd>" in raw
    assert page.index("returned 'Gas leak log") < page.index("submitted 'Gas leak log")
    assert '<ol class="trail" aria-label="Audit events">' in page


def test_an_assessor_without_the_learner_in_their_caseload_gets_404(
    client, auth, people, trail, trail_item
):
    auth.sign_in(people["assessor2"])
    assert learner_page(client, trail).status_code == 404
    assert client.get(f"/audit/evidence/{trail_item}").status_code == 404


def test_another_providers_admin_gets_404(client, auth, people, trail, trail_item):
    auth.sign_in(people["other_admin"])
    assert learner_page(client, trail).status_code == 404
    assert client.get(f"/audit/evidence/{trail_item}").status_code == 404


def test_learners_are_refused(client, auth, people, trail, trail_item):
    auth.sign_in(people[Role.LEARNER])
    assert learner_page(client, trail).status_code == 403
    assert client.get(f"/audit/evidence/{trail_item}").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, trail):
    assert learner_page(client, trail).status_code == 302


def test_only_a_learners_trail_is_shown_on_a_learners_page(client, auth, people, trail):
    auth.sign_in(people[Role.ADMIN])
    assert learner_page(client, people[Role.ASSESSOR]).status_code == 404
    assert learner_page(client, people["other_learner"]).status_code == 404


def test_an_objects_trail_is_shown_to_those_who_may_see_it(client, auth, people, trail, trail_item):
    auth.sign_in(people[Role.ASSESSOR])
    page = client.get(f"/audit/evidence/{trail_item}").get_data(as_text=True)
    assert f"Audit trail: Evidence item {trail_item}" in page
    assert "Returned &#39;Gas leak log&#39; v1 for rework" in page
    assert client.get(f"/audit/evidence/{trail_item + 1}").status_code == 404
    assert client.get(f"/audit/cupboard/{trail_item}").status_code == 404


@pytest.fixture
def reassigned(people):
    """A learner on two units with the same assessor and IQA, taken off the first: the
    first unit now goes to assessor2, the second stays with the assessor."""
    learner, assessor, iqa = people[Role.LEARNER], people[Role.ASSESSOR], people[Role.IQA]
    taken, kept = (make_enrolment(learner, body=body, assessor=assessor, iqa=iqa)
                   for body in ("PEARSON", "VTCT"))  # fmt: skip
    taken_item, kept_item = started(learner, taken, "Taken log"), started(learner, kept, "Kept log")
    update_enrolment(people[Role.ADMIN], taken, cohort_id=None, assessor_id=people["assessor2"].id,
                     iqa_id=iqa.id, starts_on=taken.starts_on, planned_end_on=taken.planned_end_on)  # fmt: skip
    db.session.commit()
    return learner, taken, taken_item, kept_item


def test_an_assessor_taken_off_an_enrolment_no_longer_reads_its_trail(
    client, auth, people, reassigned
):
    learner, taken, taken_item, kept_item = reassigned
    auth.sign_in(people[Role.ASSESSOR])
    assert client.get(f"/enrolments/{taken.id}/portfolio").status_code == 404
    assert client.get(f"/audit/enrolment/{taken.id}").status_code == 404
    assert client.get(f"/audit/evidence/{taken_item.id}").status_code == 404
    page = learner_page(client, learner).get_data(as_text=True)
    assert "Kept log" in page
    assert "Taken log" not in page
    assert f"Changed the enrolment of {learner.name}" not in page
    assert client.get(f"/audit/evidence/{kept_item.id}").status_code == 200


def test_an_assessor_taken_off_a_learners_only_enrolment_gets_404_for_the_learner(
    client, auth, people
):
    learner = people["learner2"]
    enrolment = make_enrolment(learner, assessor=people[Role.ASSESSOR], iqa=people[Role.IQA])
    started(learner, enrolment)
    update_enrolment(people[Role.ADMIN], enrolment, cohort_id=None,
                     assessor_id=people["assessor2"].id, iqa_id=people[Role.IQA].id,
                     starts_on=enrolment.starts_on, planned_end_on=enrolment.planned_end_on)  # fmt: skip
    db.session.commit()
    auth.sign_in(people[Role.ASSESSOR])
    assert learner_page(client, learner).status_code == 404
    assert client.get(f"/audit/enrolment/{enrolment.id}").status_code == 404


@pytest.mark.parametrize("who", ["assessor2", Role.IQA, Role.ADMIN])
def test_the_new_assessor_the_iqa_and_the_admin_read_the_reassigned_enrolments_trail(
    client, auth, people, reassigned, who
):
    learner, taken, taken_item, _ = reassigned
    auth.sign_in(people[who])
    enrolment_page = client.get(f"/audit/enrolment/{taken.id}").get_data(as_text=True)
    assert f"Changed the enrolment of {learner.name}" in enrolment_page
    assert "Taken log" in client.get(f"/audit/evidence/{taken_item.id}").get_data(as_text=True)
    page = learner_page(client, learner).get_data(as_text=True)
    assert "Taken log" in page
    assert f"Changed the enrolment of {learner.name}" in page
    if who == "assessor2":  # the second unit is not theirs
        assert "Kept log" not in page
    else:
        assert "Kept log" in page


def test_an_assessor_reads_their_learners_account_changes_but_not_their_sign_ins(
    client, auth, people, trail
):
    provider = trail.provider
    record("account.changed", provider_id=provider.id, actor=people[Role.ADMIN],
           object_type="user", object_id=trail.id, learner_id=trail.id,
           summary="Changed the account of the learner")  # fmt: skip
    record("sign_in.succeeded", provider_id=provider.id, actor=trail, object_type="user",
           object_id=trail.id, after={"address": "192.0.2.7"}, summary="Signed in")  # fmt: skip
    auth.sign_in(people[Role.ASSESSOR])
    page = client.get(f"/audit/user/{trail.id}").get_data(as_text=True)
    assert "Changed the account of the learner" in page
    assert "192.0.2.7" not in page
    auth.sign_out()
    auth.sign_in(people["assessor2"])
    assert client.get(f"/audit/user/{trail.id}").status_code == 404


def test_another_providers_admin_gets_404_for_the_reassigned_enrolment(
    client, auth, people, reassigned
):
    learner, taken, taken_item, _ = reassigned
    auth.sign_in(people["other_admin"])
    assert client.get(f"/audit/enrolment/{taken.id}").status_code == 404
    assert client.get(f"/audit/evidence/{taken_item.id}").status_code == 404
    assert learner_page(client, learner).status_code == 404


def test_a_trail_page_takes_the_same_statements_however_long_it_is(client, auth, people, trail):
    auth.sign_in(people[Role.ADMIN])
    url = f"/audit/learners/{trail.id}"
    with statements() as short:
        assert client.get(url).status_code == 200
    provider = trail.provider
    for n, actor in enumerate((people[Role.IQA], people[Role.ADMIN], people["assessor2"])):
        submit(provider, actor, trail, f"More {n}", 41)
    with statements() as long:
        assert client.get(url).status_code == 200
    assert len(long) == len(short)


def test_a_trail_with_nothing_in_it_says_so(app, people):
    learner = people[Role.LEARNER]
    with app.test_request_context():
        page = render_template(
            "audit/trail.html", title="Audit trail", learner=learner, readings=[]
        )
    assert f"Nothing has been recorded about {learner.name} yet." in page
    assert "<ol" not in page


@contextmanager
def statements():
    """The SQL statements run inside the block."""
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
