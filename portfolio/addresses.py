"""Absolute addresses of the app, for what leaves it: documents, their verification links."""

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The endpoint's address under PUBLIC_URL, never under the request's Host header, which
    the client chooses (a signed PDF must not send its readers to another site)."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
