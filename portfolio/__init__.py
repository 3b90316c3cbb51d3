"""portfolio: an e-portfolio and evidence tracker for UK vocational qualifications."""

import functools
import os
from pathlib import Path

import click
from flask import Flask, request
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portfolio import config
from portfolio.db import INTEGER_MAX, db
from portfolio.extensions import csrf, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Make the application: configuration, extensions, blueprints, error pages, commands."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTFOLIO_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, test_config)
    register_proxy_fix(app)
    register_extensions(app)
    app.url_map.converters["int"] = DatabaseInteger
    register_blueprints(app)
    register_errorhandlers(app)
    register_host_check(app)
    register_security_headers(app)
    register_read_transactions(app)
    register_request_checks(app)
    register_template_helpers(app)
    register_commands(app)
    return app


class DatabaseInteger(IntegerConverter):
    """``<int:...>`` in the app's addresses: an id the database's integer columns can hold.
    A larger one is not found (404), as an id that is not there, rather than an error of
    PostgreSQL's."""

    def __init__(self, map, fixed_digits=0, min=None, max=INTEGER_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def configure(app: Flask, test_config: dict | None) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(config.Defaults)
    app.config.from_prefixed_env("PORTFOLIO")
    if test_config is not None:
        app.config.update(test_config)
    config.check_settings(app.config)
    if "SQLALCHEMY_DATABASE_URI" not in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = config.database_url(app.instance_path)
    else:
        url = config.normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if app.config["SQLALCHEMY_ENGINE_OPTIONS"] is None:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(
            app.config["SQLALCHEMY_DATABASE_URI"]
        )
    config.settle_deployment(app.config, app.debug)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)


def register_proxy_fix(app: Flask) -> None:
    """Behind PROXY_COUNT reverse proxies, the client's address, scheme and host are the ones
    the proxies forward: what sign-in throttling counts and HTTPS is judged by."""
    count = int(app.config["PROXY_COUNT"] or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count
        )


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    from portfolio.accounts import auth  # noqa: F401  (registers the user loader)
    from portfolio.jobs import queue

    queue.configure(app)


def register_blueprints(app: Flask) -> None:
    from portfolio.accounts.invitation_views import bp as invitations_bp
    from portfolio.accounts.password_reset_views import bp as password_reset_bp
    from portfolio.accounts.sso_views import bp as sso_bp
    from portfolio.accounts.two_factor_views import bp as two_factor_bp
    from portfolio.accounts.views import bp as accounts_bp
    from portfolio.api.admin_views import bp as api_tokens_bp
    from portfolio.api.views import bp as api_bp
    from portfolio.apprenticeships.hours_views import bp as hours_bp
    from portfolio.apprenticeships.reviews_views import bp as reviews_bp
    from portfolio.apprenticeships.views import bp as apprenticeships_bp
    from portfolio.assessment.trail_views import bp as audit_bp
    from portfolio.assessment.views import bp as assessment_bp
    from portfolio.enrolments.onboarding_views import bp as onboarding_bp
    from portfolio.enrolments.views import bp as enrolments_bp
    from portfolio.evidence.suggestion_views import bp as suggestions_bp
    from portfolio.evidence.views import bp as evidence_bp
    from portfolio.exports.views import bp as exports_bp
    from portfolio.home.views import bp as home_bp
    from portfolio.jobs.views import bp as jobs_bp
    from portfolio.notifications.views import bp as notifications_bp
    from portfolio.progress.crosswalk_views import bp as crosswalk_bp
    from portfolio.progress.views import bp as progress_bp
    from portfolio.units.views import bp as units_bp
    from portfolio.webhooks.views import bp as webhooks_bp

    for bp in (
        accounts_bp,
        invitations_bp,
        password_reset_bp,
        sso_bp,
        two_factor_bp,
        units_bp,
        enrolments_bp,
        onboarding_bp,
        apprenticeships_bp,
        evidence_bp,
        suggestions_bp,
        assessment_bp,
        audit_bp,
        progress_bp,
        crosswalk_bp,
        exports_bp,
        home_bp,
        jobs_bp,
        notifications_bp,
        api_bp,
        api_tokens_bp,
        reviews_bp,
        webhooks_bp,
        hours_bp,
    ):
        app.register_blueprint(bp)


