"""Appending to a provider's audit chain, checking it has not been tampered with, and reading it."""

import enum
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload

from portfolio.accounts.models import Provider, User
from portfolio.audit.models import ZERO_HASH, AuditEvent
from portfolio.db import db, utcnow

SUMMARY_LENGTH = 300

# Every field of an event but its id and its own hash, in the order the hash covers them.
HASHED_FIELDS = (
    "provider_id", "seq", "actor_id", "actor_role", "action", "object_type", "object_id",
    "learner_id", "at", "before", "after", "summary", "prev_hash",
)  # fmt: skip


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def event_hash(fields: dict[str, Any]) -> str:
    """The SHA-256 of an event's hashed fields; ``at`` is an aware datetime."""
    content = {name: fields[name] for name in HASHED_FIELDS}
    content["at"] = fields["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _json_safe(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _json_safe(value.value)
    if isinstance(value, date | datetime):  # datetime is a date, so both land here
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_json_safe(v) for v in value]
        return sorted(items, key=canonical_json) if isinstance(value, set | frozenset) else items
    return value


def snapshot(obj: Any, *fields: str) -> dict[str, Any]:
    """These attributes of ``obj`` as JSON-safe values: dates as ISO strings, enums as values."""
    return {name: _json_safe(getattr(obj, name)) for name in fields}


def _stored_form(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value exactly as it will read back from the JSON column, so its hash still matches.

    Raises TypeError for a value JSON cannot hold, and ValueError for NaN or infinity.
    """
    if value is None:
        return None
    return json.loads(canonical_json(_json_safe(value)))


def _lock_chain(provider_id: int) -> None:
    # A second writer of the provider's chain waits here until the first commits: on
    # PostgreSQL for the row lock, on SQLite for the write lock that it takes there
    # (portfolio.db). The unique (provider_id, seq) is the backstop. FOR NO KEY UPDATE, not
    # FOR UPDATE: a transaction that has added a row referring to the provider holds a
    # key-share lock on its row, which FOR UPDATE would wait for, so two such writers would
    # each wait for the other.
    db.session.execute(
        select(Provider.id).where(Provider.id == provider_id).with_for_update(key_share=True)
    )


@dataclass(frozen=True)
class Entry:
    """One event to append with ``record_many``: ``record``'s arguments but the provider."""

    action: str
    object_type: str
    actor: User | None = None
    object_id: int | None = None
    learner_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    summary: str = ""


def record(
    action: str,
    *,
    provider_id: int,
    actor: User | None = None,
    object_type: str,
    object_id: int | None = None,
    learner_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEvent:
    """Append an event to the provider's chain and flush; the caller commits it with its change."""
    entry = Entry(action, object_type, actor, object_id, learner_id, before, after, summary)
    return record_many(provider_id, [entry])[0]


def record_many(provider_id: int, entries: Iterable[Entry]) -> list[AuditEvent]:
    """Append these events to the provider's chain, in order, and flush: the chain is locked
    and its head read once for them all. The caller commits them with its change."""
    entries = list(entries)
    if not entries:
        return []
    _lock_chain(provider_id)
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.provider_id == provider_id)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, ZERO_HASH)
    events = []
    for entry in entries:
        summary = entry.summary
        if len(summary) > SUMMARY_LENGTH:
            summary = summary[: SUMMARY_LENGTH - 1] + "…"
        seq += 1
        audit_event = AuditEvent(
            provider_id=provider_id,
            seq=seq,
            actor_id=entry.actor.id if entry.actor else None,
            actor_role=entry.actor.role.value if entry.actor else None,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            learner_id=entry.learner_id,
            # Set here, not by the column default, because the hash covers it.
            at=utcnow(),
            before=_stored_form(entry.before),
            after=_stored_form(entry.after),
            summary=summary,
            prev_hash=prev_hash,
        )
        audit_event.hash = prev_hash = event_hash(
            {name: getattr(audit_event, name) for name in HASHED_FIELDS}
        )
        events.append(audit_event)
    db.session.add_all(events)
    db.session.flush()
    return events


