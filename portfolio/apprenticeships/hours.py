"""Off-the-job training hours: logging an entry, changing it, the assessor's verification, the
provider's own kinds of activity, and each enrolment's figures against its plan.

One function per change. Each takes the acting user, checks the rule, records the audit event
and flushes; a refusal is a DomainError naming the field it concerns, with nothing saved.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from portfolio.accounts.models import Role, User
from portfolio.apprenticeships import breaks
from portfolio.apprenticeships.hours_models import (
    ACTIVITIES,
    EntryStatus,
    OtjActivityKind,
    OtjEntry,
    OtjEntryCriterion,
    OtjEntryEvidence,
    OtjEntryVersion,
)
from portfolio.apprenticeships.models import Apprenticeship
from portfolio.audit import trail as audit
from portfolio.dates import format_date, format_duration, zone
from portfolio.db import db, hold, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.errors import Conflict, DomainError
from portfolio.evidence.models import EvidenceItem
from portfolio.notifications.events import notify, settle
from portfolio.progress import refresh
from portfolio.text import check_length, check_line, in_sentence
from portfolio.units.models import Criterion

LEARNED_LIMIT = 4000
REASON_LIMIT = 1000
KIND_NAME_LIMIT = 100
# No more off-the-job training than this is believed of one day, all entries together.
DAY_LIMIT_MINUTES = 12 * 60

# The rules the pages print, written once.
FORECAST_RULE = (
    "Forecast at the planned end: the verified hours so far, divided by the days of the "
    "programme passed so far, times the days of the whole programme. Days in a break in "
    "learning are left out of those passed, so the planned end moves on by them."
)
RAG_RULE = (
    "Green: verified hours at or above the hours due by today (the planned hours shared "
    "evenly over the programme's days, breaks in learning left out). Amber: at least 90% "
    "of the hours due. Red: below 90%."
)
AMBER_SHARE = 0.9


@dataclass(frozen=True)
class EntryInput:
    """What a learner gives for an entry: a start and end, or a duration alone."""

    on: date
    activity: str  # a code of ACTIVITIES, or "kind-<id>" for a provider's own kind
    learned: str
    start_minute: int | None = None
    end_minute: int | None = None
    minutes: int | None = None
    criteria: tuple[int, ...] = ()
    evidence: tuple[int, ...] = ()


def today_at(provider) -> datetime:
    """Now, in the provider's time zone."""
    return utcnow().astimezone(zone(provider.time_zone))


def activity_choices(provider_id: int) -> list[tuple[str, str]]:
    """The fixed kinds of activity, then the provider's own, as (value, label)."""
    own = db.session.execute(
        select(OtjActivityKind.id, OtjActivityKind.name)
        .where(OtjActivityKind.provider_id == provider_id)
        .order_by(OtjActivityKind.name)
    ).all()
    return [*ACTIVITIES.items(), *((f"kind-{k.id}", k.name) for k in own)]


# The log's figures, built once and run with the enrolment's id bound (docs/performance.md,
# "Statements built once"): the minutes of each status and the planned hours, in one round
# trip.
_TOTALS = select(
    *(func.coalesce(func.sum(OtjEntry.minutes).filter(OtjEntry.status == status), 0)
      .label(status.value) for status in EntryStatus),
    select(Apprenticeship.planned_otj_hours)
    .where(Apprenticeship.enrolment_id == bindparam("enrolment_id"))
    .scalar_subquery().label("planned"),
).where(OtjEntry.enrolment_id == bindparam("enrolment_id"))  # fmt: skip
_REJECTION_REASONS = (
    select(OtjEntryVersion.entry_id, OtjEntryVersion.reason)
    .join(OtjEntry, (OtjEntry.id == OtjEntryVersion.entry_id)
          & (OtjEntry.version == OtjEntryVersion.number))
    .where(OtjEntryVersion.entry_id.in_(bindparam("entry_ids", expanding=True)),
           OtjEntryVersion.reason.is_not(None))
)  # fmt: skip


# Checks


