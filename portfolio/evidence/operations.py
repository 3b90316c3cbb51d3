"""The learner's actions on evidence: one function per change, each checking its rule."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from portfolio import webhooks
from portfolio.accounts.models import Role, User
from portfolio.audit import trail as audit
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import is_line_manager
from portfolio.errors import Conflict, DomainError
from portfolio.evidence import files, kinds
from portfolio.evidence.models import (
    EMPLOYER_KINDS,
    CriterionClaim,
    EvidenceFile,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    EvidenceVersion,
    PersonalDataDismissal,
)
from portfolio.evidence.pii import PLACEHOLDERS, Finding, find_personal_data
from portfolio.notifications import notify
from portfolio.progress import refresh
from portfolio.text import check_length, check_line
from portfolio.units.models import Criterion

# The longest title, claim note, file description and dismissal reason, in characters: the
# forms take no more, and their columns hold no more.
TITLE_LIMIT = 200
NOTE_LIMIT = 500
DESCRIPTION_LIMIT = 300
REASON_LIMIT = 500


def _check_owner(user: User, item: EvidenceItem) -> None:
    if item.created_by_id != user.id:
        raise DomainError("Only the person who wrote this evidence can change it.")


def _check_editable(item: EvidenceItem) -> None:
    """Drafts (and items returned for rework) can change; submitted and accepted ones cannot.
    A signed-off unit locks its accepted evidence, which is what the sign-off covers; its
    drafts are left out of the signed portfolio and stay editable."""
    if item.editable:
        return
    if item.enrolment.locked:
        raise Conflict(
            "This unit is signed off, so its evidence is locked. The assessor must withdraw "
            "the sign-off, with a reason, before anything can change."
        )
    raise Conflict(
        f"This evidence is {item.status.label.lower()} and cannot be changed"
        + (" until your assessor returns it." if item.status is EvidenceStatus.SUBMITTED else ".")
    )


def _check_lock(item: EvidenceItem, lock_version: int | None) -> None:
    if lock_version is not None and lock_version != item.lock_version:
        raise Conflict(
            "This evidence was changed somewhere else (another tab or device) after you opened "
            "it. Your changes were not saved: reload the page to see the latest version."
        )


def _linked_item(learner: User, enrolment: Enrolment, linked_item_id: int | None):
    if linked_item_id is None:
        return None
    linked = db.session.get(EvidenceItem, linked_item_id)
    if (
        linked is None
        or linked.learner_id != learner.id
        or linked.enrolment_id != enrolment.id
        or linked.kind is not EvidenceKind.INCIDENT_LOG
    ):
        raise DomainError("Choose one of your own incident logs.", field="linked_item_id")
    return linked


def start_item(
    learner: User,
    enrolment: Enrolment,
    kind: EvidenceKind,
    title: str,
    content: dict,
    linked_item_id: int | None = None,
) -> EvidenceItem:
    """Create a draft item with its first version.

    Learners write their own kinds of evidence; the learner's assessor writes observation,
    professional discussion and witness testimony records about them, and an apprentice's
    line manager witness testimony, which the assessor then marks.
    """
    author = learner
    if author.role is Role.EMPLOYER:
        if kind not in EMPLOYER_KINDS or not is_line_manager(author, enrolment):
            raise DomainError("A line manager writes witness testimony for their own apprentice.")
    elif kind.by_assessor:
        if enrolment.assessor_id != author.id:
            raise DomainError("Only the learner's assessor can record this kind of evidence.")
    elif enrolment.learner_id != author.id:
        raise DomainError("You can only add evidence to your own enrolment.")
    if enrolment.locked:
        raise Conflict("This unit is signed off: withdraw the sign-off before adding evidence.")
    check_line(title.strip(), TITLE_LIMIT, "Title", field="title")
    html = kinds.render_html(kind, content)
    item = EvidenceItem(
        provider_id=enrolment.provider_id,
        enrolment=enrolment,
        learner_id=enrolment.learner_id,
        kind=kind,
        title=title.strip(),
        linked_item=_linked_item(author, enrolment, linked_item_id),
        created_by_id=author.id,
        personal_data_open=len(personal_data_in(title.strip(), kind, content)),
    )
    db.session.add(item)
    db.session.add(
        EvidenceVersion(
            item=item,
            number=1,
            content=content,
            html=html,
            created_by_id=author.id,
        )
    )
    db.session.flush()
    audit.record(
        "evidence.created", provider_id=item.provider_id, actor=author, object_type="evidence",
        object_id=item.id, learner_id=item.learner_id, after={"kind": kind.value, "title": item.title},
        summary=f"Started {kind.label.lower()} '{item.title}'",
    )  # fmt: skip
    refresh.enrolments([item.enrolment_id])
    return item


def _working_version(user: User, item: EvidenceItem) -> EvidenceVersion:
    """The version edits go into: the current one, or a new one after a submission."""
    current = item.current
    if current.submitted_at is None:
        return current
    version = EvidenceVersion(
        item=item,
        number=current.number + 1,
        content=dict(current.content),
        html=dict(current.html),
        created_by_id=user.id,
    )
    db.session.add(version)
    db.session.flush()
    return version


def save_item(
    user: User,
    item: EvidenceItem,
    title: str,
    content: dict,
    *,
    linked_item_id: int | None = None,
    lock_version: int | None = None,
) -> EvidenceVersion:
    """Save the learner's edits; after a submission they become a new version."""
    _check_owner(user, item)
    _check_editable(item)
    _check_lock(item, lock_version)
    check_line(title.strip(), TITLE_LIMIT, "Title", field="title")
    html = kinds.render_html(item.kind, content)  # before the first write takes the lock
    version = _working_version(user, item)
    version.content = content
    version.html = html
    version.updated_at = utcnow()
    item.title = title.strip()
    if item.kind is EvidenceKind.STAR_ACCOUNT:
        item.linked_item = _linked_item(user, item.enrolment, linked_item_id)
    item.updated_at = utcnow()
    count_personal_data(item, version)
    refresh.enrolments([item.enrolment_id])
    return version


