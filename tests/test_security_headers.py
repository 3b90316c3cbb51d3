"""Security headers: the content security policy, permissions, HTTPS, caching and cookies."""

import io

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.evidence.models import EvidenceItem
from tests.conftest import make_app
from tests.evidence.helpers import CALL_NOTE
from tests.factories import make_enrolment
from tests.stories import PUBLIC, production_app

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def test_every_page_has_a_strict_content_security_policy_and_no_powerful_features(
    client, auth, people
):
    for response in (client.get("/sign-in"), client.get("/verify")):
        assert response.headers["Content-Security-Policy"] == CSP
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "microphone=()" in response.headers["Permissions-Policy"]
        assert "geolocation=()" in response.headers["Permissions-Policy"]
    auth.sign_in(people[Role.ADMIN])
    for url in ("/", "/people", "/dashboard", "/criteria", "/no-such-page"):
        assert client.get(url).headers["Content-Security-Policy"] == CSP, url


def test_pages_are_not_kept_in_caches_but_the_stylesheet_is(client, auth, people):
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"
    auth.sign_in(people[Role.LEARNER])
    for url in ("/", "/criteria", "/account/password"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    with client.get("/static/app.css") as stylesheet:
        assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
        assert "Content-Security-Policy" not in stylesheet.headers


def test_an_evidence_file_is_downloaded_without_being_kept_in_caches(
    app, client, auth, people, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "EVIDENCE_FILES_PATH", str(tmp_path / "files"))
    enrolment = make_enrolment(people[Role.LEARNER], body="BIIAB")
    auth.sign_in(people[Role.LEARNER])
    client.post(f"/enrolments/{enrolment.id}/evidence/new/call_note", data=CALL_NOTE)
    item = db.session.scalar(select(EvidenceItem))
    client.post(
        f"/evidence/{item.id}/files",
        data={"file": (io.BytesIO(b"Call notes, plain text.\n"), "n.txt"), "description": "Notes"},
        content_type="multipart/form-data",
    )
    with client.get(f"/evidence/{item.id}/files/{item.files[0].id}") as download:
        assert download.status_code == 200
        assert download.headers["Cache-Control"] == "no-store"
        assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_https_requests_are_told_to_keep_to_https(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    secure = client.get("/sign-in", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_trusted_proxy_https_is_judged_by_the_forwarded_scheme(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'proxy.sqlite3'}", PROXY_COUNT=1)
    forwarded = app.test_client().get("/verify", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in forwarded.headers
    with app.app_context():
        db.engine.dispose()


def test_production_cookies_are_sent_over_https_only(tmp_path):
    app = production_app(tmp_path, PUBLIC_URL=PUBLIC)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/sign-in", base_url=PUBLIC)
    assert "Secure" in response.headers["Set-Cookie"]


def test_progress_bars_are_meters_not_inline_styles(client, auth, people):
    make_enrolment(people[Role.LEARNER], body="SFJ", assessor=people[Role.ASSESSOR])
    db.session.commit()  # progress rows are refreshed as the change commits
    auth.sign_in(people[Role.ASSESSOR])
    caseload = client.get("/caseload").get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    dashboard = client.get("/dashboard").get_data(as_text=True)
    for html in (caseload, dashboard):
        assert "style=" not in html
        assert '<meter class="' in html
