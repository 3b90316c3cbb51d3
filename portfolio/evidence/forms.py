"""Forms for each kind of evidence, for claims, files and personal-data findings."""

from datetime import datetime

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from portfolio.dates import format_wall_time
from portfolio.evidence import incident
from portfolio.evidence.kinds import STAR_PARTS
from portfolio.evidence.quality import STAR_MIN_WORDS
from portfolio.forms import AppForm, InRange, MaxLength


def choices(pairs, empty: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice(value, label) for value, label in pairs]
    return ([SelectChoice("", empty)] if empty is not None else []) + options


class LocalDateTimeField(DateTimeLocalField):
    """A date and time as typed in the browser's picker or as 'YYYY-MM-DD HH:MM'."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Enter a date and time like 2026-11-04 14:05.") from None


class CommunicationForm(Form):
    at = LocalDateTimeField("Time", validators=[Optional()])
    with_whom = StringField("With whom", validators=[MaxLength(200)])
    channel = SelectField("Channel", choices=choices(incident.CHANNELS, "Choose"))
    summary = TextAreaField("Summary", validators=[MaxLength(2000)], render_kw={"rows": 2})

    def is_empty(self) -> bool:
        return not (self.at.raw_data and self.at.raw_data[0]) and not any(
            (self.with_whom.data, self.channel.data, self.summary.data)
        )


class ResourceForm(Form):
    resource = StringField("Resource deployed", validators=[MaxLength(200)])
    availability_confirmed = BooleanField("Availability confirmed before dispatch")
    dispatched_at = LocalDateTimeField("Time dispatched", validators=[Optional()])
    receipt_confirmed = BooleanField("Receipt of instructions confirmed")

    def is_empty(self) -> bool:
        return not self.resource.data and not (
            self.dispatched_at.raw_data and self.dispatched_at.raw_data[0]
        )


class TitleMixin:
    title = StringField(
        "Title",
        description="A short name for this evidence, e.g. 'Gas leak report, Tuesday late shift'.",
        validators=[DataRequired("Give the evidence a title."), MaxLength(200)],
    )


class IncidentLogForm(TitleMixin, AppForm):
    reference = StringField(
        "Incident reference",
        validators=[DataRequired("Enter the incident reference."), MaxLength(60)],
    )
    reported_at = LocalDateTimeField(
        "Date and time reported", validators=[InputRequired("Enter when it was reported.")]
    )
    caller_reference = StringField(
        "Caller or reporter (anonymised reference)",
        description="A reference such as 'Caller A' or the account reference, never a name or number.",
        validators=[MaxLength(100)],
    )
    channel = SelectField("Channel", choices=choices(incident.CHANNELS, "Choose a channel"))
    incident_type = SelectField(
        "Incident type",
        choices=choices(incident.INCIDENT_TYPES, "Choose a type"),
        validators=[DataRequired("Choose the incident type.")],
    )
    location = StringField("Location", validators=[MaxLength(200)])
    nature = TextAreaField(
        "Nature of the incident",
        description="What was reported and what you found. Markdown is allowed.",
        validators=[DataRequired("Describe the incident."), MaxLength(20000)],
        render_kw={"rows": 5},
    )
    impact = SelectField(
        "Impact", choices=choices([(v, v.title()) for v in incident.LEVELS], "Not set")
    )
    urgency = SelectField(
        "Urgency", choices=choices([(v, v.title()) for v in incident.LEVELS], "Not set")
    )
    severity = SelectField("Severity", choices=choices(incident.SEVERITIES, "Not set"))
    escalated = BooleanField("The incident was escalated")
    escalated_to = StringField("Escalated to (role or team)", validators=[MaxLength(200)])
    escalated_at = LocalDateTimeField("Time escalated", validators=[Optional()])
    escalation_reason = TextAreaField(
        "Why it was escalated", validators=[MaxLength(2000)], render_kw={"rows": 2}
    )
    resources = FieldList(FormField(ResourceForm), min_entries=1)
    communications = FieldList(FormField(CommunicationForm), min_entries=2)
    customer_updates = TextAreaField(
        "Customer and stakeholder updates",
        description="Who you kept informed, when and how.",
        validators=[MaxLength(20000)],
        render_kw={"rows": 3},
    )
    resolved_at = LocalDateTimeField("Time resolved", validators=[Optional()])
    root_cause = TextAreaField("Root cause", validators=[MaxLength(20000)], render_kw={"rows": 3})
    lessons_learned = TextAreaField(
        "Lessons learned", validators=[MaxLength(20000)], render_kw={"rows": 3}
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self._validate_times() and ok

    def _validate_times(self) -> bool:
        """Times must be in order: nothing before the report, the log in time order."""
        reported = self.reported_at.data
        ok = True
        if reported and reported > datetime.now():
            self.reported_at.errors.append("The report time cannot be in the future.")
            ok = False

        def not_before_report(field, what):
            nonlocal ok
            if reported and field.data and field.data < reported:
                field.errors.append(f"{what} cannot be before the incident was reported.")
                ok = False

        not_before_report(self.escalated_at, "The escalation")
        not_before_report(self.resolved_at, "The resolution")
        if self.escalated.data and not self.escalated_to.data:
            self.escalated_to.errors.append("Say to whom the incident was escalated.")
            ok = False
        for i, entry in enumerate(self.resources.entries, start=1):
            form = entry.form
            if form.is_empty():
                continue
            if not form.resource.data:
                form.resource.errors.append(f"Resource {i}: say which resource was deployed.")
                ok = False
            not_before_report(form.dispatched_at, f"Resource {i}'s dispatch")
        previous = None
        for i, entry in enumerate(self.communications.entries, start=1):
            form = entry.form
            if form.is_empty():
                continue
            if form.at.data is None:
                if not form.at.errors:
                    form.at.errors.append(f"Entry {i}: enter the time of this communication.")
                ok = False
                continue
            if not form.with_whom.data:
                form.with_whom.errors.append(f"Entry {i}: say with whom you communicated.")
                ok = False
            not_before_report(form.at, f"Entry {i}")
            if previous and form.at.data < previous[1]:
                form.at.errors.append(
                    f"Entry {i} ({format_wall_time(form.at.data)}) is earlier than entry "
                    f"{previous[0]} ({format_wall_time(previous[1])}): list the log in time order."
                )
                ok = False
            previous = (i, form.at.data)
        return ok

    def content(self) -> dict:
        def iso(value):
            return value.isoformat(timespec="minutes") if value else ""

        return {
            "reference": self.reference.data.strip(),
            "reported_at": iso(self.reported_at.data),
            "caller_reference": self.caller_reference.data.strip(),
            "channel": self.channel.data or "",
            "incident_type": self.incident_type.data,
            "location": self.location.data.strip(),
            "nature": self.nature.data,
            "impact": self.impact.data or "",
            "urgency": self.urgency.data or "",
            "severity": self.severity.data or "",
            "escalated": bool(self.escalated.data),
            "escalation": {
                "to": self.escalated_to.data.strip(),
                "at": iso(self.escalated_at.data),
                "reason": self.escalation_reason.data,
            }
            if self.escalated.data
            else {},
            "resources": [
                {
                    "resource": e.form.resource.data.strip(),
                    "availability_confirmed": bool(e.form.availability_confirmed.data),
                    "dispatched_at": iso(e.form.dispatched_at.data),
                    "receipt_confirmed": bool(e.form.receipt_confirmed.data),
                }
                for e in self.resources.entries
                if not e.form.is_empty()
            ],
            "communications": [
                {
                    "at": iso(e.form.at.data),
                    "with": e.form.with_whom.data.strip(),
                    "channel": e.form.channel.data or "",
                    "summary": e.form.summary.data,
                }
                for e in self.communications.entries
                if not e.form.is_empty()
            ],
            "customer_updates": self.customer_updates.data,
            "resolved_at": iso(self.resolved_at.data),
            "root_cause": self.root_cause.data,
            "lessons_learned": self.lessons_learned.data,
        }

    def fill(self, title: str, content: dict) -> None:
        """Set the fields from a saved version's content."""

        def when(value):
            return datetime.fromisoformat(value) if value else None

        self.title.data = title
        for key in ("reference", "caller_reference", "channel", "incident_type", "location",
                    "nature", "impact", "urgency", "severity", "customer_updates",
                    "root_cause", "lessons_learned"):  # fmt: skip
            getattr(self, key).data = content.get(key, "")
        self.reported_at.data = when(content.get("reported_at"))
        self.resolved_at.data = when(content.get("resolved_at"))
        self.escalated.data = content.get("escalated", False)
        escalation = content.get("escalation") or {}
        self.escalated_to.data = escalation.get("to", "")
        self.escalated_at.data = when(escalation.get("at"))
        self.escalation_reason.data = escalation.get("reason", "")
        resources = content.get("resources", [])
        communications = content.get("communications", [])
        while len(self.resources.entries) < len(resources) + 1:
            self.resources.append_entry()
        while len(self.communications.entries) < len(communications) + 1:
            self.communications.append_entry()
        for entry, data in zip(self.resources.entries, resources, strict=False):
            entry.form.resource.data = data["resource"]
            entry.form.availability_confirmed.data = data["availability_confirmed"]
            entry.form.dispatched_at.data = when(data["dispatched_at"])
            entry.form.receipt_confirmed.data = data["receipt_confirmed"]
        for entry, data in zip(self.communications.entries, communications, strict=False):
            entry.form.at.data = when(data["at"])
            entry.form.with_whom.data = data["with"]
            entry.form.channel.data = data["channel"]
            entry.form.summary.data = data["summary"]