def set_claims(user: User, item: EvidenceItem, claims: dict[int, str]) -> None:
    """Make the item's claims exactly these criteria, each with its note."""
    _check_owner(user, item)
    _check_editable(item)
    allowed = {
        criterion_id: number
        for criterion_id, number in db.session.execute(
            select(Criterion.id, Criterion.number).where(
                Criterion.criteria_set_id == item.enrolment.criteria_set_id
            )
        )
    }
    unknown = set(claims) - set(allowed)
    if unknown:
        raise DomainError("You can only claim criteria of the unit you are enrolled on.")
    for criterion_id, note in claims.items():
        check_length(note.strip(), NOTE_LIMIT, f"The note on criterion {allowed[criterion_id]}",
                     field=f"note_{criterion_id}")  # fmt: skip
    existing = {claim.criterion_id: claim for claim in item.claims}
    for criterion_id, claim in existing.items():
        if criterion_id not in claims:
            db.session.delete(claim)
    for criterion_id, note in claims.items():
        if criterion_id in existing:
            existing[criterion_id].note = note.strip()
        else:
            db.session.add(
                CriterionClaim(
                    item=item, criterion_id=criterion_id, note=note.strip(), created_by_id=user.id
                )  # fmt: skip
            )
    item.updated_at = utcnow()
    refresh.enrolments([item.enrolment_id])


@dataclass(frozen=True)
class FieldFinding:
    field: str
    finding: Finding


def findings(item: EvidenceItem, version: EvidenceVersion | None = None) -> list[FieldFinding]:
    """Possible personal data in every text field of the item, less what was dismissed."""
    version = version or item.current
    # The item's own changes not yet written change no dismissal.
    with db.session.no_autoflush:
        dismissed = {
            (d.field, d.finding_type, d.text)
            for d in db.session.scalars(
                select(PersonalDataDismissal).where(PersonalDataDismissal.item_id == item.id)
            )
        }
    return personal_data_in(item.title, item.kind, version.content, dismissed)


