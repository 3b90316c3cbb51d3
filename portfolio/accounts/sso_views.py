"""Single sign-on pages: finding a person's identity provider, the round trip through it,
and the provider admin's settings (docs/sso.md)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import exists, select

from portfolio.accounts import sso, two_factor
from portfolio.accounts.access import roles_required
from portfolio.accounts.models import Role, User
from portfolio.accounts.sso_client import client_for, discovery_url
from portfolio.accounts.sso_forms import SsoEmailForm, SsoSettingsForm
from portfolio.accounts.sso_models import SsoConnection
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.forms import attach_error, form_status

bp = Blueprint("sso", __name__)

# The provider whose sign-in this browser started: the callback's address names none, so
# that one redirect address serves every provider (docs/sso.md).
PENDING = "sso_pending"


@bp.app_context_processor
def sign_in_helpers():
    def sso_offered() -> bool:
        return bool(db.session.scalar(select(exists().where(SsoConnection.enabled))))

    return {"sso_offered": sso_offered}


def _enabled_connection_or_404(provider_id: int) -> SsoConnection:
    connection = sso.connection_of(provider_id)
    if connection is None or not connection.enabled:
        abort(404)
    return connection


def _refused(message: str, status: int, connection: SsoConnection | None = None):
    return render_template(
        "accounts/sso_refused.html", message=message, connection=connection
    ), status


def _unreachable(connection: SsoConnection, what: str):
    current_app.logger.warning(
        "single sign-on of provider %s: %s (%s)", connection.provider_id, what,
        discovery_url(connection.issuer),
    )  # fmt: skip
    return _refused(
        f"{connection.display_name}'s sign-in service could not be reached or answered "
        "wrongly. Try again in a few minutes; if it keeps happening, tell your training "
        "provider's administrator.",
        502,
        connection,
    )


def _client(connection: SsoConnection):
    """The connection's client, or None when its secret cannot be read (SECRET_KEY changed)."""
    secret = sso.decrypt_secret(connection.client_secret_encrypted)
    return client_for(connection, secret) if secret is not None else None


