"""The notifications page, marking read, each person's email choice, and the header's count."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from portfolio.db import db
from portfolio.forms import EmptyForm, form_status
from portfolio.listing import page_number
from portfolio.notifications import inbox, settings
from portfolio.notifications.forms import EmailChoiceForm
from portfolio.notifications.models import EmailChoice

bp = Blueprint("notifications", __name__)


@bp.app_template_global()
def unread_notifications() -> int | None:
    """The signed-in person's unread notifications, for the header of every page; None when
    the database cannot answer (the page explaining a failed request has no count)."""
    try:
        return inbox.unread_count(current_user.id)
    except SQLAlchemyError:
        return None


@bp.get("/notifications")
@login_required
def index():
    paging, entries = inbox.page_of(current_user, page_number())
    return render_template(
        "notifications/index.html",
        paging=paging,
        entries=entries,
        unread=inbox.unread_count(current_user.id),
        choice=settings.choice_of(current_user),
    )


def _back_to_list():
    return redirect(
        url_for("notifications.index", page=page_number() if page_number() > 1 else None)
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    """Mark one notification read; another person's is a 404."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form has expired: reload the page and try again.")
    inbox.mark_read(current_user, notification_id)
    db.session.commit()
    return _back_to_list()


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_(notification_id: int):
    """Follow a notification's link, marking it read; another person's is a 404."""
    entry = inbox.mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(entry.url)


@bp.post("/notifications/read")
@login_required
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400, "The form has expired: reload the page and try again.")
    count = inbox.mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(f"Marked {count} notification{'s' if count != 1 else ''} read.", "success")
    return _back_to_list()


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def email_choice():
    form = EmailChoiceForm()
    if form.validate_on_submit():
        choice = EmailChoice(form.email.data)
        settings.choose(current_user, choice)
        db.session.commit()
        flash(f"Notification email: {choice.label}.", "success")
        return redirect(url_for("notifications.index"))
    if not form.is_submitted():
        form.email.data = settings.choice_of(current_user).value
    return render_template("notifications/email_choice.html", form=form), form_status(form)
