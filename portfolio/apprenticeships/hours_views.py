"""The off-the-job hours pages: an enrolment's log with its figures, logging and changing an
entry, the assessor's verification queue and decisions, the provider's kinds of activity, and
the log as CSV or XLSX."""

from datetime import date, time

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from portfolio import listing
from portfolio.accounts.access import get_in_provider_or_404, roles_required
from portfolio.accounts.models import Role, User
from portfolio.apprenticeships import breaks, hours
from portfolio.apprenticeships.hours_forms import ActivityKindForm, EntryForm, RejectForm
from portfolio.apprenticeships.hours_models import (
    ACTIVITIES,
    EntryStatus,
    OtjActivityKind,
    OtjEntry,
)
from portfolio.dates import local_today
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import enrolment_or_404, visible_enrolment_ids
from portfolio.errors import Conflict, DomainError
from portfolio.evidence.models import EvidenceItem
from portfolio.forms import EmptyForm, attach_error, form_status
from portfolio.progress import exports
from portfolio.units.models import Criterion

bp = Blueprint("hours", __name__)


def entry_or_404(user: User, entry_id: int) -> OtjEntry:
    """The entry, with its versions, if ``user`` may see its enrolment; 404 otherwise."""
    entry = db.session.scalar(
        select(OtjEntry)
        .where(OtjEntry.id == entry_id, OtjEntry.enrolment_id.in_(visible_enrolment_ids(user)))
        .options(
            selectinload(OtjEntry.versions),
            joinedload(OtjEntry.enrolment).joinedload(Enrolment.learner),
            selectinload(OtjEntry.criteria),
            selectinload(OtjEntry.evidence),
        )
    )
    if entry is None:
        abort(404)
    return entry


def _today(enrolment: Enrolment) -> date:
    return local_today(enrolment.provider.time_zone)