def _check_learner(user: User, enrolment: Enrolment) -> None:
    if user.role is not Role.LEARNER or enrolment.learner_id != user.id:
        raise DomainError("Only the apprentice logs their own off-the-job hours.")


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _checked(user: User, enrolment: Enrolment, given: EntryInput, entry: OtjEntry | None):
    """The entry's activity (code or provider kind), minutes, criteria and evidence, once
    every rule holds; a DomainError naming the field otherwise."""
    check_length(given.learned, LEARNED_LIMIT, "What you learned", field="learned")
    if not given.learned.strip():
        raise DomainError("Say what you learned.", field="learned")
    activity, kind = None, None
    if given.activity in ACTIVITIES:
        activity = given.activity
    elif given.activity.startswith("kind-") and given.activity[5:].isdigit():
        kind = db.session.get(OtjActivityKind, int(given.activity[5:]))
        if kind is None or kind.provider_id != enrolment.provider_id:
            kind = None
    if activity is None and kind is None:
        raise DomainError("Choose the kind of activity from the list: the one sent is not "
                          "among your provider's (it may have been removed since the page "
                          "was opened).", field="activity")  # fmt: skip

    now = today_at(enrolment.provider)
    if given.on > now.date():
        raise DomainError(
            f"The date cannot be in the future: today is {format_date(now.date())}.", field="on"
        )
    if given.on < enrolment.starts_on:
        raise DomainError(
            f"The date is before this programme started ({format_date(enrolment.starts_on)}).",
            field="on",
        )
    if (pause := breaks.current_break(enrolment.id, given.on)) is not None:
        until = f"to {format_date(pause.ends_on)}" if pause.ends_on else "and has not ended"
        raise DomainError(
            f"The date falls inside a break in learning (from {format_date(pause.starts_on)} "
            f"{until}): no hours are logged during a break.",
            field="on",
        )

    timed = given.start_minute is not None or given.end_minute is not None
    if timed:
        if given.minutes:
            raise DomainError(
                "Give a start and an end time or a duration, not both: clear the one that "
                "is wrong.",
                field="minutes",
            )
        if given.start_minute is None or given.end_minute is None:
            field = "start" if given.start_minute is None else "end"
            raise DomainError("Give both a start and an end time, or a duration alone.",
                              field=field)  # fmt: skip
        if given.end_minute <= given.start_minute:
            raise DomainError("The end time must be after the start time. Training that ran "
                              "past midnight is two entries, one for each day.", field="end")  # fmt: skip
        if given.on == now.date() and given.end_minute > now.hour * 60 + now.minute:
            raise DomainError(
                f"The end time cannot be in the future: it is {now:%H:%M} now.", field="end"
            )
        minutes = given.end_minute - given.start_minute
    else:
        if not given.minutes:
            raise DomainError("Give a start and end time, or the duration in minutes.",
                              field="minutes")  # fmt: skip
        if given.minutes < 1:
            raise DomainError("The duration must be at least one minute.", field="minutes")
        passed = now.hour * 60 + now.minute
        if given.on == now.date() and given.minutes > passed:
            raise DomainError(
                f"Today's training cannot be longer than the time since midnight: it is "
                f"{now:%H:%M} now.",
                field="minutes",
            )
        minutes = given.minutes

    others = (
        select(OtjEntry)
        .where(
            OtjEntry.enrolment_id == enrolment.id,
            OtjEntry.on_date == given.on,
            OtjEntry.status != EntryStatus.REJECTED,
        )
        .order_by(OtjEntry.start_minute)
    )
    if entry is not None:
        others = others.where(OtjEntry.id != entry.id)
    same_day = list(db.session.scalars(others))
    if timed:
        for other in same_day:
            if (
                other.start_minute is not None
                and other.start_minute < given.end_minute
                and given.start_minute < other.end_minute
            ):
                raise DomainError(
                    f"These times overlap your entry of {_clock(other.start_minute)} to "
                    f"{_clock(other.end_minute)} that day ({other.activity_label}).",
                    field="start",
                )
    day_total = minutes + sum(other.minutes for other in same_day)
    if day_total > DAY_LIMIT_MINUTES:
        field = "end" if timed else "minutes"
        raise DomainError(
            f"That makes {format_duration(day_total)} on {format_date(given.on)}, more than the "
            f"{DAY_LIMIT_MINUTES // 60} hours a day an entry may add up to.",
            field=field,
        )

    criteria = sorted(set(given.criteria))
    if criteria:
        found = set(
            db.session.scalars(
                select(Criterion.id).where(
                    Criterion.id.in_(criteria),
                    Criterion.criteria_set_id == enrolment.criteria_set_id,
                )
            )
        )
        if found != set(criteria):
            raise DomainError("Choose criteria of this unit only.", field="criteria")
    evidence = sorted(set(given.evidence))
    if evidence:
        found = set(
            db.session.scalars(
                select(EvidenceItem.id).where(
                    EvidenceItem.id.in_(evidence), EvidenceItem.enrolment_id == enrolment.id
                )
            )
        )
        if found != set(evidence):
            raise DomainError("Choose evidence of this unit only.", field="evidence")
    return activity, kind, minutes, criteria, evidence