class CallNoteForm(TitleMixin, AppForm):
    call_date = DateField(
        "Date of the call", validators=[InputRequired("Enter the date of the call.")]
    )
    channel = SelectField(
        "Channel",
        choices=choices(
            [
                ("inbound_phone", "Inbound phone call"),
                ("outbound_phone", "Outbound phone call"),
                ("web_chat", "Web chat"),
                ("email", "Email"),
                ("video", "Video call"),
                ("sms", "SMS or messaging"),
            ],  # fmt: skip
            "Choose a channel",
        ),
        validators=[DataRequired("Choose the channel.")],
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            InputRequired("Enter how long the call lasted, in whole minutes."),
            InRange(min=1, max=600, message="Enter a duration from 1 to 600 minutes."),
        ],
    )
    notes = TextAreaField(
        "Notes",
        description="What was said and done, with every personal detail of the customer removed. "
        "Markdown is allowed.",
        validators=[DataRequired("Write the call notes."), MaxLength(50000)],
        render_kw={"rows": 12},
    )

    def validate_call_date(self, field) -> None:
        if field.data and field.data > datetime.now().date():
            raise ValidationError("The call date cannot be in the future.")

    def content(self) -> dict:
        return {
            "call_date": self.call_date.data.isoformat(),
            "channel": self.channel.data,
            "duration_minutes": self.duration_minutes.data,
            "notes": self.notes.data,
        }

    def fill(self, title: str, content: dict) -> None:
        self.title.data = title
        self.call_date.data = datetime.fromisoformat(content["call_date"]).date()
        self.channel.data = content["channel"]
        self.duration_minutes.data = content["duration_minutes"]
        self.notes.data = content["notes"]


