"""Configuration: defaults here, overlaid from the environment inside the app factory.

Every setting can be given as an environment variable. ``SECRET_KEY``, ``DATABASE_URL`` and
``REDIS_URL`` are read by those names; everything else by its name with a ``PORTFOLIO_`` prefix
(``PORTFOLIO_SIGNIN_MAX_FAILURES=10``), values parsed as JSON where they can be.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import click


class Defaults:
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None  # None: Secure in production (see PRODUCTION)
    SESSION_COOKIE_NAME = "portfolio_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = None  # None: Secure in production
    # Production (PORTFOLIO_PRODUCTION): PUBLIC_URL required, cookies Secure. None: production
    # unless Flask's debug mode or TESTING is on; false for a local server over plain HTTP.
    PRODUCTION = None
    # The address people reach the app at, e.g. https://portfolio.example.org: written into
    # documents (the PDF's "verify at") and the host the app answers to. Required in production.
    PUBLIC_URL = None
    # Flask's own setting: other host names answered besides PUBLIC_URL's (a list, or a string
    # separated by commas); requests for any other host get 400.
    TRUSTED_HOSTS = None
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port/-Prefix are
    # believed (werkzeug's ProxyFix); 0 believes none, as a client can send them.
    PROXY_COUNT = 0
    # Engine options; by default PostgreSQL connections are tested as they leave the pool
    # (so a restarted server costs no failed request), SQLite's need no test.
    SQLALCHEMY_ENGINE_OPTIONS = None
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Sign-in throttling: this many failures for one email address within the window refuse
    # further attempts until it passes; past ten times as many from one network address, an
    # account that has failed in the window is refused from that address (portfolio.accounts.auth).
    SIGNIN_MAX_FAILURES = 5
    SIGNIN_WINDOW_MINUTES = 15
    # An evidence file may be this large; a request may carry that and its form's other
    # fields (a megabyte more); a larger one is refused with 413 before its body is read.
    EVIDENCE_FILE_LIMIT = 50 * 1024 * 1024
    MAX_CONTENT_LENGTH = EVIDENCE_FILE_LIMIT + 1024 * 1024
    # Evidence files live here, outside any served folder (default: instance/files).
    EVIDENCE_FILES_PATH = None
    # The provider's PKCS#12 certificate for signing portfolio PDFs; a self-signed one is
    # made in the instance folder when none is given.
    SIGNING_PKCS12_PATH = None
    SIGNING_PKCS12_PASSWORD = None
    # Portfolio PDFs are stored here (default: instance/exports).
    EXPORTS_PATH = None
    # Outgoing email (portfolio.mail, docs/email.md). Without MAIL_HOST, messages are written
    # as .eml files to MAIL_OUTBOX_PATH (default: instance/outbox) and the log says where.
    MAIL_HOST = None
    MAIL_PORT = None  # None: 465 for tls, 587 for starttls, 25 for none
    MAIL_SECURITY = "starttls"  # none, starttls (STARTTLS after connecting) or tls (from the start)
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = None  # e.g. "Northgate Portfolio <portfolio@northgate.example.org>"
    MAIL_OUTBOX_PATH = None
    MAIL_TIMEOUT = 30  # seconds to wait for the mail server
    # A PEM file of authorities to trust for the mail server's certificate, besides the
    # system's (a relay with a private authority); its host name is checked all the same.
    MAIL_CA_FILE = None
    # Argon2id cost (argon2-cffi's defaults follow RFC 9106's second recommendation).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # Background jobs (portfolio.jobs): the queue is Redis at REDIS_URL when set, else SQLite
    # at JOBS_QUEUE_PATH (default: instance/jobs.sqlite3). JOBS_IMMEDIATE runs each job at once
    # in the process that starts it, when its transaction commits (the tests). A running job's
    # row is stamped this often; one unstamped for three times as long is run again.
    REDIS_URL = os.environ.get("REDIS_URL")
    JOBS_QUEUE_PATH = None
    JOBS_IMMEDIATE = False
    JOBS_HEARTBEAT_SECONDS = 10
    # Webhooks (docs/webhooks.md): events go only to https:// addresses on public hosts, or to
    # any address on these hosts (a list, or a string separated by commas); a failed delivery
    # is tried again after this many seconds, twice as long each time after.
    WEBHOOK_ALLOWED_HOSTS = ()
    WEBHOOK_RETRY_DELAY = 60


class SettingError(click.ClickException, RuntimeError):
    """A setting the app cannot run with; a ClickException, so that a ``flask`` command says
    it in one line rather than a traceback."""


# The settings read as yes or no, and the whole numbers with their least value.
SWITCHES = ("PRODUCTION", "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "JOBS_IMMEDIATE")
COUNTS = {
    "PROXY_COUNT": 0, "SIGNIN_MAX_FAILURES": 1, "SIGNIN_WINDOW_MINUTES": 1,
    "EVIDENCE_FILE_LIMIT": 1, "MAX_CONTENT_LENGTH": 1, "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1,
}  # fmt: skip
SECONDS = ("MAIL_TIMEOUT", "JOBS_HEARTBEAT_SECONDS", "WEBHOOK_RETRY_DELAY")
MAIL_SECURITY = ("none", "starttls", "tls")


def check_settings(cfg: dict) -> None:
    """Refuse a setting of the wrong kind, naming its variable, the value and what it takes:
    "no" read as text would be true, and a negative size would refuse every form."""

    def refuse(name: str, takes: str):
        raise SettingError(f"PORTFOLIO_{name} is {cfg[name]!r}: {takes}.")

    for name in SWITCHES:
        if cfg.get(name) is not None and not isinstance(cfg[name], bool):
            refuse(name, "give true or false")
    for name, least in COUNTS.items():
        value = cfg.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            refuse(name, f"give a whole number of at least {least}")
    for name in SECONDS:
        value = cfg.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            refuse(name, "give a number of seconds greater than 0")
    port = cfg.get("MAIL_PORT")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int)
                             or not 1 <= port <= 65535):  # fmt: skip
        refuse("MAIL_PORT", "give a port number from 1 to 65535, or leave it out")
    if str(cfg.get("MAIL_SECURITY") or "none").lower() not in MAIL_SECURITY:
        refuse("MAIL_SECURITY", f"give one of {', '.join(MAIL_SECURITY)}")


# Outside production: the public address when none is set (`make run`'s), and the loopback
# names, which are answered as well as PUBLIC_URL's host.
DEVELOPMENT_PUBLIC_URL = "http://127.0.0.1:5000"
DEVELOPMENT_HOSTS = ["127.0.0.1", "localhost"]


def settle_deployment(cfg: dict, debug: bool) -> None:
    """Decide production mode, the public address, the hosts answered and the cookies' Secure
    flag; raise RuntimeError saying what to set when production has no public address."""
    if cfg["PRODUCTION"] is None:
        cfg["PRODUCTION"] = not (debug or cfg.get("TESTING"))
    url = cfg["PUBLIC_URL"]
    if url:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingError(
                "PORTFOLIO_PUBLIC_URL must be the whole address people reach the app at, such "
                f"as https://portfolio.example.org, not {url!r}."
            )
        hosts = [parts.hostname]
    elif cfg["PRODUCTION"]:
        raise SettingError(
            "PORTFOLIO_PUBLIC_URL is not set. In production set it to the address people reach "
            "the app at (such as https://portfolio.example.org): documents name it, and the "
            "app answers only to its host. For a local server set PORTFOLIO_PRODUCTION=false "
            "(make run does)."
        )
    else:
        url, hosts = DEVELOPMENT_PUBLIC_URL, []
    cfg["PUBLIC_URL"] = str(url).rstrip("/")
    extra = cfg["TRUSTED_HOSTS"] or []
    if isinstance(extra, str):
        extra = extra.replace(",", " ").split()
    if not cfg["PRODUCTION"]:
        extra = [*DEVELOPMENT_HOSTS, *extra]
    cfg["TRUSTED_HOSTS"] = list(dict.fromkeys([*hosts, *extra]))
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if cfg[name] is None:
            cfg[name] = cfg["PRODUCTION"]


def database_url(instance_path: str) -> str:
    """The SQLAlchemy URL from ``DATABASE_URL``, or SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "portfolio.sqlite3")
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way; refuse a URL of any database
    but SQLite and PostgreSQL, the two the app runs on."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        backend = None
    if backend not in ("sqlite", "postgresql"):
        shown = url.split("@")[-1] if "@" in url else url  # never the password
        raise SettingError(f"DATABASE_URL is {shown!r}: give a PostgreSQL URL "
                           "(postgresql://user:password@host/name) or a SQLite one "
                           "(sqlite:////path/to/portfolio.sqlite3).")  # fmt: skip
    return url


def engine_options(url: str) -> dict:
    if url.startswith("postgresql"):
        # A pooled connection the server has dropped (a restart, an idle timeout) is
        # replaced before a request uses it.
        return {"pool_pre_ping": True}
    return {}


def secret_key(instance_path: str) -> str:
    """``SECRET_KEY`` from the environment, or one made once and kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    # Create readable by the owner only; a second process racing here keeps the first key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
