"""Progress reviews: starting one with what changed since the last (``reviews_facts``), each
party's part, their signatures, and reopening a review being signed. When reviews are due
and which are overdue: ``reviews_due``.

What a signature covers (``signed_content``): the review's facts, the reviewer's notes, the
day held and the targets, which nobody may change once anyone has signed, and the signing
party's own comments, which they cannot change once they have signed. To change a review
being signed, the reviewer reopens it, which clears every signature (and says so in the
audit trail): each party then signs again what they read. A signed review is final.

One function per change: each takes the acting user, checks the rule, records the audit
event and flushes; a refusal is a DomainError naming the field it concerns.
"""

import hashlib
import json
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from portfolio.accounts.models import LEARNER, Role, User
from portfolio.apprenticeships import reviews_due
from portfolio.apprenticeships.models import Apprenticeship
from portfolio.apprenticeships.reviews_facts import gather_facts, today_for
from portfolio.apprenticeships.reviews_models import (
    CARRIED_STATES,
    Party,
    ProgressReview,
    ReviewDocument,
    ReviewSignature,
    ReviewStatus,
    ReviewTarget,
    TargetState,
)
from portfolio.audit import trail as audit
from portfolio.dates import format_date
from portfolio.db import db, hold, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import may_see
from portfolio.errors import Conflict, DomainError
from portfolio.notifications.events import notify, settle
from portfolio.progress import refresh
from portfolio.text import check_length
from portfolio.units.models import Unit

NOTES_LIMIT = 10000
COMMENTS_LIMIT = 4000
TARGET_LIMIT = 1000


def canonical_hash(data: dict) -> str:
    """SHA-256 of the data as canonical JSON, as the unit sign-off hashes its manifest."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# Who is which party -----------------------------------------------------------------------


def apprenticeship_of(enrolment: Enrolment) -> Apprenticeship | None:
    return db.session.scalar(
        select(Apprenticeship).where(Apprenticeship.enrolment_id == enrolment.id)
    )


def parties_of(user: User, enrolment: Enrolment, line_manager_id: int | None) -> set[Party]:
    """The parties ``user`` may act for on this enrolment's reviews: the provider's reviewer
    (its assessor or a provider admin), the apprentice (the learner) or the employer (the
    line manager the apprenticeship names)."""
    out = set()
    if user.provider_id != enrolment.provider_id:
        return out
    if (user.role is Role.ASSESSOR and enrolment.assessor_id == user.id) or user.role is Role.ADMIN:
        out.add(Party.REVIEWER)
    if user.role is Role.LEARNER and enrolment.learner_id == user.id:
        out.add(Party.APPRENTICE)
    if user.role is Role.EMPLOYER and line_manager_id == user.id:
        out.add(Party.EMPLOYER)
    return out


def _check_party(user: User, review: ProgressReview, party: Party) -> None:
    apprenticeship = apprenticeship_of(review.enrolment)
    manager = apprenticeship.line_manager_id if apprenticeship else None
    if party not in parties_of(user, review.enrolment, manager):
        who = {
            Party.REVIEWER: "the apprentice's assessor or a provider admin",
            Party.APPRENTICE: "the apprentice",
            Party.EMPLOYER: "the apprentice's line manager",
        }[party]
        raise DomainError(f"Only {who} can do this for the {party.label.lower()}.")


def _unfrozen(review: ProgressReview) -> None:
    """Refuse a change to what every signature covers once anyone has signed."""
    if review.status is ReviewStatus.SIGNED:
        raise Conflict("This review is signed by all three and cannot change.")
    if review.signatures:
        names = ", ".join(f"{s.user.name} ({s.party.label.lower()})" for s in review.signatures)
        raise Conflict(
            f"Signed by {names}: what they signed cannot change. The reviewer can reopen the "
            "review to change it, which clears the signatures so that each party signs again."
        )


def _audited(action: str, actor: User, review: ProgressReview, summary: str, after=None,
             before=None) -> None:  # fmt: skip
    audit.record(
        action, provider_id=review.provider_id, actor=actor, object_type="progress_review",
        object_id=review.id, learner_id=review.enrolment.learner_id, before=before,
        after={"number": review.number, **(after or {})}, summary=summary,
    )  # fmt: skip


# Starting a review ------------------------------------------------------------------------


def start_review(user: User, enrolment: Enrolment) -> ProgressReview:
    """The reviewer starts the next review, filled in with what changed since the last one
    and carrying the last one's open targets forward."""
    apprenticeship = apprenticeship_of(enrolment)
    if apprenticeship is None:
        raise DomainError("Progress reviews are for apprenticeships: this enrolment is not one.")
    if Party.REVIEWER not in parties_of(user, enrolment, apprenticeship.line_manager_id):
        raise DomainError("Only the apprentice's assessor or a provider admin starts a review.")
    hold(enrolment)  # of two starts at once, the second finds the first's review
    reviews = list(
        db.session.scalars(
            select(ProgressReview)
            .where(ProgressReview.enrolment_id == enrolment.id)
            .order_by(ProgressReview.number)
            .options(selectinload(ProgressReview.targets))
        )
    )
    if reviews and reviews[-1].status is not ReviewStatus.SIGNED:
        raise Conflict(
            f"Review {reviews[-1].number} is not signed yet: finish it before starting another."
        )
    previous = reviews[-1] if reviews else None
    review = ProgressReview(
        provider_id=enrolment.provider_id, enrolment_id=enrolment.id,
        number=len(reviews) + 1, due_on=reviews_due.next_due(enrolment),
        held_on=today_for(enrolment),
        facts=gather_facts(enrolment, previous), created_by_id=user.id,
    )  # fmt: skip
    db.session.add(review)
    db.session.flush()
    carried = [t for t in (previous.targets if previous else []) if t.state in CARRIED_STATES]
    db.session.add_all(
        ReviewTarget(review_id=review.id, position=n, text=t.text, due_on=t.due_on,
                     state=TargetState.OPEN, carried_from_id=t.id)
        for n, t in enumerate(carried, start=1)
    )  # fmt: skip
    db.session.flush()
    _audited("review.started", user, review, f"Started progress review {review.number}",
             after={"carried_targets": len(carried)})  # fmt: skip
    return review