@dataclass(frozen=True)
class Dismissed:
    """A possible personal detail the learner said is not one, still in the text."""

    field: str  # as the page names it
    type: str
    text: str
    reason: str
    by: str
    at: datetime


def dismissed(item: EvidenceItem) -> list[Dismissed]:
    """The item's dismissed personal-data findings whose text is still in the field it was
    found in, in the order they were dismissed, for its check and marking pages: one
    statement."""
    fields = {"title": item.title, **kinds.text_fields(item.kind, item.current.content)}
    rows = db.session.execute(
        select(PersonalDataDismissal, User.name)
        .join(User, User.id == PersonalDataDismissal.dismissed_by_id)
        .where(PersonalDataDismissal.item_id == item.id)
        .order_by(PersonalDataDismissal.dismissed_at, PersonalDataDismissal.id)
    ).all()
    return [
        Dismissed(kinds.field_label(d.field), d.finding_type.replace("_", " ").lower(), d.text,
                  d.reason, name, d.dismissed_at)
        for d, name in rows
        if d.text in fields.get(d.field, "")
    ]  # fmt: skip


def personal_data_in(
    title: str, kind: EvidenceKind, content: dict, dismissed=frozenset()
) -> list[FieldFinding]:
    """Possible personal data in a title and the text fields of content of this kind, less
    the dismissed findings: (field, type, text)."""
    fields = {"title": title, **kinds.text_fields(kind, content)}
    return [
        FieldFinding(path, finding)
        for path, text in fields.items()
        for finding in find_personal_data(text)
        if (path, finding.type, finding.text) not in dismissed
    ]


def count_personal_data(item: EvidenceItem, version: EvidenceVersion | None = None) -> None:
    """Keep the item's count of open findings (``findings``) for the learner's to-do list."""
    item.personal_data_open = len(findings(item, version))


def replace_finding(
    user: User, item: EvidenceItem, field: str, start: int, end: int, text: str
) -> None:
    """Replace one finding with its typed placeholder, if the text is still where it was."""
    _check_owner(user, item)
    _check_editable(item)
    match = next(
        (f for f in findings(item) if f.field == field and f.finding.start == start
         and f.finding.end == end and f.finding.text == text),
        None,
    )  # fmt: skip
    if match is None:
        raise Conflict("That text has changed since the check ran; run the check again.")
    _replace(user, item, match)
    _record_replaced(user, item, [match])


def replace_all_findings(user: User, item: EvidenceItem) -> int:
    """Replace every open finding with its placeholder; returns how many."""
    _check_owner(user, item)
    _check_editable(item)
    replaced = []
    while open_findings := findings(item):
        replaced.append(open_findings[-1])  # from the end, so earlier offsets stay true
        _replace(user, item, replaced[-1])
    if replaced:
        _record_replaced(user, item, replaced)
    return len(replaced)


def _replace(user: User, item: EvidenceItem, match: FieldFinding) -> None:
    version = _working_version(user, item)
    content = dict(version.content)
    placeholder = PLACEHOLDERS[match.finding.type]
    start, end = match.finding.start, match.finding.end
    if match.field == "title":
        item.title = item.title[:start] + placeholder + item.title[end:]
    else:
        current = kinds.text_fields(item.kind, content)[match.field]
        kinds.set_text_field(content, match.field, current[:start] + placeholder + current[end:])
        version.content = content
        version.html = kinds.render_html(item.kind, content)
    item.updated_at = utcnow()
    count_personal_data(item, version)
    refresh.enrolments([item.enrolment_id])