def _content(entry: OtjEntry, criteria: list[int], evidence: list[int]) -> dict:
    return {
        "on": entry.on_date.isoformat(),
        "start_minute": entry.start_minute,
        "end_minute": entry.end_minute,
        "minutes": entry.minutes,
        "activity": entry.activity,
        "activity_kind_id": entry.activity_kind_id,
        "activity_label": entry.activity_label,
        "learned": entry.learned,
        "criteria": criteria,
        "evidence": evidence,
    }


def _apply(entry: OtjEntry, given: EntryInput, checked) -> None:
    activity, kind, minutes, criteria, evidence = checked
    entry.on_date = given.on
    timed = given.start_minute is not None
    entry.start_minute = given.start_minute if timed else None
    entry.end_minute = given.end_minute if timed else None
    entry.minutes = minutes
    entry.activity = activity
    entry.activity_kind = kind
    entry.activity_kind_id = kind.id if kind else None
    entry.learned = given.learned.strip()


def _set_links(entry: OtjEntry, criteria: list[int], evidence: list[int]) -> None:
    db.session.execute(OtjEntryCriterion.__table__.delete().where(
        OtjEntryCriterion.entry_id == entry.id))  # fmt: skip
    db.session.execute(OtjEntryEvidence.__table__.delete().where(
        OtjEntryEvidence.entry_id == entry.id))  # fmt: skip
    db.session.add_all(OtjEntryCriterion(entry_id=entry.id, criterion_id=c) for c in criteria)
    db.session.add_all(OtjEntryEvidence(entry_id=entry.id, item_id=i) for i in evidence)
    db.session.flush()
    db.session.expire(entry, ["criteria", "evidence"])


def _about(entry: OtjEntry) -> dict:
    """The audit event's arguments that name the entry."""
    return {"provider_id": entry.provider_id, "object_type": "otj_entry",
            "object_id": entry.id, "learner_id": entry.learner_id}  # fmt: skip


def _facts(entry: OtjEntry) -> dict:
    return {"on": entry.on_date, "minutes": entry.minutes, "activity": entry.activity_label,
            "version": entry.version, "status": entry.status}  # fmt: skip


def log_entry(user: User, enrolment: Enrolment, given: EntryInput) -> OtjEntry:
    """The apprentice logs a stretch of off-the-job training; it awaits verification."""
    _check_learner(user, enrolment)
    hold(enrolment)  # the day's other entries, checked below, stay as read until the commit
    checked = _checked(user, enrolment, given, None)
    entry = OtjEntry(provider_id=enrolment.provider_id, enrolment_id=enrolment.id,
                     learner_id=user.id, status=EntryStatus.AWAITING, version=1)  # fmt: skip
    _apply(entry, given, checked)
    db.session.add(entry)
    db.session.flush()
    _set_links(entry, checked[3], checked[4])
    db.session.add(OtjEntryVersion(entry_id=entry.id, number=1, created_by_id=user.id,
                                   content=_content(entry, checked[3], checked[4])))  # fmt: skip
    audit.record("otj_hours.logged", actor=user, **_about(entry), after=_facts(entry),
             summary=f"Logged {entry.minutes} minutes of off-the-job training")  # fmt: skip
    refresh.enrolments([enrolment.id])
    return entry


