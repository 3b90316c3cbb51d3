"""A real OpenID Connect provider on loopback (tests/oidc/idp.mjs, on oidc-provider), and a
person signing in through it: its sign-in form takes any login and password, the login naming
the account; see idp.mjs for the claims each account has."""

import json
import shutil
import subprocess
import tempfile
import time
import typing
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from portfolio import ROOT

SCRIPT = ROOT / "tests" / "oidc" / "idp.mjs"
CLIENT_ID = "portfolio-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests"
# Accounts whose claims are not the default (the login as a verified email address).
ACCOUNTS = {
    "unverified": {"email": "unverified@northgate.example.org", "email_verified": False},
    "no-email": {"email": ""},
}


@dataclass
class IdentityProvider:
    issuer: str
    process: subprocess.Popen
    log: typing.IO
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.log.close()


def start(redirect_uris: list[str]) -> IdentityProvider:
    """Start the provider on a free port with one client for these redirect addresses, and
    wait until it serves its discovery document."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("Node.js and oidc-provider are needed: run 'npm ci' in the project folder")
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115  (closed by IdentityProvider.stop)
    command = [node, str(SCRIPT), "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
               "--accounts", json.dumps(ACCOUNTS)]  # fmt: skip
    for uri in redirect_uris:
        command += ["--redirect-uri", uri]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()  # "listening <issuer>", or nothing if it failed
    provider = IdentityProvider(issuer=line.split()[1] if line else "", process=process, log=log)
    if not line.startswith("listening "):
        log.seek(0)
        output = log.read()
        provider.stop()
        pytest.fail(f"the test identity provider did not start: {line}{output}")
    deadline = time.monotonic() + 10
    while True:
        try:
            requests.get(provider.issuer + "/.well-known/openid-configuration", timeout=2)
            return provider
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                provider.stop()
                raise
            time.sleep(0.05)


def authorise(location: str, login: str, callback_prefix: str) -> str:
    """Follow the app's redirect to the provider, sign in there as ``login`` as a browser
    would, and return the address the provider sends the browser back to."""
    browser = requests.Session()
    url = location
    for _ in range(10):
        if url.startswith(callback_prefix):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            continue
        assert response.status_code == 200, response.text
        assert 'name="login"' in response.text, response.text
        action = urlsplit(url).path  # the sign-in form posts back to its own address
        response = browser.post(
            urljoin(url, action),
            data={"prompt": "login", "login": login, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code in (302, 303), response.text
        url = urljoin(url, response.headers["Location"])
    raise AssertionError(f"the provider never sent the browser back: {url}")