def _record_replaced(user: User, item: EvidenceItem, replaced: list[FieldFinding]) -> None:
    # Like a dismissal, the trail names the kinds of detail, never the text replaced.
    types = sorted({f.finding.type for f in replaced})
    audit.record(
        "evidence.personal_data_replaced", provider_id=item.provider_id, actor=user,
        object_type="evidence", object_id=item.id, learner_id=item.learner_id,
        after={"version": item.current.number, "count": len(replaced), "types": types},
        summary=f"Replaced {len(replaced)} possible personal "
                f"{'detail' if len(replaced) == 1 else 'details'} in '{item.title}' with placeholders",
    )  # fmt: skip


def dismiss_finding(
    user: User, item: EvidenceItem, field: str, finding_type: str, text: str, reason: str
) -> None:
    """Record that a finding is not personal data, and why."""
    _check_owner(user, item)
    _check_editable(item)
    if not any(
        f.field == field and f.finding.type == finding_type and f.finding.text == text
        for f in findings(item)
    ):
        raise Conflict("That finding is no longer in the text; run the check again.")
    reason = reason.strip()
    if len(reason) < 3:
        raise DomainError("Give a reason for dismissing this finding.", field="reason")
    check_length(reason, REASON_LIMIT, "Why this is not personal data", field="reason")
    db.session.add(
        PersonalDataDismissal(
            item_id=item.id,
            version_number=item.current.number,
            field=field,
            finding_type=finding_type,
            text=text,
            reason=reason,
            dismissed_by_id=user.id,
        )  # fmt: skip
    )
    db.session.flush()
    # The text itself stays out of the trail, which keeps what it holds for good: were it
    # personal data after all, it could then be replaced in the evidence alone.
    audit.record(
        "evidence.personal_data_dismissed", provider_id=item.provider_id, actor=user,
        object_type="evidence", object_id=item.id, learner_id=item.learner_id,
        after={"version": item.current.number, "field": field, "type": finding_type, "reason": reason},
        summary=f"Dismissed a possible {finding_type.replace('_', ' ').lower()} in "
                f"'{item.title}' as not personal data: {reason}",
    )  # fmt: skip
    count_personal_data(item)


def submission_problems(item: EvidenceItem,
                        open_findings: list[FieldFinding] | None = None) -> list[str]:  # fmt: skip
    """Everything that stands in the way of submitting the item, all at once: what the item
    page lists beside its Submit button, and what ``submit_item`` refuses with. The open
    personal-data findings may be given when already worked out."""
    problems = []
    if item.kind.by_assessor and not item.by_employer:
        problems.append("Records an assessor writes are confirmed, not submitted.")
    if item.enrolment.locked:
        problems.append(
            "The unit is signed off: this draft is left out of the signed portfolio and can be "
            "submitted only if the assessor withdraws the sign-off."
        )
    if open_findings is None:
        open_findings = findings(item)
    if open_findings:
        count = len(open_findings)
        problems.append(
            f"{count} possible personal detail{'s' if count != 1 else ''} still need"
            f"{'' if count != 1 else 's'} resolving: replace each with a placeholder or dismiss "
            "it with a reason."
        )
    if not item.claims:
        problems.append("Claim at least one criterion this evidence shows.")
    if item.current.submitted_at is not None and item.current.number in _decided_versions(item):
        problems.append("Nothing has changed since the assessor's decision: make your changes "
                        "first.")  # fmt: skip
    return problems


def _decided_versions(item: EvidenceItem) -> set[int]:
    # ``decisions`` is the backref of portfolio.assessment's Decision.
    return {decision.version_number for decision in getattr(item, "decisions", [])}


