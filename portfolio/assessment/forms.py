"""The assessor's marking form (a judgement and a comment on each criterion of the unit, the
feedback to the learner and the outcome), and the forms of a sampled decision."""

from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from portfolio.assessment.marking import COMMENT_LIMIT, FEEDBACK_LIMIT, Judgement
from portfolio.assessment.models import Outcome
from portfolio.assessment.sampling import TEXT_LIMIT
from portfolio.forms import AppForm, MaxLength
from portfolio.units.models import LearningOutcome

JUDGEMENTS = [SelectChoice("met", "Met"), SelectChoice("not_met", "Not yet met")]
NOT_JUDGED = SelectChoice("", "Not judged")
OUTCOMES = [
    SelectChoice(Outcome.ACCEPTED.value, "Accept"),
    SelectChoice(Outcome.RETURNED.value, "Return for rework"),
]


class MarkingForm(AppForm):
    """What every decision has; ``marking_form`` adds the fields of a unit, in page order."""

    # The item's version when the page was made: a decision on a changed item is refused.
    lock_version = IntegerField(
        "Version of the evidence", widget=HiddenInput(), validators=[Optional()]
    )
    criterion_ids: list[int] = []

    def judgements(self) -> list[Judgement]:
        """The criteria judged, met or not yet met, each with its comment."""
        return [
            Judgement(
                criterion_id,
                self[f"judgement_{criterion_id}"].data == "met",
                self[f"comment_{criterion_id}"].data or "",
            )
            for criterion_id in self.criterion_ids
            if self[f"judgement_{criterion_id}"].data
        ]


def marking_form(outcomes: list[LearningOutcome], claimed: set[int]) -> MarkingForm:
    """The marking form of a unit's learning ``outcomes``: each criterion the learner
    ``claimed`` must be judged met or not yet met, any other may be left not judged."""
    fields = {}
    for outcome in outcomes:
        for criterion in outcome.criteria:
            if criterion.id in claimed:
                fields[f"judgement_{criterion.id}"] = RadioField(
                    f"Judgement for {criterion.number}",
                    choices=JUDGEMENTS,
                    invalid_choice_message="Judge every criterion the learner claimed: met or "
                    "not yet met.",
                )
            else:
                fields[f"judgement_{criterion.id}"] = RadioField(
                    f"Judgement for {criterion.number}",
                    choices=[*JUDGEMENTS, NOT_JUDGED],
                    default="",
                )
            fields[f"comment_{criterion.id}"] = StringField(
                f"Comment on {criterion.number}", validators=[MaxLength(COMMENT_LIMIT)]
            )
    fields["feedback"] = TextAreaField(
        "Feedback to the learner",
        description="Markdown is allowed. Say what is good and, when returning, exactly what "
        "to change.",
        validators=[MaxLength(FEEDBACK_LIMIT)],
        render_kw={"rows": 6},
    )
    fields["outcome"] = RadioField(
        "Outcome",
        choices=OUTCOMES,
        invalid_choice_message="Choose whether to accept the evidence or return it for rework.",
    )
    fields["criterion_ids"] = [c.id for outcome in outcomes for c in outcome.criteria]
    return type("UnitMarkingForm", (MarkingForm,), fields)()


class SampleReviewForm(AppForm):
    """The IQA's review of a sampled decision."""

    verdict = RadioField(
        "Your review",
        choices=[
            SelectChoice("agree", "Agree with the decision"),
            SelectChoice("send_back", "Send back to the assessor"),
        ],
        invalid_choice_message="Choose whether you agree with the decision or send it back.",
    )
    comment = TextAreaField("Comment", validators=[MaxLength(TEXT_LIMIT)], render_kw={"rows": 3})
    actions = TextAreaField(
        "Required actions (when sending back)",
        validators=[MaxLength(TEXT_LIMIT)],
        render_kw={"rows": 3},
    )


class SampleResponseForm(AppForm):
    """The assessor's answer to the actions an IQA required."""

    response = TextAreaField(
        "What you did about the actions", validators=[MaxLength(TEXT_LIMIT)], render_kw={"rows": 4}
    )
    # Offered while the unit's sign-off stands: the answer restores a sign-off under IQA
    # review, or withdraws it.
    sign_off = RadioField(
        "The unit's sign-off",
        choices=[
            SelectChoice("stands", "The sign-off stands: my response answers the actions"),
            SelectChoice("withdraw", "Withdraw the sign-off: the decision must be made again"),
        ],
        default="stands",
        invalid_choice_message="Choose whether the sign-off stands or is withdrawn.",
    )