def register_host_check(app: Flask) -> None:
    """Requests for a host other than the app's (TRUSTED_HOSTS) get a plain 400: werkzeug
    refuses them before routing, so no page of the app, which builds its links, can answer."""

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        message = "This site does not answer at that address.\n"
        return app.response_class(message, status=400, mimetype="text/plain")


# Pages load only the app's own stylesheet and scripts: no inline script or style attribute,
# no plugins, no framing, forms post only here (docs/security.md, "Deployment settings").
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000"  # a year


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        # Every answer but the static files may hold personal data (a page, a download, the
        # verification of a learner's PDF): a shared computer's cache keeps none of it.
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def register_read_transactions(app: Flask) -> None:
    """A page that only read ends its transaction with COMMIT, not the ROLLBACK with which the
    session is removed. The two are the same for a transaction that changed nothing, but
    psycopg forgets the statements it prepared on a connection at every ROLLBACK, and
    PostgreSQL would plan each of the page's statements again on the next request
    (docs/performance.md). A page that writes commits itself, as ever; one that failed, or
    has changes left unflushed, is rolled back as before."""

    @app.after_request
    def end_read_with_commit(response):
        session = db.session()
        if (
            request.method in SAFE_METHODS
            and response.status_code < 400
            and session.in_transaction()
            and not (session.new or session.dirty or session.deleted)
        ):
            session.commit()
        return response


def register_request_checks(app: Flask) -> None:
    from portfolio.forms import refuse_nul_characters

    app.before_request(refuse_nul_characters)


def register_errorhandlers(app: Flask) -> None:
    from portfolio.accounts.access import record_refusal
    from portfolio.errors import register

    register(app, on_refusal=record_refusal)


def register_template_helpers(app: Flask) -> None:
    from portfolio.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from portfolio.accounts.cli import users_cli
    from portfolio.assessment.cli import assessment_cli
    from portfolio.audit.cli import audit_cli
    from portfolio.backup.cli import backup_command, restore_command
    from portfolio.demo.cli import demo_command
    from portfolio.evidence.cli import evidence_cli, pii_cli
    from portfolio.exports.cli import exports_cli
    from portfolio.jobs.cli import jobs_cli
    from portfolio.notifications.cli import notifications_cli
    from portfolio.progress.cli import progress_cli
    from portfolio.units.cli import criteria_cli

    for command in (
        users_cli,
        criteria_cli,
        pii_cli,
        evidence_cli,
        exports_cli,
        jobs_cli,
        notifications_cli,
        audit_cli,
        progress_cli,
        assessment_cli,
        demo_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(said_plainly(command))


def said_plainly(command: click.Command) -> click.Command:
    """The command, and every one of a group, with the database out of reach (a server
    down, SQLite's write lock held past its wait) told in one line and a non-zero exit, as a
    page tells it with 503, rather than a traceback (docs/security.md, "Faults")."""
    from sqlalchemy.exc import OperationalError

    from portfolio.errors import database_unavailable

    if isinstance(command, click.Group):
        for sub in command.commands.values():
            said_plainly(sub)
        return command
    callback = command.callback

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except OperationalError as error:
            if not database_unavailable(error):
                raise
            reason = str(error.orig).strip().splitlines()[0] if error.orig else "no answer"
            raise click.ClickException(
                f"The database could not be reached or was too busy to answer ({reason}), so "
                "the command stopped; what it had not saved is not saved. Try again once the "
                "database answers."
            ) from None

    command.callback = run
    return command
