"""Off-the-job hours for the demonstration: a few weeks of entries for each demo apprentice,
in every state, through the same functions the pages call. (The large demo's thousands of
learners get theirs in bulk, in ``bench/large_demo.py``.)"""

from datetime import date, timedelta

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.apprenticeships import breaks, hours
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
