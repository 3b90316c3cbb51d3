"""Rate limits per token (Flask-Limiter): each token may make API_RATE_LIMIT requests
(600 a minute unless configured); past it, 429 with Retry-After.

Counts are kept in Redis at REDIS_URL when it is set, so that every worker and machine shares
them, and in memory otherwise (RATELIMIT_STORAGE_URI overrides both).
"""

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

from portfolio.api.tokens import token_hash

DEFAULT_RATE_LIMIT = "600/minute"


def token_key() -> str:
    """The token the request presents (its hash: the secret is not kept even here), or the
    client's address for a request without one."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "api-token:" + token_hash(secret.strip())
    return "api-address:" + (get_remote_address() or "")


def rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT") or DEFAULT_RATE_LIMIT


def rate_limit_in_words() -> str:
    """The rate limit as a person reads it: "600 requests a minute"."""
    item = parse(rate_limit())
    unit = item.GRANULARITY.name
    every = f"a {unit}" if item.multiples == 1 else f"every {item.multiples} {unit}s"
    return f"{item.amount} request{'s' if item.amount != 1 else ''} {every}"


limiter = Limiter(key_func=token_key, headers_enabled=True, strategy="fixed-window")


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
