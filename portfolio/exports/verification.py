"""What /verify answers: the document a hash names, and the others issued for its evidence."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portfolio.apprenticeships.reviews_models import ProgressReview, ReviewDocument
from portfolio.assessment.models import SignOff
from portfolio.db import db
from portfolio.exports.models import PortfolioDocument


@dataclass(frozen=True)
class Verification:
    record: PortfolioDocument
    by_manifest: bool  # the hash was the manifest's (or another printed one): the PDF was not checked
    others: list[PortfolioDocument]  # issued for the same manifest, the newest first
    by_countersignature: bool = False  # the hash was the IQA's countersignature's


def verify(digest: str) -> Verification | None:
    """The document whose PDF has this SHA-256 or, for a manifest's SHA-256, the document in
    force for it (else the latest): a sign-off withdrawn and made again over the same evidence
    leaves several documents with one manifest, and only one of them stands. The PDF also
    prints its countersignature's SHA-256, which finds the document of that sign-off."""
    exact = db.session.scalar(select(PortfolioDocument).where(PortfolioDocument.sha256 == digest))
    documents = (
        select(PortfolioDocument)
        .options(joinedload(PortfolioDocument.enrolment), joinedload(PortfolioDocument.sign_off))
        .order_by(PortfolioDocument.id.desc())
    )
    same = db.session.scalars(
        documents.where(PortfolioDocument.manifest_hash == (exact.manifest_hash if exact else digest))
    ).all()
    countersigned = exact is None and not same
    if countersigned:
        same = db.session.scalars(
            documents.join(SignOff, SignOff.id == PortfolioDocument.sign_off_id)
            .where(SignOff.countersign_hash == digest)
        ).all()  # fmt: skip
    if exact is None and not same:
        return verify_review(digest)
    record = exact or next((r for r in same if r.in_force), same[0])
    return Verification(record, exact is None, [r for r in same if r is not record], countersigned)


@dataclass(frozen=True)
class ReviewVerification:
    """A signed apprenticeship progress review's PDF, found by its SHA-256 or its content's."""

    record: ReviewDocument
    by_manifest: bool
    template = "apprenticeships/review_verified.html"


def verify_review(digest: str) -> ReviewVerification | None:
    record = db.session.scalar(
        select(ReviewDocument)
        .where((ReviewDocument.sha256 == digest) | (ReviewDocument.content_sha256 == digest))
        .options(joinedload(ReviewDocument.review).joinedload(ProgressReview.enrolment))
    )
    return record and ReviewVerification(record, record.sha256 != digest)
