"""What stands between a unit and its declaration, sign-off or countersignature: every problem
at once, worked out by the same functions for the page (shown beside the button before it is
pressed) and for the refusal (portfolio.assessment.signoff)."""

from dataclasses import dataclass, field

from sqlalchemy import select

from portfolio.db import db
from portfolio.evidence.coverage import CriterionInfo, RequirementState, Tally
from portfolio.evidence.models import EvidenceItem, EvidenceStatus
from portfolio.units.models import Criterion


@dataclass(frozen=True)
class Link:
    """Something a problem names, with where to go to deal with it."""

    text: str
    endpoint: str
    values: dict


@dataclass(frozen=True)
class Problem:
    text: str
    links: tuple[Link, ...] = ()

    def __str__(self) -> str:
        if not self.links:
            return self.text
        return f"{self.text}: " + ", ".join(f"'{link.text}'" for link in self.links) + "."


def in_words(problems: list[Problem]) -> str:
    """The problems as one plain sentence each, for a refusal's message and its audit event."""
    return " ".join(str(p) for p in problems)


@dataclass(frozen=True)
class OpenItem:
    id: int
    title: str
    status: EvidenceStatus

    def link(self) -> Link:
        return Link(self.title, "evidence.item", {"item_id": self.id})


@dataclass
class Readiness:
    """Where a unit stands against the one rule of completeness: every criterion met by
    accepted evidence, every evidence requirement met by accepted evidence, and nothing
    awaiting marking or returned for rework. Drafts block nothing: they are left out of the
    signed portfolio."""

    unmet: list[Criterion | CriterionInfo]
    requirements: list[RequirementState]
    unfinished: list[OpenItem] = field(default_factory=list)  # not accepted, drafts included

    @property
    def open_items(self) -> list[OpenItem]:
        return [i for i in self.unfinished if i.status is not EvidenceStatus.DRAFT]

    @property
    def drafts(self) -> list[OpenItem]:
        return [i for i in self.unfinished if i.status is EvidenceStatus.DRAFT]

    @property
    def ready(self) -> bool:
        return not self.reasons()

    def reasons(self) -> list[Problem]:
        out = []
        if self.unmet:
            numbers = ", ".join(c.number for c in self.unmet)
            out.append(Problem(f"Criteri{'on' if len(self.unmet) == 1 else 'a'} not yet met by "
                               f"accepted evidence: {numbers}."))  # fmt: skip
        for r in self.requirements:
            if not r.met:
                waiting = f"; not counted: {r.pending}" if r.pending else ""
                out.append(
                    Problem(f"Not yet met: {r.text} ({r.detail}; {r.needed} needed{waiting}).")
                )
        for status, what in (
            (EvidenceStatus.SUBMITTED, "awaiting marking"),
            (EvidenceStatus.RETURNED, "returned for rework and not yet resubmitted or moved "
                                      "back to drafts"),
        ):
            items = [i for i in self.open_items if i.status is status]
            if items:
                out.append(Problem(
                    f"{len(items)} item{' is' if len(items) == 1 else 's are'} {what}",
                    tuple(i.link() for i in items),
                ))  # fmt: skip
        return out


def unfinished_items(enrolment_id: int) -> list[OpenItem]:
    """The enrolment's items that are not accepted, in one statement: those awaiting marking
    first, then those returned, then drafts; the oldest first in each."""
    rank = {EvidenceStatus.SUBMITTED: 0, EvidenceStatus.RETURNED: 1, EvidenceStatus.DRAFT: 2}
    rows = db.session.execute(
        select(EvidenceItem.id, EvidenceItem.title, EvidenceItem.status)
        .where(
            EvidenceItem.enrolment_id == enrolment_id,
            EvidenceItem.status != EvidenceStatus.ACCEPTED,
        )
        .order_by(EvidenceItem.updated_at, EvidenceItem.id)
    ).all()
    return sorted((OpenItem(r.id, r.title, r.status) for r in rows),
                  key=lambda i: rank[i.status])  # fmt: skip


def any_unfinished(tallies: list[Tally]) -> bool:
    return any(t.status is not EvidenceStatus.ACCEPTED and t.count for t in tallies)


def declaration_problems(state: Readiness) -> list[Problem]:
    """Why the learner cannot sign the declaration now."""
    return state.reasons()


def sign_off_problems(state: Readiness, declared: bool | None) -> list[Problem]:
    """Why the assessor cannot sign the unit off now. ``declared`` says whether the learner's
    latest declaration covers the evidence as it stands: None when there is none."""
    out = state.reasons()
    if declared is None:
        out.append(Problem("The learner has not signed the declaration that the evidence is "
                           "their own work."))  # fmt: skip
    elif not declared:
        out.append(Problem("The learner's declaration does not cover the evidence as it stands "
                           "now: the learner must sign the declaration again."))  # fmt: skip
    return out


@dataclass(frozen=True)
class WaitingSample:
    """A sampled decision that holds the countersignature: sent back and not yet answered by
    the assessor, or not yet reviewed by the IQA."""

    sample_id: int
    item_title: str


def countersign_problems(
    *, signed_off: bool, own: bool, sent_back: list[WaitingSample], awaiting_review: list[WaitingSample]
) -> list[Problem]:
    """Why the IQA cannot countersign now."""
    out = []
    if not signed_off:
        out.append(Problem("The unit must be signed off by the assessor before the IQA "
                           "countersigns."))  # fmt: skip
    if own:
        out.append(Problem("You cannot countersign a unit you signed off yourself."))
    if sent_back:
        n = len(sent_back)
        out.append(Problem(
            f"{n} sampled decision{' was' if n == 1 else 's were'} sent back with actions and "
            "the assessor has not answered yet",
            tuple(Link(s.item_title, "assessment.sample", {"sample_id": s.sample_id})
                  for s in sent_back),
        ))  # fmt: skip
    if awaiting_review:
        plural = "" if len(awaiting_review) == 1 else "s"
        out.append(Problem(
            f"Review this unit's sampled decision{plural} first",
            tuple(Link(s.item_title, "assessment.sample", {"sample_id": s.sample_id})
                  for s in awaiting_review),
        ))  # fmt: skip
    return out
