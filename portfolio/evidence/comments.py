"""Comments on an evidence item: the learner, their assessor and their line manager write
them; everyone who may see the item reads them."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portfolio.accounts.models import Role, User
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.evidence.models import EvidenceComment, EvidenceItem
from portfolio.notifications import notify
from portfolio.text import check_length, render_markdown

# The longest comment, in characters: the form takes no more.
COMMENT_LIMIT = 2_000

# The people who take part in the evidence: the IQA, an EQA and the provider's admins read
# the comments but do not write them.
COMMENTERS = (Role.LEARNER, Role.ASSESSOR, Role.EMPLOYER)


def comments_on(item: EvidenceItem) -> list[EvidenceComment]:
    """The item's comments, oldest first, with their authors, in one statement."""
    return db.session.scalars(
        select(EvidenceComment)
        .where(EvidenceComment.item_id == item.id)
        .order_by(EvidenceComment.created_at, EvidenceComment.id)
        .options(joinedload(EvidenceComment.author))
    ).all()


def may_comment(user: User) -> bool:
    """Whether ``user``, who can see the item, may comment on it."""
    return user.role in COMMENTERS


def add_comment(author: User, item: EvidenceItem, body: str) -> EvidenceComment:
    """Add a comment to an item ``author`` can see (the caller found it with ``item_or_404``);
    the learner and the assessor are told, except the one who wrote it."""
    if not may_comment(author):
        raise DomainError("Only the learner, their assessor and their line manager comment.")
    body = body.strip()
    if not body:
        raise DomainError("Write your comment before sending it.", field="body")
    check_length(body, COMMENT_LIMIT, "Your comment", field="body")
    comment = EvidenceComment(
        provider_id=item.provider_id, item_id=item.id, author_id=author.id, body=body,
        body_html=render_markdown(body),
    )  # fmt: skip
    db.session.add(comment)
    db.session.flush()
    audit.record(
        "evidence.commented", provider_id=item.provider_id, actor=author, object_type="evidence",
        object_id=item.id, learner_id=item.learner_id,
        after={"comment": comment.id, "characters": len(body)},
        summary=f"Commented on '{item.title}'",
    )  # fmt: skip
    told = {item.learner_id, item.enrolment.assessor_id} - {author.id}
    notify(item.provider_id, told, "evidence_commented", item=item.id, title=item.title,
           author=author.name)  # fmt: skip
    return comment