@dataclass(frozen=True)
class ChainReport:
    """What verify() found in one provider's chain: intact, or where it first breaks."""

    provider_id: int
    provider_name: str
    events: int
    ok: bool
    broken_at_seq: int | None = None
    broken_event_id: int | None = None
    reason: str | None = None


def verify(provider_id: int | None = None) -> list[ChainReport]:
    """Recompute every provider's chain (or one provider's), reporting the first broken link.

    Deleting the newest events of a chain leaves what remains intact: record the head's hash
    somewhere else to detect that.
    """
    query = select(Provider.id, Provider.name).order_by(Provider.name)
    if provider_id is None:
        query = query.where(Provider.id.in_(select(AuditEvent.provider_id)))
    else:
        query = query.where(Provider.id == provider_id)
    return [_verify_chain(id_, name) for id_, name in db.session.execute(query)]


def _verify_chain(provider_id: int, provider_name: str) -> ChainReport:
    # Plain rows rather than AuditEvent objects: the session's identity map would hand back
    # what the session remembers instead of what the database now holds.
    count = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.provider_id == provider_id)
    )
    columns = [AuditEvent.id, AuditEvent.hash, *(getattr(AuditEvent, f) for f in HASHED_FIELDS)]
    rows = db.session.execute(
        select(*columns)
        .where(AuditEvent.provider_id == provider_id)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=1000)
    )
    previous = None  # (row, its recomputed hash), when the row's own hash did not match
    expected_seq, expected_prev = 1, ZERO_HASH

    def broken(seq: int, event_id: int | None, reason: str) -> ChainReport:
        rows.close()
        return ChainReport(provider_id, provider_name, count, False, seq, event_id, reason)

    for row in rows:
        if previous is not None:
            # The row before did not match its hash. If this one links to what that hash
            # should have been, the content is intact and it is the stored hash that changed.
            before, recomputed = previous
            if row.seq == before.seq + 1 and row.prev_hash == recomputed:
                return broken(
                    row.seq, row.id, f"event {row.seq} does not link to event {before.seq}"
                )
            return broken(
                before.seq, before.id, f"event {before.seq}'s content does not match its hash"
            )
        if row.seq > expected_seq:
            return broken(expected_seq, None, f"event {expected_seq} is missing")
        if row.seq < expected_seq:
            return broken(row.seq, row.id, f"event {row.seq} is out of sequence")
        if row.prev_hash != expected_prev:
            if row.seq == 1:
                return broken(1, row.id, "event 1 does not start from the zero hash")
            return broken(row.seq, row.id, f"event {row.seq} does not link to event {row.seq - 1}")
        recomputed = event_hash(row._mapping)
        if recomputed != row.hash:
            previous = (row, recomputed)
        expected_seq, expected_prev = row.seq + 1, row.hash
    if previous is not None:
        before, _ = previous
        return broken(
            before.seq, before.id, f"event {before.seq}'s content does not match its hash"
        )
    return ChainReport(provider_id, provider_name, count, True)


def _trail(*conditions) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(*conditions)
            .order_by(AuditEvent.seq.desc())
            .options(joinedload(AuditEvent.actor))
        )
    )


def events_for_object(
    object_type: str, object_id: int, provider_id: int, *only: ColumnElement[bool]
) -> list[AuditEvent]:
    """Everything recorded about one object at one provider (that meets ``only``), newest first."""
    return _trail(
        AuditEvent.provider_id == provider_id,
        AuditEvent.object_type == object_type,
        AuditEvent.object_id == object_id,
        *only,
    )


def events_for_learner(
    learner_id: int, provider_id: int, *only: ColumnElement[bool]
) -> list[AuditEvent]:
    """Everything recorded about one learner at one provider (that meets ``only``), newest first."""
    return _trail(AuditEvent.provider_id == provider_id, AuditEvent.learner_id == learner_id, *only)