def submit_item(user: User, item: EvidenceItem, lock_version: int | None = None) -> None:
    """Send the item to the assessor: refused, with every problem at once, while personal data
    or claims are missing or the unit is signed off."""
    _check_owner(user, item)
    _check_editable(item)
    _check_lock(item, lock_version)
    problems = submission_problems(item)
    if problems:
        refused = DomainError("This evidence cannot be submitted yet: " + " ".join(problems))
        refused.problems = problems
        refused.audit = {
            "action": "access.refused", "provider_id": item.provider_id, "actor": user,
            "object_type": "evidence", "object_id": item.id, "learner_id": item.learner_id,
            "after": {"problems": problems}, "summary": refused.message[:300],
        }  # fmt: skip
        raise refused
    before = item.status
    # A version submitted once and never decided on (left out of a signed portfolio) is
    # submitted again as a new version: a submitted version never changes.
    _working_version(user, item)
    now = utcnow()
    item.current.submitted_at = now
    item.submitted_at = now
    item.status = EvidenceStatus.SUBMITTED
    db.session.flush()
    audit.record(
        "evidence.submitted", provider_id=item.provider_id, actor=user, object_type="evidence",
        object_id=item.id, learner_id=item.learner_id,
        before={"status": before.value}, after={"status": "submitted", "version": item.current.number},
        summary=f"Submitted '{item.title}' version {item.current.number}",
    )  # fmt: skip
    notify(item.provider_id, [item.enrolment.assessor_id], "evidence_submitted", item=item.id, title=item.title, learner=user.name)  # fmt: skip
    webhooks.publish(item.provider_id, "evidence.submitted", {"evidence": {"id": item.id, "version": item.current.number, "kind": item.kind.value}, "submitted_at": now, **webhooks.enrolment_facts(item.enrolment)})  # fmt: skip
    refresh.enrolments([item.enrolment_id])


def set_aside(user: User, item: EvidenceItem) -> None:
    """The learner moves an item returned for rework back to their drafts, to finish later:
    it no longer holds up the unit's sign-off, and is left out of the signed portfolio until
    it is submitted again."""
    _check_owner(user, item)
    if item.status is not EvidenceStatus.RETURNED:
        raise Conflict("Only evidence returned for rework can be moved back to your drafts.")
    item.status = EvidenceStatus.DRAFT
    db.session.flush()
    audit.record(
        "evidence.set_aside", provider_id=item.provider_id, actor=user, object_type="evidence",
        object_id=item.id, learner_id=item.learner_id,
        before={"status": "returned"}, after={"status": "draft", "version": item.current.number},
        summary=f"Moved '{item.title}' back to drafts",
    )  # fmt: skip
    refresh.enrolments([item.enrolment_id])


def attach_file(user: User, item: EvidenceItem, upload, description: str) -> EvidenceFile:
    """Store an uploaded file and record it; on any failure neither file nor row remains."""
    _check_owner(user, item)
    _check_editable(item)
    description = description.strip()
    check_length(description, DESCRIPTION_LIMIT, "What the file shows", field="description")
    name = files.check_name(upload.filename)
    stored = files.store(upload.stream, current_app.config["EVIDENCE_FILE_LIMIT"])
    try:
        same = next((f for f in item.current_files if f.sha256 == stored.sha256), None)
        if same is not None:
            raise DomainError(
                f"This file is already attached to this item, as “{same.original_name}”.",
                field="file",
            )
        version = _working_version(user, item)
        record = EvidenceFile(
            provider_id=item.provider_id, item=item, original_name=name,
            stored_name=stored.stored_name, media_type=stored.media_type, size=stored.size,
            sha256=stored.sha256, description=description, uploaded_by_id=user.id,
            added_in_version=version.number,
        )  # fmt: skip
        db.session.add(record)
        item.updated_at = utcnow()
        db.session.flush()
    except BaseException:
        files.remove_stored(stored.stored_name)
        raise
    refresh.enrolments([item.enrolment_id])
    return record


def remove_file(user: User, item: EvidenceItem, record: EvidenceFile) -> str | None:
    """Take a file off the item; one that was part of a submitted version stays in history.

    Returns the stored name to delete from disk once the change is committed, if any.
    """
    _check_owner(user, item)
    _check_editable(item)
    version = _working_version(user, item)
    item.updated_at = utcnow()
    if record.added_in_version == version.number:
        db.session.delete(record)
        refresh.enrolments([item.enrolment_id])
        return record.stored_name
    record.removed_in_version = version.number
    refresh.enrolments([item.enrolment_id])
    return None
