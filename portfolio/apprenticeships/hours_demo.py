"""Off-the-job hours for the demonstration: a few weeks of entries for each demo apprentice,
in every state, through the same functions the pages call; and rows of entries for the large
demo's thousands of learners, written in bulk."""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.apprenticeships import breaks, hours
from portfolio.apprenticeships.hours_models import ACTIVITIES, EntryStatus
from portfolio.apprenticeships.models import Apprenticeship
from portfolio.db import db
from portfolio.enrolments.models import Enrolment

LEARNED = {
    "taught": "Workshop on the incident priority matrix: how impact and urgency set the "
    "priority and the SLA target.",
    "shadowing": "Shadowed a team leader handling a P1 outage: who was told, when, and how "
    "the escalation was logged.",
    "mentoring": "Mentoring session on keeping customers updated during a long incident.",
    "assignments": "Wrote up my STAR account of the flooded car park incident.",
    "online": "Online module: GDPR and handling personal data on calls.",
    "practical": "Role play of an escalation call with my mentor playing the duty manager.",
}


def add_demo_hours(today: date) -> None:
    """Entries for every demo enrolment that is an apprenticeship, ending before ``today``:
    most verified, some awaiting verification, one rejected with a reason, and one edited
    after verification so that it has two versions."""
    found = db.session.execute(
        select(Enrolment, User)
        .join(Apprenticeship, Apprenticeship.enrolment_id == Enrolment.id)
        .join(User, User.id == Enrolment.assessor_id)
        .order_by(Enrolment.id)
    ).all()
    for enrolment, assessor in found:
        learner = enrolment.learner
        days = [d for d in _weekdays(enrolment.starts_on, today) if not _in_break(enrolment, d)]
        logged = []
        for number, day in enumerate(days[-30::3]):
            activity = list(LEARNED)[number % len(LEARNED)]
            given = hours.EntryInput(on=day, activity=activity, learned=LEARNED[activity],
                                     start_minute=9 * 60 + 30, end_minute=12 * 60 + 30)  # fmt: skip
            if activity == "online":  # learning online is logged as a duration
                given = hours.EntryInput(on=day, activity=activity, learned=LEARNED[activity],
                                         minutes=90)  # fmt: skip
            logged.append(hours.log_entry(learner, enrolment, given))
        if enrolment.assessor_id is None:
            continue
        decided = logged[:-2]  # the last two await verification
        for entry in decided:
            if entry is decided[-1]:
                hours.reject_entry(assessor, entry, "This was answering calls on your normal "
                                   "shift: log only training away from your usual duties.")  # fmt: skip
            else:
                hours.verify_entry(assessor, entry)
        if len(decided) > 2:
            first = decided[0]
            hours.edit_entry(learner, first, hours.EntryInput(
                on=first.on_date, activity=first.activity or "taught",
                learned=first.learned + " Added the notes I made on escalation.",
                start_minute=9 * 60 + 30, end_minute=13 * 60))  # fmt: skip


def _in_break(enrolment: Enrolment, day: date) -> bool:
    return breaks.current_break(enrolment.id, day) is not None


def _weekdays(start: date, today: date) -> list[date]:
    days, day = [], start
    while day < today:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def bulk_entries(rng: random.Random, *, provider_id: int, enrolment_id: int, learner_id: int,
                 assessor_id: int | None, starts_on: date, today: date, first_id: int,
                 entries: int = 150) -> Iterator[tuple[dict, dict]]:  # fmt: skip
    """Rows of ``entries`` entries (and each one's single version) for one learner of the large
    demo, on weekdays from ``starts_on`` to before ``today``, at most one a day; ids from
    ``first_id``. Most older ones are verified, a few rejected, the newest await verification."""
    days = _weekdays(starts_on, today)
    if not days:
        return
    chosen = sorted(rng.sample(days, min(entries, len(days))))
    codes = list(ACTIVITIES)
    for offset, day in enumerate(chosen):
        entry_id = first_id + offset
        activity = codes[rng.randrange(len(codes))]
        start = rng.choice((9 * 60, 9 * 60 + 30, 13 * 60, 14 * 60))
        minutes = rng.choice((60, 90, 120, 180, 240))
        age = len(chosen) - offset
        if assessor_id is None or age <= 8:
            status = EntryStatus.AWAITING
        elif rng.random() < 0.04:
            status = EntryStatus.REJECTED
        else:
            status = EntryStatus.VERIFIED
        at = datetime.combine(day, time(17, 0), tzinfo=UTC)
        learned = f"{ACTIVITIES[activity]}: what I learned on {day:%d %B}."
        entry = {
            "id": entry_id, "provider_id": provider_id, "enrolment_id": enrolment_id,
            "learner_id": learner_id, "on_date": day, "start_minute": start,
            "end_minute": start + minutes, "minutes": minutes, "activity": activity,
            "activity_kind_id": None, "learned": learned, "status": status, "version": 1,
            "created_at": at, "updated_at": at, "lock_version": 1,
        }  # fmt: skip
        decided = status is not EntryStatus.AWAITING
        version = {
            "entry_id": entry_id, "number": 1, "created_by_id": learner_id, "created_at": at,
            "content": {"on": day.isoformat(), "start_minute": start,
                        "end_minute": start + minutes, "minutes": minutes,
                        "activity": activity, "activity_kind_id": None,
                        "activity_label": ACTIVITIES[activity], "learned": learned,
                        "criteria": [], "evidence": []},
            "status": status, "decided_by_id": assessor_id if decided else None,
            "decided_at": at + timedelta(days=2) if decided else None,
            "reason": "Not away from normal duties." if status is EntryStatus.REJECTED else None,
        }  # fmt: skip
        yield entry, version