def edit_entry(user: User, entry: OtjEntry, given: EntryInput,
               lock_version: int | None = None) -> OtjEntry:  # fmt: skip
    """The apprentice changes an entry. One awaiting verification changes in place; a
    verified or rejected one keeps that version as it was and gets a new one, which awaits
    verification again."""
    _check_learner(user, entry.enrolment)
    hold(entry.enrolment)
    db.session.refresh(entry)
    if lock_version is not None and lock_version != entry.lock_version:
        raise Conflict("This entry was changed somewhere else after you opened it. Your "
                       "changes were not saved: reload the page to see the latest.")  # fmt: skip
    checked = _checked(user, entry.enrolment, given, entry)
    before = _facts(entry)
    _apply(entry, given, checked)
    content = _content(entry, checked[3], checked[4])
    if entry.status is EntryStatus.AWAITING:
        entry.current.content = content
        entry.current.created_at = utcnow()
    else:
        entry.version += 1
        entry.status = EntryStatus.AWAITING
        db.session.add(OtjEntryVersion(entry_id=entry.id, number=entry.version,
                                       created_by_id=user.id, content=content))  # fmt: skip
    db.session.flush()
    _set_links(entry, checked[3], checked[4])
    db.session.expire(entry, ["versions"])
    audit.record("otj_hours.changed", actor=user, **_about(entry), before=before, after=_facts(entry),
             summary="Changed an off-the-job training entry")  # fmt: skip
    settle(user.id, "hours_rejected", entry=entry.id)  # mended: the rejection asks no more
    refresh.enrolments([entry.enrolment_id])
    return entry


def remove_entry(user: User, entry: OtjEntry, lock_version: int) -> None:
    """The apprentice takes back an entry logged by mistake, while no decision has been made
    on it: one verified or rejected, in any version, stays on the record (change it
    instead, or leave a rejected one rejected)."""
    _check_learner(user, entry.enrolment)
    hold(entry.enrolment)
    db.session.refresh(entry)
    if lock_version != entry.lock_version:
        raise Conflict("This entry was changed somewhere else after you opened it, so it was "
                       "not removed: look at it again.")  # fmt: skip
    if entry.status is not EntryStatus.AWAITING or any(v.decided_at for v in entry.versions):
        raise Conflict("This entry has a decision of your assessor's on record, so it stays: "
                       "change it instead, and it is verified again.")  # fmt: skip
    before = _facts(entry)
    audit.record("otj_hours.removed", actor=user, **_about(entry), before=before,
             summary="Removed an off-the-job training entry logged by mistake")  # fmt: skip
    _set_links(entry, [], [])
    for version in entry.versions:
        db.session.delete(version)
    db.session.delete(entry)
    db.session.flush()
    refresh.enrolments([entry.enrolment_id])


def _check_assessor(user: User, entry: OtjEntry) -> None:
    if user.role is not Role.ASSESSOR or entry.enrolment.assessor_id != user.id:
        raise DomainError("Only the apprentice's assessor verifies their off-the-job hours.")


def _decide(user: User, entry: OtjEntry, status: EntryStatus, reason: str | None,
            lock_version: int | None) -> None:  # fmt: skip
    _check_assessor(user, entry)
    if lock_version is not None and lock_version != entry.lock_version:
        raise Conflict("The apprentice changed this entry after you opened it: look at it "
                       "again before deciding.")  # fmt: skip
    if entry.status is not EntryStatus.AWAITING:
        raise Conflict(f"This entry is already {entry.status.label.lower()}.")
    version = entry.current
    version.status = status
    version.decided_by_id = user.id
    version.decided_at = utcnow()
    version.reason = reason
    entry.status = status


