"""The kinds of notification: who gets each, its sentence and where it leads.

A notification keeps the facts of its event (names and titles as they were, and the ids its
link needs); its sentence is made from them when it is shown, as plain text that the page
or email template escapes."""

from dataclasses import dataclass
from typing import Any

from flask import url_for

from portfolio.addresses import public_url


@dataclass(frozen=True)
class Kind:
    name: str
    # A str.format pattern over the notification's facts.
    sentence: str
    endpoint: str
    # The endpoint's argument and the fact that gives it.
    link: dict[str, str]
    # What the notifications page calls the link.
    action: str

    def text(self, facts: dict[str, Any]) -> str:
        return self.sentence.format_map(facts)

    def url(self, facts: dict[str, Any]) -> str:
        return url_for(self.endpoint, **self._values(facts))

    def public_url(self, facts: dict[str, Any]) -> str:
        """The link as an email gives it: under PUBLIC_URL."""
        return public_url(self.endpoint, **self._values(facts))

    def _values(self, facts: dict[str, Any]) -> dict[str, Any]:
        return {arg: facts[fact] for arg, fact in self.link.items()}


KINDS = {
    kind.name: kind
    for kind in (
        # To the learner's assessor.
        Kind("evidence_submitted", "{learner} submitted '{title}' for marking.",
             "assessment.mark", {"item_id": "item"}, "Mark it"),
        Kind("sample_sent_back",
             "{iqa} sent back your decision on {learner}'s '{title}' with actions.",
             "assessment.sample", {"sample_id": "sample"}, "See the actions"),
        # To the learner.
        Kind("evidence_accepted", "{assessor} accepted '{title}'.",
             "evidence.item", {"item_id": "item"}, "See the decision"),
        Kind("evidence_accepted_feedback", "{assessor} accepted '{title}' and gave feedback.",
             "evidence.item", {"item_id": "item"}, "Read the feedback"),
        Kind("evidence_returned", "{assessor} returned '{title}' for rework, with feedback.",
             "evidence.item", {"item_id": "item"}, "Read the feedback"),
        Kind("unit_signed_off", "{assessor} signed off {unit}.",
             "assessment.portfolio", {"enrolment_id": "enrolment"}, "See the portfolio"),
        Kind("hours_rejected",
             "{assessor} rejected your off-the-job hours of {on} ({activity}): {reason}",
             "hours.entry", {"entry_id": "entry"}, "See the entry"),
        # To the apprentice and their line manager, once the provider's reviewer has signed.
        Kind("review_to_sign",
             "{reviewer} signed progress review {number} of {learner}'s apprenticeship: add "
             "your comments and sign it.",
             "reviews.review", {"review_id": "review"}, "Open the review"),
        # To the learner and their IQA.
        Kind("sign_off_withdrawn",
             "{assessor} withdrew the sign-off of {learner}'s {unit}: {reason}",
             "assessment.portfolio", {"enrolment_id": "enrolment"}, "See the portfolio"),
        # To the learner and their assessor, unless they wrote it.
        Kind("evidence_commented", "{author} commented on '{title}'.",
             "evidence.item", {"item_id": "item"}, "Read the comment"),
        # To the learner's IQA.
        Kind("unit_ready_to_countersign",
             "{assessor} signed off {unit} for {learner}: it is ready to countersign.",
             "assessment.portfolio", {"enrolment_id": "enrolment"}, "See the portfolio"),
        Kind("sample_answered", "{assessor} answered your actions on {learner}'s '{title}'.",
             "assessment.sample", {"sample_id": "sample"}, "See the answer"),
        # To the provider's admins.
        Kind("eqa_access_ending", "{eqa}'s EQA access ends on {ends_on}.",
             "accounts.person_edit", {"user_id": "eqa_id"}, "Extend or end it"),
        Kind("job_failed", "{label}: the job failed.",
             "jobs.show", {"job_id": "job_id"}, "See the job"),
    )
}  # fmt: skip