@bp.route("/sso", methods=["GET", "POST"])
def choose():
    """Sign in with an organisation's account: the email address says which provider's."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SsoEmailForm()
    connections = None
    if form.validate_on_submit():
        # Shown as links rather than followed at once: the content security policy's
        # form-action 'self' also covers where a form's answer redirects, and the identity
        # provider is another site.
        connections = sso.connections_for_email(form.email.data)
        if not connections:
            domain = form.email.data.strip().rpartition("@")[2] or form.email.data.strip()
            form.email.errors = [
                f"Single sign-on is not set up for addresses at {domain}. Sign in with your "
                "password, or ask your training provider's administrator."
            ]
    status = 400 if form.errors else 200
    return render_template("accounts/sso_choose.html", form=form, connections=connections), status


@bp.get("/sso/<int:provider_id>")
def start(provider_id: int):
    """Send the browser to the provider's identity provider: the address a provider's
    intranet links to."""
    import requests

    connection = _enabled_connection_or_404(provider_id)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    problem = sso.issuer_problem(connection.issuer, current_app.config["PRODUCTION"])
    client = _client(connection)
    if problem or client is None:
        return _unreachable(connection, problem or "the client secret cannot be decrypted")
    try:
        issuer = client.load_server_metadata().get("issuer")
    except (requests.RequestException, ValueError) as error:
        return _unreachable(connection, f"discovery failed: {error}")
    if issuer != connection.issuer:
        return _unreachable(connection, f"the discovery document names issuer {issuer!r}")
    extra = {}
    hint = request.args.get("login_hint", "")
    if "@" in hint and len(hint) <= 254:
        extra["login_hint"] = hint
    session[PENDING] = connection.provider_id
    try:
        return client.authorize_redirect(url_for("sso.callback", _external=True), **extra)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        return _unreachable(connection, f"no authorization endpoint: {error}")


@bp.get("/sso/callback")
def callback():
    """The identity provider's answer: checked (state, then the ID token's signature, issuer,
    audience, expiry and nonce), then the account found, and signed in."""
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    pending = session.pop(PENDING, None)
    connection = sso.connection_of(pending) if isinstance(pending, int) else None
    if connection is None or not connection.enabled:
        return _refused(
            "No sign-in through an organisation's account is under way in this browser: this "
            "answer was used already, has expired, or was started elsewhere. Start again.",
            400,
        )
    address = request.remote_addr
    client = _client(connection)
    if client is None:
        return _unreachable(connection, "the client secret cannot be decrypted")

    def refuse(message, reason, status=400, email=None, user_id=None):
        db.session.rollback()
        user = db.session.get(User, user_id) if user_id else None
        sso.record_refusal(connection, reason, address, email=email, user=user)
        db.session.commit()
        return _refused(message, status, connection)

    start_again = f"Start again from the sign-in page to sign in with {connection.display_name}."
    # RFC 9207: an identity provider that names itself in its answer must be this one.
    if request.args.get("iss", connection.issuer) != connection.issuer:
        return refuse(f"This answer came from another sign-in service. {start_again}",
                      "answer from another issuer")  # fmt: skip
    try:
        token = client.authorize_access_token(
            claims_options={"iss": {"essential": True, "values": [connection.issuer]}}
        )
    except MismatchingStateError:
        return refuse(
            f"This sign-in answer does not match the one this browser asked for: it was used "
            f"already or changed on the way. {start_again}",
            "state does not match",
        )
    except OAuthError as error:
        if error.error == "access_denied":
            return refuse(f"Sign-in was cancelled at {connection.display_name}.",
                          "cancelled at the identity provider", status=403)  # fmt: skip
        return refuse(
            f"{connection.display_name} refused this sign-in answer ({error.error}): it was "
            f"used already or changed on the way. {start_again}",
            f"identity provider refused: {error.error}",
        )
    except (JoseError, AuthlibBaseError, ValueError, KeyError) as error:
        return refuse(
            f"The answer from {connection.display_name} failed its checks (its signature, who "
            f"issued it, who it is for, when it expires, or its nonce). {start_again}",
            f"ID token refused: {type(error).__name__}",
        )
    except requests.RequestException as error:
        return _unreachable(connection, f"token request failed: {error}")
    claims = token.get("userinfo")
    if not claims:
        return refuse(f"{connection.display_name} sent no ID token. {start_again}", "no ID token")
    identity = sso.Identity.from_claims(claims)
    try:
        user = sso.sign_in(connection, identity, address)
    except sso.SsoRefused as refusal:
        return refuse(refusal.message, refusal.reason, status=403, email=identity.email,
                      user_id=refusal.user.id if refusal.user else None)  # fmt: skip
    db.session.commit()
    # The identity provider's sign-in is the first factor; two_factor asks for this app's
    # second when the provider requires it of people who sign in this way.
    return two_factor.after_first_factor(user, via_sso=True)


@bp.route("/provider/single-sign-on", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    connection = sso.connection_of(current_user.provider_id)
    form = SsoSettingsForm(obj=connection if request.method == "GET" else None)
    if request.method == "GET" and connection is not None:
        form.domains.data = "\n".join(connection.domain_names)
        form.new_account_role.data = (
            connection.new_account_role.value if connection.new_account_role else ""
        )
    if form.validate_on_submit():
        try:
            connection = sso.save_settings(
                current_user,
                enabled=form.enabled.data,
                display_name=form.display_name.data,
                issuer=form.issuer.data,
                client_id=form.client_id.data,
                client_secret=form.client_secret.data or None,
                domains=form.domains.data or "",
                new_account_role=Role(form.new_account_role.data)
                if form.new_account_role.data
                else None,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            state = "on" if connection.enabled else "off"
            flash(f"Saved. Single sign-on with {connection.display_name} is {state}.", "success")
            return redirect(url_for("sso.settings"))
    return render_template(
        "accounts/sso_settings.html", form=form, connection=connection
    ), form_status(form)