def verify_entry(user: User, entry: OtjEntry, lock_version: int | None = None) -> None:
    """The assessor confirms the entry's current version as off-the-job training."""
    _decide(user, entry, EntryStatus.VERIFIED, None, lock_version)
    audit.record("otj_hours.verified", actor=user, **_about(entry), after=_facts(entry),
             summary="Verified an off-the-job training entry")  # fmt: skip
    refresh.enrolments([entry.enrolment_id])


def reject_entry(user: User, entry: OtjEntry, reason: str,
                 lock_version: int | None = None) -> None:  # fmt: skip
    """The assessor refuses the entry's current version, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the entry is rejected: the apprentice sees it.", field="reason")
    check_length(reason, REASON_LIMIT, "The reason", field="reason")
    _decide(user, entry, EntryStatus.REJECTED, reason, lock_version)
    audit.record("otj_hours.rejected", actor=user, **_about(entry), after={**_facts(entry), "reason": reason},
             summary="Rejected an off-the-job training entry")  # fmt: skip
    notify(entry.provider_id, [entry.learner_id], "hours_rejected", entry=entry.id,
           on=format_date(entry.on_date), activity=entry.activity_label, reason=reason,
           assessor=user.name)  # fmt: skip
    refresh.enrolments([entry.enrolment_id])


def described(entry: OtjEntry) -> str:
    """The entry as a sentence names it: 3 h of mentoring on 27 Nov 2026."""
    return (f"{format_duration(entry.minutes)} of {in_sentence(entry.activity_label)} on "
            f"{format_date(entry.on_date)}")  # fmt: skip


def add_activity_kind(user: User, name: str) -> OtjActivityKind:
    """A provider admin adds a kind of off-the-job activity to the fixed list."""
    if user.role is not Role.ADMIN:
        raise DomainError("Only a provider admin adds kinds of activity.")
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter the kind of activity's name.", field="name")
    check_line(name, KIND_NAME_LIMIT, "The name", field="name")
    taken = {label.lower() for label in ACTIVITIES.values()} | {
        n.lower()
        for n in db.session.scalars(
            select(OtjActivityKind.name).where(OtjActivityKind.provider_id == user.provider_id)
        )
    }
    if name.lower() in taken:
        raise DomainError(f"“{name}” is already on the list.", field="name")
    kind = OtjActivityKind(provider_id=user.provider_id, name=name, created_by_id=user.id)
    db.session.add(kind)
    db.session.flush()
    audit.record("otj_activity_kind.added", provider_id=user.provider_id, actor=user,
                 object_type="otj_activity_kind", object_id=kind.id, after={"name": name},
                 summary=f"Added the kind of off-the-job activity “{name}”")  # fmt: skip
    return kind


def remove_activity_kind(user: User, kind: OtjActivityKind) -> None:
    """A provider admin removes one of their own kinds of activity that no entry uses: one
    added by mistake. A kind in use stays, as the entries name it."""
    if user.role is not Role.ADMIN or kind.provider_id != user.provider_id:
        raise DomainError("Only a provider admin removes their kinds of activity.")
    used = db.session.scalar(select(func.count(OtjEntry.id)).where(OtjEntry.activity_kind_id == kind.id))
    if used:
        raise DomainError(f"“{kind.name}” is the kind of {used} entr{'y' if used == 1 else 'ies'} "
                          "of off-the-job hours, so it stays on the list.")  # fmt: skip
    audit.record("otj_activity_kind.removed", provider_id=user.provider_id, actor=user,
                 object_type="otj_activity_kind", object_id=kind.id, before={"name": kind.name},
                 summary=f"Removed the kind of off-the-job activity “{kind.name}”")  # fmt: skip
    db.session.delete(kind)
    db.session.flush()


# Figures


@dataclass(frozen=True)
class Figures:
    """An enrolment's off-the-job hours against its plan, as of ``today``."""

    planned: float | None  # hours; None where the enrolment is not an apprenticeship
    logged: float  # hours awaiting verification and verified
    verified: float
    awaiting: float
    rejected: float
    programme_days: int  # start to planned end, break days left out
    days_so_far: int  # start to today (or the planned end), break days left out
    break_days: int  # so far

    @property
    def due(self) -> float | None:
        """The planned hours due by today, shared evenly over the programme's days."""
        if self.planned is None:
            return None
        if self.programme_days <= 0:
            return self.planned
        return self.planned * min(self.days_so_far, self.programme_days) / self.programme_days

    @property
    def forecast(self) -> float | None:
        """Verified hours at the planned end, at the rate so far."""
        if self.days_so_far <= 0:
            return None
        return self.verified / self.days_so_far * self.programme_days

    @property
    def percent_of_due(self) -> int | None:
        due = self.due
        if due is None:
            return None
        return 100 if due <= 0 else round(100 * self.verified / due)

    @property
    def rag(self) -> str | None:
        return rag(self.planned, self.verified, self.due)


