"""Forms of a progress review: the reviewer's part, a target, the apprentice's or employer's
comments, and the provider's review interval."""

from wtforms import DateField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Optional

from portfolio.apprenticeships.reviews import COMMENTS_LIMIT, NOTES_LIMIT, TARGET_LIMIT
from portfolio.forms import AppForm, InRange, MaxLength


class ReviewerPartForm(AppForm):
    held_on = DateField(
        "Day the review was held",
        validators=[InputRequired("Enter the day the review was held.")],
    )
    notes = TextAreaField(
        "Reviewer's notes",
        description="Progress against the plan, off-the-job training, what was agreed, and "
        "any support the apprentice needs. The apprentice and the employer read and sign them.",
        validators=[MaxLength(NOTES_LIMIT)],
        render_kw={"rows": 8},
    )


class TargetForm(AppForm):
    text = TextAreaField(
        "New target",
        description="What the apprentice will do before the next review.",
        validators=[InputRequired("Say what the target is."), MaxLength(TARGET_LIMIT)],
        render_kw={"rows": 2},
    )
    due_on = DateField("Due by (optional)", validators=[Optional()])


class CommentsForm(AppForm):
    # The review as the page showed it (reviews.read_hash), so that nothing is signed unseen.
    read = HiddenField()
    comments = TextAreaField(
        "Your comments",
        description="How you see the progress since the last review and the targets agreed. "
        "Once you sign, your comments cannot change.",
        validators=[MaxLength(COMMENTS_LIMIT)],
        render_kw={"rows": 5},
    )


class ReviewIntervalForm(AppForm):
    review_interval_weeks = IntegerField(
        "Weeks between progress reviews",
        description="An apprentice's next review is due this many weeks after the last one "
        "(the first after the start), breaks in learning left out. The funding rules have "
        "asked for at least one every 12 weeks.",
        validators=[
            InputRequired("Enter a number of weeks, such as 12."),
            InRange(1, 52, "Enter a number of weeks from 1 to 52."),
        ],
    )