@bp.get("/enrolments/<int:enrolment_id>/hours")
@login_required
def log(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    paging = listing.paginate(hours.entries_query(enrolment.id))
    return render_template(
        "apprenticeships/hours.html",
        enrolment=enrolment,
        paging=paging,
        reasons=hours.rejection_reasons(paging.items),
        figures=hours.figures(enrolment, _today(enrolment)),
        pause=breaks.current_break(enrolment.id, _today(enrolment)),
        forecast_rule=hours.FORECAST_RULE,
        rag_rule=hours.RAG_RULE,
        mine=current_user.id == enrolment.learner_id,
        deciding=current_user.role is Role.ASSESSOR and enrolment.assessor_id == current_user.id,
        form=EmptyForm(),
    )


def _choices(form: EntryForm, enrolment: Enrolment) -> None:
    form.activity.choices = [SelectChoice("", "Choose")] + [
        SelectChoice(value, label) for value, label in hours.activity_choices(enrolment.provider_id)
    ]
    form.criteria.choices = [
        (c.id, f"{c.number} {c.text}")
        for c in db.session.scalars(
            select(Criterion)
            .where(Criterion.criteria_set_id == enrolment.criteria_set_id)
            .order_by(Criterion.position)
        )
    ]
    form.evidence.choices = [
        (i.id, i.title)
        for i in db.session.execute(
            select(EvidenceItem.id, EvidenceItem.title)
            .where(EvidenceItem.enrolment_id == enrolment.id)
            .order_by(EvidenceItem.id)
        )
    ]


def _given(form: EntryForm) -> hours.EntryInput:
    def minute(value):
        return None if value is None else value.hour * 60 + value.minute

    return hours.EntryInput(
        on=form.on.data,
        activity=form.activity.data or "",
        learned=form.learned.data or "",
        start_minute=minute(form.start.data),
        end_minute=minute(form.end.data),
        minutes=form.minutes.data,
        criteria=tuple(form.criteria.data or ()),
        evidence=tuple(form.evidence.data or ()),
    )


def _learner_or_404(enrolment: Enrolment) -> None:
    # Only the apprentice logs hours; to anyone else who may see the log, there is no form.
    if current_user.id != enrolment.learner_id:
        abort(404)


@bp.route("/enrolments/<int:enrolment_id>/hours/new", methods=["GET", "POST"])
@roles_required(Role.LEARNER)
def new(enrolment_id: int):
    enrolment = enrolment_or_404(current_user, enrolment_id)
    _learner_or_404(enrolment)
    form = EntryForm()
    _choices(form, enrolment)
    if request.method == "GET":
        form.on.data = _today(enrolment)
    if form.validate_on_submit():
        try:
            hours.log_entry(current_user, enrolment, _given(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Your off-the-job hours are logged. Your assessor will verify them.", "success")
            return redirect(url_for("hours.log", enrolment_id=enrolment.id))
        enrolment = enrolment_or_404(current_user, enrolment_id)
    return (
        render_template("apprenticeships/hours_form.html", form=form, enrolment=enrolment,
                        entry=None, pause=breaks.current_break(enrolment.id, _today(enrolment))),
        form_status(form),
    )  # fmt: skip


@bp.route("/hours/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(Role.LEARNER)
def edit(entry_id: int):
    entry = entry_or_404(current_user, entry_id)
    enrolment = entry.enrolment
    _learner_or_404(enrolment)
    form = EntryForm()
    _choices(form, enrolment)
    if request.method == "GET":
        form.on.data = entry.on_date
        form.start.data = _time(entry.start_minute)
        form.end.data = _time(entry.end_minute)
        form.minutes.data = None if entry.start_minute is not None else entry.minutes
        form.activity.data = entry.activity or f"kind-{entry.activity_kind_id}"
        form.learned.data = entry.learned
        form.criteria.data = [c.id for c in entry.criteria]
        form.evidence.data = [i.id for i in entry.evidence]
    status = None
    if form.validate_on_submit():
        try:
            hours.edit_entry(current_user, entry, _given(form), lock_version=_lock_version())
            db.session.commit()
        except (DomainError, StaleDataError) as error:
            db.session.rollback()
            if isinstance(error, StaleDataError):
                error = Conflict("This entry was changed somewhere else at the same moment. "
                                 "Reload the page and make your change again.")  # fmt: skip
            attach_error(form, error)
            status = error.status
        else:
            flash("Your changes are saved and await verification.", "success")
            return redirect(url_for("hours.log", enrolment_id=enrolment.id))
        entry = entry_or_404(current_user, entry_id)
    return (
        render_template("apprenticeships/hours_form.html", form=form, enrolment=entry.enrolment,
                        entry=entry, pause=breaks.current_break(enrolment.id, _today(enrolment))),
        status or form_status(form),
    )  # fmt: skip


def _lock_version() -> int:
    """The version of the entry the form was opened on, which every form about an entry
    carries: without it, a change made meanwhile could not be told apart."""
    version = request.form.get("lock_version", type=int)
    if version is None:
        abort(400, "The form was incomplete: reload the page and try again.")
    return version


def _time(minute: int | None) -> time | None:
    return None if minute is None else time(minute // 60, minute % 60)


@bp.get("/hours/<int:entry_id>")
@login_required
def entry(entry_id: int):
    return _entry_page(entry_or_404(current_user, entry_id))


def _entry_page(entry: OtjEntry, status: int = 200):
    """The entry with its versions and decisions, and for its assessor the buttons to decide."""
    names = dict(
        db.session.execute(
            select(User.id, User.name).where(
                User.id.in_({v.decided_by_id for v in entry.versions if v.decided_by_id}
                            | {v.created_by_id for v in entry.versions})
            )
        ).all()
    )  # fmt: skip
    return render_template(
        "apprenticeships/hours_entry.html", entry=entry, enrolment=entry.enrolment, names=names,
        deciding=current_user.role is Role.ASSESSOR
        and entry.enrolment.assessor_id == current_user.id,
        mine=current_user.id == entry.learner_id, form=EmptyForm(),
    ), status  # fmt: skip


def _button(entry_id: int, step, same_moment: str):
    """A button of the entry's page: ``step(entry, version)`` with the version the page
    showed, committed. Returns None when done, else the entry's page as it now stands with
    what stopped it, at the refusal's status."""
    entry = entry_or_404(current_user, entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form was incomplete: reload the page and try again.")
    try:
        step(entry, _lock_version())
        db.session.commit()
    except (DomainError, StaleDataError) as error:
        db.session.rollback()
        if isinstance(error, StaleDataError):
            error = Conflict(same_moment)
        flash(error.message, "error")
        return _entry_page(entry_or_404(current_user, entry_id), error.status)
    return None


@bp.post("/hours/<int:entry_id>/remove")
@roles_required(Role.LEARNER)
def remove(entry_id: int):
    removed = {}

    def step(entry, version):
        removed.update(enrolment_id=entry.enrolment_id, described=hours.described(entry))
        hours.remove_entry(current_user, entry, version)

    refused = _button(entry_id, step, "This entry changed at the same moment: look at it again.")
    if refused:
        return refused
    flash(f"Removed your {removed['described']}.", "success")
    return redirect(url_for("hours.log", enrolment_id=removed["enrolment_id"]))


@bp.post("/hours/<int:entry_id>/verify")
@roles_required(Role.ASSESSOR)
def verify(entry_id: int):
    verified = {}

    def step(entry, version):
        hours.verify_entry(current_user, entry, version)
        verified.update(entry=entry, told=f"{entry.learner.name}'s {hours.described(entry)}")

    refused = _button(entry_id, step, "The apprentice changed this entry at the same moment: "
                                      "look at it again.")  # fmt: skip
    if refused:
        return refused
    flash(f"Verified {verified['told']}.", "success")
    return _back(verified["entry"])


def _back(entry: OtjEntry):
    """Where a decision leads: back to the page of the queue it was made from, else the log."""
    if request.values.get("next") == "queue":
        return redirect(url_for("hours.queue", page=listing.whole_number(request.values.get("page"))))
    return redirect(url_for("hours.log", enrolment_id=entry.enrolment_id))


@bp.route("/hours/<int:entry_id>/reject", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR)
def reject(entry_id: int):
    entry = entry_or_404(current_user, entry_id)
    form = RejectForm()
    status = None
    if form.validate_on_submit():
        try:
            hours.reject_entry(current_user, entry, form.reason.data, _lock_version())
            db.session.commit()
        except (DomainError, StaleDataError) as error:
            db.session.rollback()
            if isinstance(error, StaleDataError):
                error = Conflict("The apprentice changed this entry at the same moment: "
                                 "look at it again.")  # fmt: skip
            attach_error(form, error)
            status = error.status
        else:
            flash(f"Rejected {entry.learner.name}'s {hours.described(entry)}: they are told "
                  "your reason.", "success")  # fmt: skip
            return _back(entry)
        entry = entry_or_404(current_user, entry_id)
    return (
        render_template("apprenticeships/hours_reject.html", form=form, entry=entry,
                        enrolment=entry.enrolment, from_queue=request.values.get("next") == "queue",
                        page=listing.whole_number(request.values.get("page"))),
        status or form_status(form),
    )  # fmt: skip


@bp.get("/hours/queue")
@roles_required(Role.ASSESSOR)
def queue():
    """Entries awaiting the assessor's verification, oldest first, across their apprentices,
    fifty a page."""
    paging = listing.paginate(
        select(OtjEntry)
        .join(Enrolment, OtjEntry.enrolment_id == Enrolment.id)
        .where(
            Enrolment.assessor_id == current_user.id,
            Enrolment.provider_id == current_user.provider_id,
            OtjEntry.status == EntryStatus.AWAITING,
        )
        .options(
            joinedload(OtjEntry.learner),
            joinedload(OtjEntry.activity_kind),
            joinedload(OtjEntry.enrolment).joinedload(Enrolment.unit),
        )
        .order_by(OtjEntry.updated_at, OtjEntry.id)
    )
    return render_template("apprenticeships/hours_queue.html", entries=paging.items,
                           paging=paging, form=EmptyForm())  # fmt: skip


@bp.route("/hours/activities", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def activities():
    form = ActivityKindForm()
    if form.validate_on_submit():
        try:
            kind = hours.add_activity_kind(current_user, form.name.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"“{kind.name}” is on the list of activities.", "success")
            return redirect(url_for("hours.activities"))
    own = db.session.execute(
        select(OtjActivityKind.id, OtjActivityKind.name,
               func.count(OtjEntry.id).label("entries"))  # fmt: skip
        .outerjoin(OtjEntry, OtjEntry.activity_kind_id == OtjActivityKind.id)
        .where(OtjActivityKind.provider_id == current_user.provider_id)
        .group_by(OtjActivityKind.id, OtjActivityKind.name)
        .order_by(OtjActivityKind.name)
    ).all()  # fmt: skip
    return (
        render_template("apprenticeships/hours_activities.html", form=form, fixed=ACTIVITIES,
                        own=own, remove_form=EmptyForm()),
        form_status(form),
    )  # fmt: skip


@bp.post("/hours/activities/<int:kind_id>/remove")
@roles_required(Role.ADMIN)
def remove_activity(kind_id: int):
    kind = get_in_provider_or_404(OtjActivityKind, kind_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form has expired: reload the page and try again.")
    name = kind.name
    try:
        hours.remove_activity_kind(current_user, kind)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"Removed “{name}” from the list of activities.", "success")
    return redirect(url_for("hours.activities"))


EXPORT_HEADER = ["Date", "Start", "End", "Minutes", "Hours", "Activity", "What was learned",
                 "Criteria", "Evidence", "Status", "Version", "Reason for rejecting"]  # fmt: skip


@bp.get("/enrolments/<int:enrolment_id>/hours/export.<fmt>")
@login_required
def export(enrolment_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    enrolment = enrolment_or_404(current_user, enrolment_id)
    rows = [
        [e.on_date.isoformat(), _clock(e.start_minute), _clock(e.end_minute), e.minutes,
         round(e.minutes / 60, 2), e.activity_label, e.learned,
         "; ".join(c.number for c in e.criteria), "; ".join(i.title for i in e.evidence),
         e.status.label, e.version, e.current.reason or ""]
        for e in hours.entries(enrolment.id)
    ]  # fmt: skip
    name = f"off-the-job-hours-{enrolment.id}-{_today(enrolment).isoformat()}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(EXPORT_HEADER, rows), "text/csv"  # Werkzeug adds the charset
    else:
        body = exports.to_xlsx("Off-the-job hours", EXPORT_HEADER, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})  # fmt: skip


def _clock(minute: int | None) -> str:
    return "" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"
