"""What the API shows of each resource: the query that reads it, always within one provider,
and its JSON form. Each list is one statement however long its page (the evidence list two)."""

from datetime import date

from flask import url_for
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from portfolio.accounts.models import User
from portfolio.assessment.models import SignOff
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.evidence.models import CriterionClaim, EvidenceFile, EvidenceItem, EvidenceVersion
from portfolio.exports.models import PortfolioDocument
from portfolio.progress import queries
from portfolio.progress.models import EnrolmentProgress
from portfolio.units.models import Unit


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# -- people -------------------------------------------------------------------------------


def people(provider_id: int) -> Select:
    return select(User).where(User.provider_id == provider_id)


def person(user: User) -> dict:
    return {
        "id": user.id, "mis_id": user.mis_id, "uln": user.uln, "name": user.name,
        "email": user.email, "role": user.role.value, "active": user.active,
        "created_at": _iso(user.created_at),
    }  # fmt: skip


def _someone(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "mis_id": user.mis_id, "name": user.name, "email": user.email}


# -- cohorts ------------------------------------------------------------------------------


def cohorts(provider_id: int) -> Select:
    enrolled = (
        select(func.count(Enrolment.id)).where(Enrolment.cohort_id == Cohort.id).scalar_subquery()
    )
    return select(Cohort, enrolled.label("enrolments")).where(Cohort.provider_id == provider_id)


def cohort(row) -> dict:
    c = row.Cohort
    return {
        "id": c.id, "name": c.name, "starts_on": _iso(c.starts_on), "ends_on": _iso(c.ends_on),
        "enrolments": row.enrolments, "created_at": _iso(c.created_at),
    }  # fmt: skip


# -- enrolments ---------------------------------------------------------------------------


def enrolments(provider_id: int) -> Select:
    return (
        select(Enrolment)
        .where(Enrolment.provider_id == provider_id)
        .options(
            joinedload(Enrolment.learner), joinedload(Enrolment.assessor),
            joinedload(Enrolment.iqa), joinedload(Enrolment.unit).joinedload(Unit.awarding_body),
            joinedload(Enrolment.qualification), joinedload(Enrolment.cohort),
            joinedload(Enrolment.criteria_set),
        )
    )  # fmt: skip


def enrolment(e: Enrolment) -> dict:
    return {
        "id": e.id,
        "learner": _someone(e.learner),
        "awarding_body": e.unit.awarding_body.code,
        "unit": {"id": e.unit.id, "code": e.unit.code, "title": e.unit.title},
        "qualification": {"id": e.qualification.id, "code": e.qualification.code,
                          "title": e.qualification.title},
        "criteria_version": e.criteria_set.version,
        "cohort": {"id": e.cohort.id, "name": e.cohort.name} if e.cohort else None,
        "assessor": _someone(e.assessor),
        "iqa": _someone(e.iqa),
        "starts_on": _iso(e.starts_on),
        "planned_end_on": _iso(e.planned_end_on),
        "locked": e.locked,
        "created_at": _iso(e.created_at),
    }  # fmt: skip


# -- progress -----------------------------------------------------------------------------


def progress(provider_id: int, today: date, inactive_days: int) -> Select:
    """Each enrolment's progress row with the dashboard's forecast and risks, as SQL."""
    measures = queries.MEASURES
    risks = [
        case((condition, True), else_=False).label(queries.RISK_COLUMNS[name])
        for name, condition in measures.risks.items()
    ]
    return (
        select(
            EnrolmentProgress,
            measures.forecast.label("forecast"),
            measures.inactive_days.label("inactive_days"),
            measures.oldest_awaiting_days.label("oldest_awaiting_days"),
            *risks,
        )
        .where(EnrolmentProgress.provider_id == provider_id)
        .params(queries.Measures.values(today, inactive_days))
    )


def _status(p: EnrolmentProgress) -> str:
    if p.under_review:
        return "under_review"
    if p.countersigned:
        return "countersigned"
    if p.signed_off:
        return "signed_off"
    return "in_progress"


def _days(value: float | None) -> int | None:
    return int(value) if value is not None else None