def _star_field(key: str, label: str, hint: str) -> TextAreaField:
    # The target is the quality check's: the live count (static/word-count.js) says how far
    # the part is from it while the learner types.
    target = STAR_MIN_WORDS[key]
    return TextAreaField(
        label,
        description=f"{hint} Aim for at least {target} words.",
        validators=[
            DataRequired(f"Write the {label.lower()} part: it cannot be empty."),
            MaxLength(20000),
        ],  # fmt: skip
        render_kw={"rows": 5, "data-word-count": "true", "data-word-target": target},
    )


class StarAccountForm(TitleMixin, AppForm):
    linked_item_id = SelectField(
        "Incident log this account reflects on (optional)", coerce=lambda v: int(v) if v else None
    )
    situation = _star_field(*STAR_PARTS[0])
    task = _star_field(*STAR_PARTS[1])
    action = _star_field(*STAR_PARTS[2])
    result = _star_field(*STAR_PARTS[3])
    reflection = _star_field(*STAR_PARTS[4])

    def content(self) -> dict:
        return {key: getattr(self, key).data for key, _label, _hint in STAR_PARTS}

    def fill(self, title: str, content: dict) -> None:
        self.title.data = title
        for key, _label, _hint in STAR_PARTS:
            getattr(self, key).data = content.get(key, "")


FORMS = {
    "incident_log": IncidentLogForm,
    "call_note": CallNoteForm,
    "star_account": StarAccountForm,
}


class ClaimForm(AppForm):
    """Claims come as criterion_<id> checkboxes and note_<id> texts; see views.claims."""


class UploadForm(AppForm):
    file = FileField("File", validators=[FileRequired("Choose a file to upload.")])
    description = StringField("What the file shows (optional)", validators=[MaxLength(300)])


class DismissForm(AppForm):
    field = StringField(validators=[DataRequired()])
    finding_type = StringField(validators=[DataRequired()])
    text = StringField(validators=[DataRequired()])
    reason = StringField(
        "Why this is not personal data",
        validators=[DataRequired("Give a reason for dismissing this finding."), MaxLength(500)],
    )


