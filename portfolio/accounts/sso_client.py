"""Each provider's OpenID Connect client, registered with Authlib's Flask client when it is
first needed, from the provider's settings in the database."""

import hashlib

from flask import current_app

from portfolio.accounts.sso_models import SsoConnection

# Seconds to wait for the identity provider's discovery document, keys and token endpoint.
TIMEOUT = 10
SCOPE = "openid email profile"


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _registry():
    from authlib.integrations.flask_client import OAuth

    # One registry per app: tests run several apps in one process.
    app = current_app._get_current_object()
    oauth = app.extensions.get("portfolio.sso")
    if oauth is None:
        oauth = app.extensions.setdefault("portfolio.sso", OAuth(app))
    return oauth


def client_for(connection: SsoConnection, secret: str):
    """The Authlib client for a connection, with PKCE, state and nonce. It keeps the
    discovery document and keys it has read; its name changes with the issuer, client id
    or secret, so changed settings make a new client (and end sign-ins already under way)."""
    oauth = _registry()
    settings = "\0".join((connection.issuer, connection.client_id, secret))
    name = f"sso{connection.provider_id}_{hashlib.sha256(settings.encode()).hexdigest()[:16]}"
    client = oauth.create_client(name)
    if client is None:
        client = oauth.register(
            name,
            client_id=connection.client_id,
            client_secret=secret,
            server_metadata_url=discovery_url(connection.issuer),
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT,
            },
        )
    return client