def rag(planned, verified: float, due: float | None) -> str | None:
    """Red, amber or green by RAG_RULE; None without a plan."""
    if planned is None or due is None:
        return None
    if verified >= due:
        return "green"
    if verified >= AMBER_SHARE * due:
        return "amber"
    return "red"


def figures(enrolment: Enrolment, today: date) -> Figures:
    """The enrolment's planned, logged and verified hours, and the days they are measured over."""
    totals = db.session.execute(_TOTALS, {"enrolment_id": enrolment.id}).one()
    hours = {status: int(totals._mapping[status.value]) / 60 for status in EntryStatus}
    planned = totals.planned
    start, end = enrolment.starts_on, enrolment.planned_end_on
    # The days paused so far are left out of the days passed, so that the planned end moves
    # on by them, as it does for expected progress (breaks.expected_share). A break still
    # going counts to today: its end, and so its length, is not known yet.
    paused = breaks.pause_between(enrolment.id, start, today)
    whole = (end - start).days + 1
    so_far = 0 if today < start else min((today - start).days + 1 - paused, whole)
    return Figures(
        planned=float(planned) if planned is not None else None,
        logged=hours[EntryStatus.AWAITING] + hours[EntryStatus.VERIFIED],
        verified=hours[EntryStatus.VERIFIED],
        awaiting=hours[EntryStatus.AWAITING],
        rejected=hours[EntryStatus.REJECTED],
        programme_days=max(whole, 0),
        days_so_far=max(so_far, 0),
        break_days=paused,
    )


def entries_query(enrolment_id: int, status: EntryStatus | None = None):
    """An enrolment's entries, newest first, with their kind of activity: a query, for a
    page at a time."""
    query = (
        select(OtjEntry)
        .where(OtjEntry.enrolment_id == enrolment_id)
        .options(joinedload(OtjEntry.activity_kind))
        .order_by(OtjEntry.on_date.desc(), OtjEntry.start_minute.desc(), OtjEntry.id.desc())
    )
    if status is not None:
        query = query.where(OtjEntry.status == status)
    return query


def rejection_reasons(entries: Iterable[OtjEntry]) -> dict[int, str]:
    """Why each rejected entry among ``entries`` was rejected (the reason given on its
    current version), by entry id, in one statement: what the log shows of the versions."""
    rejected = [entry.id for entry in entries if entry.status is EntryStatus.REJECTED]
    return dict(db.session.execute(_REJECTION_REASONS, {"entry_ids": rejected}).all())


def entries(enrolment_id: int, status: EntryStatus | None = None) -> list[OtjEntry]:
    """All of an enrolment's entries (``entries_query``) with their versions, criteria and
    evidence, for a download."""
    query = entries_query(enrolment_id, status).options(
        selectinload(OtjEntry.versions),
        selectinload(OtjEntry.criteria),
        selectinload(OtjEntry.evidence),
    )
    return list(db.session.scalars(query))