def progress_row(row, marking_target_days: int, inactive_days: int) -> dict:
    p: EnrolmentProgress = row.EnrolmentProgress
    risks = tuple(name for name, column in queries.RISK_COLUMNS.items() if getattr(row, column))
    # The dashboard's own row, for its red, amber or green by the same rule.
    figures = queries.LearnerRow(
        enrolment_id=p.enrolment_id, learner="", unit="", awarding_body="", cohort=None,
        assessor=None, met=p.criteria_met, total=p.criteria_total, awaiting=p.awaiting_marking,
        oldest_awaiting_days=_days(row.oldest_awaiting_days),
        inactive_days=_days(row.inactive_days), planned_end_on=p.planned_end_on,
        forecast=queries.FORECASTS[row.forecast], risks=risks,
    )  # fmt: skip
    return {
        "enrolment_id": p.enrolment_id,
        "criteria": {"total": p.criteria_total, "claimed": p.criteria_claimed,
                     "met": p.criteria_met, "percent_met": figures.percent},
        "evidence": {"items": p.items, "awaiting_marking": p.awaiting_marking,
                     "returned_twice_or_more": p.items_returned_twice,
                     "oldest_awaiting_since": _iso(p.oldest_awaiting_at)},
        "last_activity_at": _iso(p.last_activity_at),
        "status": _status(p),
        "forecast": figures.forecast,
        "risks": list(risks),
        "rag": figures.rag(marking_target_days, inactive_days),
        "updated_at": _iso(p.updated_at),
    }  # fmt: skip


# -- evidence -----------------------------------------------------------------------------


def evidence(provider_id: int) -> Select:
    """Evidence items' metadata, never their content: kind, title, status, dates, how many
    versions and files, and the criteria claimed (loaded with a second statement)."""
    versions = (
        select(func.count(EvidenceVersion.id))
        .where(EvidenceVersion.item_id == EvidenceItem.id)
        .scalar_subquery()
    )
    files = (
        select(func.count(EvidenceFile.id))
        .where(EvidenceFile.item_id == EvidenceItem.id, EvidenceFile.removed_in_version.is_(None))
        .scalar_subquery()
    )
    return (
        select(EvidenceItem, versions.label("versions"), files.label("files"))
        .where(EvidenceItem.provider_id == provider_id)
        .options(selectinload(EvidenceItem.claims).joinedload(CriterionClaim.criterion))
    )


def evidence_item(row) -> dict:
    item: EvidenceItem = row.EvidenceItem
    return {
        "id": item.id, "enrolment_id": item.enrolment_id, "learner_id": item.learner_id,
        "kind": item.kind.value, "title": item.title, "status": item.status.value,
        "versions": row.versions, "files": row.files,
        "criteria_claimed": sorted((c.criterion.number for c in item.claims),
                                   key=lambda n: [int(p) if p.isdigit() else p for p in n.split(".")]),
        "created_at": _iso(item.created_at), "updated_at": _iso(item.updated_at),
        "submitted_at": _iso(item.submitted_at),
    }  # fmt: skip


# -- sign-offs ----------------------------------------------------------------------------


def sign_offs(provider_id: int) -> Select:
    return (
        select(SignOff, Enrolment.learner_id, PortfolioDocument)
        .join(Enrolment, SignOff.enrolment_id == Enrolment.id)
        .outerjoin(PortfolioDocument, PortfolioDocument.sign_off_id == SignOff.id)
        .where(SignOff.provider_id == provider_id, Enrolment.provider_id == provider_id)
    )


def sign_off(row) -> dict:
    s: SignOff = row.SignOff
    document: PortfolioDocument | None = row.PortfolioDocument
    return {
        "id": s.id, "enrolment_id": s.enrolment_id, "learner_id": row.learner_id,
        "assessor_id": s.assessor_id, "signed_at": _iso(s.signed_at),
        "countersigned_by_id": s.countersigned_by_id, "countersigned_at": _iso(s.countersigned_at),
        "under_review_since": _iso(s.under_review_since),
        "withdrawn_at": _iso(s.withdrawn_at), "in_force": s.withdrawn_at is None,
        "manifest_hash": s.manifest_hash,
        "document": None if document is None else {
            "status": document.status.value, "sha256": document.sha256, "pages": document.pages,
            "size": document.size, "generated_at": _iso(document.generated_at),
        },
        "pdf_url": url_for("api.sign_off_pdf", sign_off_id=s.id),
    }  # fmt: skip