def refresh_facts(user: User, review: ProgressReview) -> None:
    """Gather what changed again, up to now, while nobody has signed."""
    _check_party(user, review, Party.REVIEWER)
    _unfrozen(review)
    previous = db.session.scalar(
        select(ProgressReview).where(ProgressReview.enrolment_id == review.enrolment_id,
                                     ProgressReview.number == review.number - 1)
    )  # fmt: skip
    review.facts = gather_facts(review.enrolment, previous)
    db.session.flush()
    _audited("review.refreshed", user, review,
             f"Brought progress review {review.number}'s figures up to date")  # fmt: skip


# Each party's part ------------------------------------------------------------------------


def save_reviewer_part(user: User, review: ProgressReview, held_on: date | None, notes: str,
                       states: dict[int, TargetState]) -> None:  # fmt: skip
    """The reviewer's notes, the day the review was held, and how each carried target went."""
    _check_party(user, review, Party.REVIEWER)
    _unfrozen(review)
    if held_on is None:
        raise DomainError("Enter the day the review was held.", field="held_on")
    today = today_for(review.enrolment)
    if held_on > today:
        raise DomainError(f"The review cannot be held after today ({format_date(today)}).",
                          field="held_on")  # fmt: skip
    if held_on < review.enrolment.starts_on:
        raise DomainError(
            f"The review cannot be held before the apprenticeship started "
            f"({format_date(review.enrolment.starts_on)}).", field="held_on",
        )  # fmt: skip
    start = datetime.fromisoformat(review.facts["period"]["from"]).date()
    if review.number > 1 and held_on < start:
        raise DomainError(f"The review cannot be held before the last one ({format_date(start)}).",
                          field="held_on")  # fmt: skip
    notes = (notes or "").strip()
    check_length(notes, NOTES_LIMIT, "The reviewer's notes", field="notes")
    targets = {t.id: t for t in review.targets}
    for target_id, state in states.items():
        target = targets.get(target_id)
        if target is None or target.carried_from_id is None:
            raise DomainError("Set the state of the targets carried from the last review only.")
        target.state = state
    before = {"held_on": review.held_on, "notes": len(review.reviewer_notes)}
    review.held_on, review.reviewer_notes = held_on, notes
    db.session.flush()
    _audited("review.reviewer_part", user, review,
             f"Wrote the reviewer's part of progress review {review.number}",
             before=before, after={"held_on": held_on, "notes": len(notes)})  # fmt: skip


def add_target(user: User, review: ProgressReview, text: str, due_on: date | None) -> ReviewTarget:
    """The reviewer sets a target, agreed at the review, with the day it is due."""
    _check_party(user, review, Party.REVIEWER)
    _unfrozen(review)
    text = (text or "").strip()
    if not text:
        raise DomainError("Say what the target is.", field="text")
    check_length(text, TARGET_LIMIT, "The target", field="text")
    if due_on is not None and due_on < review.held_on:
        raise DomainError(
            f"The target cannot be due before the review was held ({format_date(review.held_on)}).",
            field="due_on",
        )
    target = ReviewTarget(review_id=review.id, text=text, due_on=due_on,
                          position=max((t.position for t in review.targets), default=0) + 1)  # fmt: skip
    db.session.add(target)
    db.session.flush()
    db.session.expire(review, ["targets"])
    _audited("review.target_added", user, review,
             f"Set a target in progress review {review.number}",
             after={"target": text, "due_on": due_on})  # fmt: skip
    return target


