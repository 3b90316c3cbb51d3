"""The sentence model's reading of evidence, kept by the job worker: every minute it reads the
text of each item a learner is still working on (draft or returned) that was saved since it
was last read, and stores how close it is in meaning to each criterion of the item's unit
(``EvidenceMeaning``), for the suggestions to blend in (``suggest.py``). Only the worker
loads the model (``sentence_meaning.py``); the claims page reads what it stored, for the text
as it was read, and until then suggests from the words alone."""

import time

from sqlalchemy import case, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.item_suggestions import criteria_texts
from portfolio.evidence.kinds import plain_text
from portfolio.evidence.models import (
    CURRENT_VERSION,
    EvidenceItem,
    EvidenceMeaning,
    EvidenceStatus,
    EvidenceVersion,
)
from portfolio.evidence.sentence_meaning import text_hash
from portfolio.jobs import periodic

# Versions read a minute, at most (docs/suggestions.md says how long each takes); and the
# seconds a run may take, so that the next minute's run does not start while this one is
# still reading.
BATCH = 500
SECONDS = 40


def _changed():
    """When an item's text last changed: its current version's or its own (the title)."""
    return case(
        (EvidenceVersion.updated_at > EvidenceItem.updated_at, EvidenceVersion.updated_at),
        else_=EvidenceItem.updated_at,
    )


def _unread(changed, *columns):
    """The current versions of items still being worked on whose text was changed since it
    was last read, or never read."""
    read_since = exists().where(
        EvidenceMeaning.version_id == EvidenceVersion.id, EvidenceMeaning.changed_at >= changed
    )
    return (
        select(*columns)
        .select_from(EvidenceVersion)
        .join(EvidenceItem, EvidenceItem.id == EvidenceVersion.item_id)
        .where(
            EvidenceVersion.number == CURRENT_VERSION,
            EvidenceItem.status.in_([EvidenceStatus.DRAFT, EvidenceStatus.RETURNED]),
            ~read_since,
        )
    )


def unread(limit: int = BATCH) -> list:
    """The unread versions with their text and criteria set, oldest change first."""
    changed = _changed()
    return db.session.execute(
        _unread(
            changed, EvidenceVersion.id, EvidenceItem.kind, EvidenceItem.title,
            EvidenceVersion.content, Enrolment.criteria_set_id, changed.label("changed_at"),
        )  # fmt: skip
        .join(Enrolment, Enrolment.id == EvidenceItem.enrolment_id)
        .order_by(changed, EvidenceVersion.id)
        .limit(limit)
    ).all()


def waiting(provider_id: int) -> int:
    """How many of the provider's drafts and returned items wait to be read."""
    statement = _unread(_changed(), func.count()).where(EvidenceItem.provider_id == provider_id)
    return db.session.scalar(statement)


def reading_rows(row, criteria: list, meanings: list, digest: str) -> list[EvidenceMeaning]:
    """The rows that keep the reading of an unread version (a row of ``unread()``): one a
    criterion, for the text of that digest."""
    return [
        EvidenceMeaning(
            version_id=row.id, criterion_id=criterion.id, closeness=meaning.closeness,
            sentence_start=meaning.start, sentence_end=meaning.end, text_hash=digest,
            changed_at=row.changed_at,
        )  # fmt: skip
        for criterion, meaning in zip(criteria, meanings, strict=True)
    ]


def read_versions(limit: int = BATCH, seconds: float = SECONDS) -> int:
    """Read the meaning of the unread versions, oldest first, storing one row a criterion,
    until ``limit`` are read or ``seconds`` have passed; the rest wait for the next run. A
    version whose text has not changed since is marked read again without the model. Each
    version is committed as soon as it is read, so that no write waits on the model.
    Returns how many versions were read."""
    from portfolio.evidence.sentence_meaning import read

    deadline = time.monotonic() + seconds
    rows = unread(limit)
    db.session.commit()  # end the reading transaction before the model's work
    criteria_of: dict[int, list] = {}
    done = 0
    for row in rows:
        if done and time.monotonic() > deadline:
            break
        done += 1
        text = plain_text(row.kind, row.title, row.content)
        digest = text_hash(text)
        same = db.session.scalar(
            select(func.count()).where(
                EvidenceMeaning.version_id == row.id, EvidenceMeaning.text_hash == digest
            )
        )
        if same:
            db.session.execute(
                update(EvidenceMeaning)
                .where(EvidenceMeaning.version_id == row.id)
                .values(changed_at=row.changed_at)
            )
            db.session.commit()
            continue
        criteria = criteria_of.get(row.criteria_set_id)
        if criteria is None:
            criteria = criteria_of[row.criteria_set_id] = criteria_texts(row.criteria_set_id)
        db.session.commit()
        meanings = read(text, tuple(criterion.text for criterion in criteria))
        db.session.execute(delete(EvidenceMeaning).where(EvidenceMeaning.version_id == row.id))
        db.session.add_all(reading_rows(row, criteria, meanings, digest))
        try:
            db.session.commit()
        except IntegrityError:
            # Another worker (on another machine, say) stored its reading of this version
            # while this one read it: that reading stands, and the run goes on.
            db.session.rollback()
    return done


@periodic(minute="*")
def read_new_evidence() -> None:
    """Every minute: read the meaning of evidence saved since the last reading."""
    read_versions()
