"""The provider's background jobs: a list for admins, a page per job, its progress as JSON."""

from datetime import datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portfolio import listing
from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.forms import EmptyForm
from portfolio.jobs import queue
from portfolio.jobs.models import Job, JobState

bp = Blueprint("jobs", __name__)


def job_or_404(job_id: int) -> Job:
    """A job of the signed-in person's provider that they may see: any of them for an admin,
    their own for anyone else; 404 otherwise, as for another provider's."""
    record = db.session.get(Job, job_id)
    if record is None or record.provider_id != current_user.provider_id:
        abort(404)
    if current_user.role is not Role.ADMIN and record.requested_by_id != current_user.id:
        abort(404)
    return record


@bp.get("/jobs")
@roles_required(Role.ADMIN)
def index():
    state = request.args.get("state")
    if state not in {s.value for s in JobState}:
        state = None
    query = select(Job).where(Job.provider_id == current_user.provider_id)
    if state:
        query = query.where(Job.state == JobState(state))
    paging = listing.paginate(query.order_by(Job.id.desc()))
    counts = dict(
        db.session.execute(
            select(Job.state, func.count())
            .where(Job.provider_id == current_user.provider_id)
            .group_by(Job.state)
        ).all()
    )
    return render_template(
        "jobs/index.html", jobs=paging.items, paging=paging, counts=counts, state=state,
        states=list(JobState),
    )  # fmt: skip


@bp.get("/jobs/<int:job_id>")
@login_required
def show(job_id: int):
    record = job_or_404(job_id)
    expires = (record.result or {}).get("expires_at")
    return render_template(
        "jobs/show.html", job=record, form=EmptyForm(),
        expires_at=datetime.fromisoformat(expires) if expires else None,
    )  # fmt: skip


@bp.get("/jobs/<int:job_id>/status")
@login_required
def status(job_id: int):
    """The job's state and progress, for a page that shows it to follow without reloading."""
    return jsonify(state_of(job_or_404(job_id)))


def state_of(record: Job) -> dict:
    return {
        "state": record.state.value,
        "done": record.progress_done,
        "total": record.progress_total,
        "percent": record.percent,
        "finished": record.finished,
        "error": record.last_error if record.state is JobState.FAILED else None,
    }


@bp.post("/jobs/<int:job_id>/retry")
@roles_required(Role.ADMIN)
def retry(job_id: int):
    record = job_or_404(job_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if record.state is not JobState.FAILED:
        flash(f"Only a failed job can be tried again; this one is {record.state.value}.", "error")
        return redirect(url_for("jobs.show", job_id=record.id), 303)
    queue.retry(record)
    audit.record(
        "job.retried", provider_id=record.provider_id, actor=current_user, object_type="job",
        object_id=record.id, summary=f"Tried again: {record.label}",
    )  # fmt: skip
    db.session.commit()
    flash("The job is queued again.", "success")
    return redirect(url_for("jobs.show", job_id=record.id), 303)