def remove_target(user: User, review: ProgressReview, target: ReviewTarget) -> None:
    """The reviewer takes back a target set in this review (not one carried into it)."""
    _check_party(user, review, Party.REVIEWER)
    _unfrozen(review)
    if target.review_id != review.id or target.carried_from_id is not None:
        raise DomainError(
            "Only a target set in this review can be removed: mark a carried one met or not met."
        )
    text = target.text
    db.session.delete(target)
    db.session.flush()
    db.session.expire(review, ["targets"])
    _audited("review.target_removed", user, review,
             f"Removed a target from progress review {review.number}", after={"target": text})  # fmt: skip


def save_comments(user: User, review: ProgressReview, party: Party, comments: str) -> None:
    """The apprentice's or the employer's comments, until they sign."""
    if party is Party.REVIEWER:
        raise DomainError("The reviewer writes notes, not comments.")
    _check_party(user, review, party)
    if review.status is ReviewStatus.SIGNED:
        raise Conflict("This review is signed by all three and cannot change.")
    if review.signature(party) is not None:
        raise Conflict(
            "You have signed these comments, so they cannot change. The reviewer can reopen "
            "the review, which clears the signatures, if they must."
        )
    comments = (comments or "").strip()
    check_length(comments, COMMENTS_LIMIT, "Your comments", field="comments")
    if party is Party.APPRENTICE:
        review.apprentice_comments = comments
    else:
        review.employer_comments = comments
    db.session.flush()
    _audited(f"review.{party.value}_comments", user, review,
             f"Wrote the {party.label.lower()}'s comments on progress review {review.number}",
             after={"characters": len(comments)})  # fmt: skip


# Signatures -------------------------------------------------------------------------------


def _shared(review: ProgressReview) -> dict:
    """What every party's signature covers."""
    enrolment = review.enrolment
    return {
        "review": review.id,
        "enrolment": enrolment.id,
        "learner": enrolment.learner_id,
        "unit": enrolment.unit_id,
        "number": review.number,
        "due_on": review.due_on.isoformat() if review.due_on else None,
        "held_on": review.held_on.isoformat(),
        "facts": review.facts,
        "reviewer_notes": review.reviewer_notes,
        "targets": [
            {
                "text": t.text,
                "due_on": t.due_on.isoformat() if t.due_on else None,
                "state": t.state.value,
                "carried": t.carried_from_id is not None,
            }
            for t in review.targets
        ],  # fmt: skip
    }


def signed_content(review: ProgressReview, party: Party) -> dict:
    """Exactly what ``party`` signs: the shared record and their own comments."""
    own = "" if party is Party.REVIEWER else review.comments(party)
    return {**_shared(review), "party": party.value, "comments": own}


def record_content(review: ProgressReview) -> dict:
    """The whole review as signed by all three: what its PDF's content hash covers."""
    return {
        **_shared(review),
        "apprentice_comments": review.apprentice_comments,
        "employer_comments": review.employer_comments,
        "signatures": [
            {
                "party": s.party.value,
                "user": s.user_id,
                "signed_at": s.signed_at.isoformat(),
                "sha256": s.content_sha256,
            }
            for s in sorted(review.signatures, key=lambda s: list(Party).index(s.party))
        ],  # fmt: skip
    }


def signature_holds(review: ProgressReview, signature: ReviewSignature) -> bool:
    """Whether the review still says what this signature signed."""
    return canonical_hash(signed_content(review, signature.party)) == signature.content_sha256


def read_hash(review: ProgressReview) -> str:
    """The SHA-256 of what every party signs but their own comments, as a page shows it: a
    signing form carries it back, and ``sign`` refuses it once the review has changed."""
    return canonical_hash(_shared(review))


