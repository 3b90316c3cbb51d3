"""Rate limits per token, the signed PDF of a countersigned unit, and the client that checks
every response against the document."""

import pytest
from openapi_core.validation.response.exceptions import InvalidData
from werkzeug.wrappers import Response

from portfolio.accounts.models import Role
from portfolio.db import db
from tests.api.conftest import SentRequest, make_token
from tests.stories import Cycle, complete, download


def test_past_its_limit_a_token_gets_429_with_retry_after(app, api, world):
    app.config["API_RATE_LIMIT"] = "3/minute"
    try:
        client = api.as_token(world["mine"]["secret"])
        for _ in range(3):
            assert client.get("/cohorts").status_code == 200
        refused = client.get("/cohorts")
        assert refused.status_code == 429
        assert refused.mimetype == "application/problem+json"
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["X-RateLimit-Limit"] == "3"
        # Another token, even of the same provider, has its own count.
        assert api.as_token(world["mine"]["read_secret"]).get("/cohorts").status_code == 200
    finally:
        app.config.pop("API_RATE_LIMIT")


def test_a_response_the_document_does_not_describe_fails_the_test_client(api, world):
    response = api.as_token(world["mine"]["secret"]).get("/cohorts")
    wrong = Response('{"data": "not a list", "next": null}', 200, mimetype="application/json")
    with pytest.raises(InvalidData):
        api.openapi.validate_response(SentRequest(response.request), wrong)


@pytest.fixture
def countersigned(app, client, auth, people, tmp_path):
    app.config.update(EXPORTS_PATH=str(tmp_path / "exports"),
                      EVIDENCE_FILES_PATH=str(tmp_path / "files"))  # fmt: skip
    cycle = Cycle(client, auth, people, "SFJ")
    complete(cycle)
    cycle.be(Role.IQA)
    assert cycle.post(f"/enrolments/{cycle.enrolment.id}/countersign").status_code == 302
    yield cycle
    app.config.update(EXPORTS_PATH=None, EVIDENCE_FILES_PATH=None)


def test_the_pdf_of_a_countersigned_unit_is_the_apps_own(api, people, countersigned):
    secret = make_token(people[Role.ADMIN], name="Records")
    db.session.commit()
    client = api.as_token(secret)
    (sign_off,) = client.walk(f"/sign-offs?enrolment_id={countersigned.enrolment.id}")
    assert sign_off["in_force"] and sign_off["countersigned_at"] is not None
    response = client.get(sign_off["pdf_url"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    shown = client.get(f"/sign-offs/{sign_off['id']}").get_json()
    assert shown["document"]["status"] == "ready"
    assert response.headers["ETag"].strip('"') == shown["document"]["sha256"]
    assert download(countersigned).get_data() == pdf
    progress = client.get(f"/enrolments/{countersigned.enrolment.id}/progress").get_json()
    assert progress["status"] == "countersigned"


def test_a_pdf_before_countersigning_is_a_conflict_and_another_providers_is_not_found(
    api, client, auth, people, world
):
    cycle = Cycle(client, auth, people, "SFJ")
    complete(cycle)
    mine = api.as_token(world["mine"]["secret"])
    (sign_off,) = mine.walk(f"/sign-offs?enrolment_id={cycle.enrolment.id}")
    response = mine.get(sign_off["pdf_url"])
    assert response.status_code == 409
    assert response.get_json()["type"] == "urn:portfolio:problem:not-countersigned"
    theirs = api.as_token(world["theirs"]["secret"])
    assert theirs.get(f"/sign-offs/{sign_off['id']}").status_code == 404
    assert theirs.get(sign_off["pdf_url"]).status_code == 404
    assert theirs.walk("/sign-offs") == []