class RedactForm(AppForm):
    field = StringField(validators=[DataRequired()])
    start = IntegerField(validators=[InputRequired()])
    end = IntegerField(validators=[InputRequired()])
    text = StringField(validators=[DataRequired()])
    finding_type = StringField(validators=[DataRequired()])


class ObservationForm(TitleMixin, AppForm):
    observed_on = DateField(
        "Date observed", validators=[InputRequired("Enter the date of the observation.")]
    )
    context = StringField(
        "Where and what",
        description="For example 'Live calls on the emergency line, late shift'.",
        validators=[DataRequired("Say where the observation took place."), MaxLength(300)],
    )
    observed = TextAreaField(
        "What was observed",
        validators=[DataRequired("Describe what you observed."), MaxLength(20000)],
        render_kw={"rows": 8},
    )
    judgement = TextAreaField(
        "Your judgement",
        description="How what you saw meets the criteria you map it to.",
        validators=[DataRequired("Give your judgement."), MaxLength(20000)],
        render_kw={"rows": 4},
    )

    def content(self) -> dict:
        return {
            "observed_on": self.observed_on.data.isoformat(),
            "context": self.context.data.strip(),
            "observed": self.observed.data,
            "judgement": self.judgement.data,
        }

    def fill(self, title: str, content: dict) -> None:
        self.title.data = title
        self.observed_on.data = datetime.fromisoformat(content["observed_on"]).date()
        self.context.data = content["context"]
        self.observed.data = content["observed"]
        self.judgement.data = content["judgement"]


class DiscussionForm(TitleMixin, AppForm):
    held_on = DateField(
        "Date held", validators=[InputRequired("Enter the date of the discussion.")]
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            InputRequired("Enter how long the discussion lasted."),
            InRange(min=1, max=600, message="Enter a duration from 1 to 600 minutes."),
        ],
    )
    discussion = TextAreaField(
        "Questions and answers",
        validators=[
            DataRequired("Record the questions and the learner's answers."),
            MaxLength(50000),
        ],
        render_kw={"rows": 10},
    )
    summary = TextAreaField(
        "Summary",
        validators=[DataRequired("Summarise what the discussion showed."), MaxLength(20000)],
        render_kw={"rows": 4},
    )

    def content(self) -> dict:
        return {
            "held_on": self.held_on.data.isoformat(),
            "duration_minutes": self.duration_minutes.data,
            "discussion": self.discussion.data,
            "summary": self.summary.data,
        }

    def fill(self, title: str, content: dict) -> None:
        self.title.data = title
        self.held_on.data = datetime.fromisoformat(content["held_on"]).date()
        self.duration_minutes.data = content["duration_minutes"]
        self.discussion.data = content["discussion"]
        self.summary.data = content["summary"]


class WitnessForm(TitleMixin, AppForm):
    witness_name = StringField(
        "Witness's name", validators=[DataRequired("Enter the witness's name."), MaxLength(200)]
    )
    witness_role = StringField(
        "Witness's job title",
        description="A workplace supervisor or manager who saw the learner's work first-hand.",
        validators=[DataRequired("Enter the witness's job title."), MaxLength(200)],
    )
    given_on = DateField(
        "Date given", validators=[InputRequired("Enter the date of the testimony.")]
    )
    testimony = TextAreaField(
        "Testimony",
        description="What the witness saw the learner do, in their words.",
        validators=[DataRequired("Record the testimony."), MaxLength(20000)],
        render_kw={"rows": 8},
    )

    def content(self) -> dict:
        return {
            "witness_name": self.witness_name.data.strip(),
            "witness_role": self.witness_role.data.strip(),
            "given_on": self.given_on.data.isoformat(),
            "testimony": self.testimony.data,
        }

    def fill(self, title: str, content: dict) -> None:
        self.title.data = title
        self.witness_name.data = content["witness_name"]
        self.witness_role.data = content["witness_role"]
        self.given_on.data = datetime.fromisoformat(content["given_on"]).date()
        self.testimony.data = content["testimony"]


FORMS.update(
    {
        "observation": ObservationForm,
        "professional_discussion": DiscussionForm,
        "witness_testimony": WitnessForm,
    }
)


class CommentForm(AppForm):
    body = TextAreaField(
        "Your comment",
        validators=[DataRequired("Write your comment before sending it."), MaxLength(2_000)],
    )