def sign(user: User, review: ProgressReview, party: Party, read: str | None = None) -> ReviewSignature:
    """``user`` signs the review for ``party``: as ``read`` (``read_hash`` of the page they
    signed from) when given, never a review changed since. The third signature makes it
    signed, asks for its PDF and moves the next review's due date on."""
    _check_party(user, review, party)
    hold(review)  # of two signatures at once, the second sees the first
    if read is not None and read != read_hash(review):
        raise Conflict("The review changed after you opened it, so it was not signed: read "
                       "it again below, then sign.")  # fmt: skip
    if review.status is ReviewStatus.SIGNED:
        raise Conflict("This review is already signed by all three.")
    if review.signature(party) is not None:
        raise Conflict(f"The {party.label.lower()} has already signed this review.")
    if party is Party.REVIEWER and not review.reviewer_notes.strip():
        raise DomainError("Write the review's notes before signing.", field="notes")
    if party is not Party.REVIEWER and not review.reviewer_notes.strip():
        # Nothing to sign yet, and a signature would stop the reviewer writing it.
        raise DomainError("The reviewer has not written the review's notes yet: save your "
                          "comments now, and sign once the notes are written.",
                          field="comments")  # fmt: skip
    if party is not Party.REVIEWER and not review.comments(party).strip():
        raise DomainError("Add your comments before you sign.", field="comments")
    digest = canonical_hash(signed_content(review, party))
    signature = ReviewSignature(review_id=review.id, party=party, user_id=user.id,
                                content_sha256=digest, signed_at=utcnow())  # fmt: skip
    db.session.add(signature)
    db.session.flush()
    db.session.expire(review, ["signatures"])
    complete = len(review.signatures) == len(Party)
    review.status = ReviewStatus.SIGNED if complete else ReviewStatus.SIGNING
    _audited("review.signed", user, review,
             f"Signed progress review {review.number} as the {party.label.lower()}",
             after={"party": party.value, "content_sha256": digest})  # fmt: skip
    settle(user.id, "review_to_sign", review=review.id)
    if party is Party.REVIEWER:  # the review is ready for the other two to add their part
        apprenticeship = apprenticeship_of(review.enrolment)
        waiting = {Party.APPRENTICE: review.enrolment.learner_id,
                   Party.EMPLOYER: apprenticeship.line_manager_id if apprenticeship else None}
        notify(review.provider_id,
               [who for p, who in waiting.items() if review.signature(p) is None],
               "review_to_sign", review=review.id, number=review.number,
               learner=review.enrolment.learner.name, reviewer=user.name)  # fmt: skip
    if complete:
        review.signed_at = utcnow()
        record = ReviewDocument(provider_id=review.provider_id, review_id=review.id,
                                content_sha256=canonical_hash(record_content(review)))  # fmt: skip
        db.session.add(record)
        db.session.flush()
        from portfolio.apprenticeships import reviews_pdf  # the PDF's job: exports machinery

        reviews_pdf.start(record, user.id)
        # The progress row carries when the next review is due, from this one.
        refresh.enrolments([review.enrolment_id])
    return signature


def reopen(user: User, review: ProgressReview) -> None:
    """The reviewer reopens a review being signed so that it can change: every signature
    is cleared, and each party signs again."""
    _check_party(user, review, Party.REVIEWER)
    hold(review)
    if review.status is ReviewStatus.SIGNED:
        raise Conflict("A review signed by all three is final: record changes in the next one.")
    if not review.signatures:
        raise Conflict("Nobody has signed this review yet: it can be changed as it is.")
    cleared = [{"party": s.party.value, "user": s.user_id, "sha256": s.content_sha256}
               for s in review.signatures]  # fmt: skip
    for signature in review.signatures:
        db.session.delete(signature)
    review.status = ReviewStatus.DRAFT
    db.session.flush()
    db.session.expire(review, ["signatures"])
    _audited("review.reopened", user, review,
             f"Reopened progress review {review.number}, clearing {len(cleared)} signatures",
             before={"signatures": cleared})  # fmt: skip


def to_sign(user: User, limit: int = 10):
    """The reviews being signed that wait for ``user``'s signature as the apprentice or as
    the line manager, oldest first: (rows of id, number, enrolment_id, learner, unit; the
    total), in one statement. Others sign as the reviewer, from the enrolment's pages."""
    party = {Role.LEARNER: Party.APPRENTICE, Role.EMPLOYER: Party.EMPLOYER}.get(user.role)
    if party is None:
        return [], 0
    signed = exists().where(ReviewSignature.review_id == ProgressReview.id,
                            ReviewSignature.party == party)  # fmt: skip
    found = db.session.execute(
        select(ProgressReview.id, ProgressReview.number, ProgressReview.enrolment_id,
               LEARNER.c.name.label("learner"), Unit.title.label("unit"),
               func.count().over().label("total"))
        .join(Enrolment, Enrolment.id == ProgressReview.enrolment_id)
        .join(LEARNER, LEARNER.c.id == Enrolment.learner_id)
        .join(Unit, Unit.id == Enrolment.unit_id)
        .where(may_see(user), ProgressReview.status == ReviewStatus.SIGNING, ~signed)
        .order_by(ProgressReview.held_on, ProgressReview.id)
        .limit(limit)
    ).all()  # fmt: skip
    return found, (found[0].total if found else 0)


def reviews_of(enrolment_id: int) -> list[ProgressReview]:
    """An enrolment's reviews, newest first, with their signatures."""
    return list(
        db.session.scalars(
            select(ProgressReview)
            .where(ProgressReview.enrolment_id == enrolment_id)
            .options(selectinload(ProgressReview.signatures).selectinload(ReviewSignature.user))
            .order_by(ProgressReview.number.desc())
        )
    )
