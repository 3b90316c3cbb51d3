"""The provider admin's API tokens page: make a token (its secret shown once), see each
token's last use, revoke one."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portfolio.accounts.access import get_in_provider_or_404, roles_required
from portfolio.accounts.models import Role
from portfolio.api import limits, tokens
from portfolio.api.forms import TokenForm
from portfolio.api.models import ApiToken, TokenScope
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.forms import EmptyForm, attach_error, form_status

bp = Blueprint("api_tokens", __name__)


@bp.route("/provider/api-tokens", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = TokenForm()
    secret, made = None, None
    if form.validate_on_submit():
        try:
            made, secret = tokens.create_token(
                current_user, form.name.data, TokenScope(form.scope.data)
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    # The secret is in this answer only: it is not kept, and the page is not cached.
    return render_template(
        "api/tokens.html", form=form, tokens=tokens.provider_tokens(current_user.provider_id),
        secret=secret, made=made, revoke_form=EmptyForm(), rate_limit=limits.rate_limit_in_words(),
    ), (200 if secret else form_status(form))  # fmt: skip


@bp.post("/provider/api-tokens/<int:token_id>/revoke")
@roles_required(Role.ADMIN)
def revoke(token_id: int):
    token = get_in_provider_or_404(ApiToken, token_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        tokens.revoke_token(current_user, token)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"The token “{token.name}” is revoked: it no longer works.", "success")
    return redirect(url_for("api_tokens.index"))
