"""Days an enrolment is paused by breaks in learning, for every figure that runs on time.

Expected progress, off-the-job hours expected by a date and progress review due dates leave
out the days of a break (``BreakInLearning.starts_on`` to ``ends_on`` inclusive; a break with
no end lasts to the day asked about). A caller asks here rather than reading the breaks:

- ``paused_days(enrolment, on_date)``: days paused from the enrolment's start to ``on_date``.
- ``pause_between(enrolment_id, start, end)``: days paused from ``start`` to ``end``.
- ``paused_days_for(ids, on_date)``: ``paused_days`` of many enrolments in one statement.
- ``due_after(enrolment_id, start, days)``: the date ``days`` days after ``start`` with the
  break days in between added (a review due twelve weeks on is due later by a break's length);
  ``due_date`` is the same rule on breaks already read.
- ``current_break(enrolment_id, on_date)``: the break in force on that day, if any.

The progress rows (``EnrolmentProgress``) keep what lists need without reading the breaks:
the days of the breaks that have ended (``break_days``; a break ends on or before the day it
is ended) and the start and reason of one still going; ``row_paused_days`` and
``expected_share`` read them, as ``portfolio.progress.queries`` does in SQL.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import bindparam, or_, select

from portfolio.apprenticeships.models import BreakInLearning
from portfolio.db import db
from portfolio.enrolments.models import Enrolment


def overlap_days(starts_on: date, ends_on: date | None, start: date, end: date) -> int:
    """Days of a break (``ends_on`` None while it lasts) from ``start`` to ``end`` inclusive."""
    first = max(starts_on, start)
    last = end if ends_on is None else min(ends_on, end)
    return max(0, (last - first).days + 1)


# The breaks of some enrolments that reach into a stretch of days, and the break in force
# on a day: built once, as the module is imported, and run with the values bound, as pages
# read them (docs/performance.md, "Statements built once").
_BREAKS = select(
    BreakInLearning.enrolment_id, BreakInLearning.starts_on, BreakInLearning.ends_on
).where(
    BreakInLearning.enrolment_id.in_(bindparam("enrolment_ids", expanding=True)),
    BreakInLearning.starts_on <= bindparam("end"),
    or_(BreakInLearning.ends_on.is_(None), BreakInLearning.ends_on >= bindparam("start")),
)
_CURRENT_BREAK = select(BreakInLearning).where(
    BreakInLearning.enrolment_id == bindparam("enrolment_id"),
    BreakInLearning.starts_on <= bindparam("on_date"),
    or_(BreakInLearning.ends_on.is_(None), BreakInLearning.ends_on >= bindparam("on_date")),
)


def _breaks(enrolment_ids: Iterable[int], start: date | None, end: date):
    """The breaks of these enrolments from ``start`` (the first day they had, if None) to
    ``end``."""
    return db.session.execute(
        _BREAKS,
        {"enrolment_ids": list(enrolment_ids), "start": start or date.min, "end": end},
    )


def pause_between(enrolment_id: int, start: date, end: date) -> int:
    """Days of this enrolment's breaks from ``start`` to ``end``, both included."""
    if end < start:
        return 0
    return sum(
        overlap_days(row.starts_on, row.ends_on, start, end)
        for row in _breaks([enrolment_id], start, end)
    )


def paused_days(enrolment: Enrolment, on_date: date) -> int:
    """Days of the enrolment's breaks from its start up to and including ``on_date``."""
    return pause_between(enrolment.id, enrolment.starts_on, on_date)


def paused_days_for(enrolment_ids: Iterable[int], on_date: date) -> dict[int, int]:
    """``paused_days`` of each enrolment (0 for one without breaks), in one statement; a break
    before an enrolment's start is not recorded (operations refuse it), so all count."""
    out: dict[int, int] = defaultdict(int)
    ids = list(enrolment_ids)
    if not ids:
        return out
    for row in _breaks(ids, None, on_date):
        out[row.enrolment_id] += overlap_days(row.starts_on, row.ends_on, row.starts_on, on_date)
    return out


def due_after(enrolment_id: int, start: date, days: int) -> date | None:
    """The day ``days`` days after ``start``, later by every break day in between (a break
    that begins before the day so reached pushes it on again); None while a break with no
    end has begun by then, as nothing falls due until it ends."""
    after = start + timedelta(days=1)
    rows = _breaks([enrolment_id], after, date.max - timedelta(days=1))
    return due_date(start, days, [(row.starts_on, row.ends_on) for row in rows])


def due_date(start: date, days: int, periods: Iterable[tuple[date, date | None]]) -> date | None:
    """``due_after`` from an enrolment's breaks given as (starts_on, ends_on) pairs, all of
    them or some: those over by ``start`` do not count."""
    due = start + timedelta(days=days)
    after = start + timedelta(days=1)
    # Breaks of one enrolment do not overlap (operations refuse it): each adds its days.
    for starts_on, ends_on in sorted(periods, key=lambda period: period[0]):
        if ends_on is not None and ends_on < after:
            continue
        if starts_on > due:
            break
        if ends_on is None:
            return None
        due += timedelta(days=(ends_on - max(starts_on, after)).days + 1)
    return due


def row_paused_days(progress, today: date) -> int:
    """Days paused up to ``today``, from an enrolment's progress row."""
    ongoing = 0
    if progress.break_since is not None and progress.break_since <= today:
        ongoing = (today - progress.break_since).days + 1
    return (progress.break_days or 0) + ongoing


def expected_share(progress, today: date) -> float | None:
    """The share of planned time passed by ``today``, leaving out the days paused (and so
    moving the planned end on by them); from 0 to 1, None without dates."""
    if progress.starts_on is None or progress.planned_end_on is None:
        return None
    span = (progress.planned_end_on - progress.starts_on).days
    if span <= 0:
        return 1.0
    elapsed = (today - progress.starts_on).days - row_paused_days(progress, today)
    return min(1.0, max(0.0, elapsed / span))


def current_break(enrolment_id: int, on_date: date) -> BreakInLearning | None:
    """The break in force on ``on_date``, if there is one."""
    return db.session.scalar(_CURRENT_BREAK, {"enrolment_id": enrolment_id, "on_date": on_date})
