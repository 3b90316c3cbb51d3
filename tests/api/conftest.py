"""The API's tests: every response goes through one client, which checks it against the
OpenAPI document the app serves, so that no test can leave the description behind."""

import functools
import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from portfolio.accounts.models import Role
from portfolio.api import tokens
from portfolio.api.limits import limiter
from portfolio.api.models import TokenScope
from tests import factories

PREFIX = "/api/v1"


class SentRequest(WerkzeugOpenAPIRequest):
    """The request a response answers, for validating the response: its body was read by
    the app, and a response's validation does not need it."""

    @property
    def body(self) -> bytes:
        return b""


class ApiClient:
    """Requests to /api/v1 with a bearer token; each response is validated against the
    served OpenAPI document (its status, headers and body) before the test sees it."""

    def __init__(self, client, openapi: OpenAPI, secret: str | None = None):
        self.client, self.openapi, self.secret = client, openapi, secret

    def as_token(self, secret: str | None) -> "ApiClient":
        return ApiClient(self.client, self.openapi, secret)

    def request(self, method: str, path: str, *, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.secret is not None:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        url = path if path.startswith(PREFIX) else PREFIX + path
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        # Read whole and closed, so a file's response (a PDF) leaves no file open.
        response.get_data()
        response.close()
        self.openapi.validate_response(
            SentRequest(response.request), WerkzeugOpenAPIResponse(response)
        )
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def walk(self, path: str) -> list[dict]:
        """Every row of a list, following ``next`` to the last page."""
        rows, url = [], path
        while url:
            response = self.get(url)
            assert response.status_code == 200, response.get_json()
            rows += response.get_json()["data"]
            url = response.get_json()["next"]
        return rows


@pytest.fixture
def served_document(client):
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@functools.cache
def checked_document(text: str) -> OpenAPI:
    """The OpenAPI document of this JSON text, itself checked against the OpenAPI schema: once
    for each text a run is served, as the check takes longer than most tests."""
    # Problem details are JSON too, under their own media type.
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(json.loads(text), config=config)


@pytest.fixture
def api(client, served_document):
    """The validating client, without a token; ``api.as_token(secret)`` gives one with."""
    return ApiClient(client, checked_document(json.dumps(served_document, sort_keys=True)))


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Counts kept from another test (in memory, per token) do not carry over."""
    limiter.reset()
    yield
    limiter.reset()


def make_token(admin, scope: TokenScope = TokenScope.READ_WRITE, name: str = "MIS sync") -> str:
    """A token of the admin's provider; returns its secret."""
    return tokens.create_token(admin, name, scope)[1]


@pytest.fixture
def world(app, people):
    """Two providers, each with a cohort, an enrolled learner with an MIS id and evidence,
    and a read and write token; ``mine`` is the first's, ``theirs`` the other's."""
    from portfolio.db import db
    from portfolio.enrolments import operations

    def provider_world(admin, learner, assessor):
        learner.mis_id, learner.uln = f"MIS-{learner.id}", "9276308686"
        cohort = operations.create_cohort(admin, f"Cohort of {admin.provider.name}", None, None)
        enrolment = factories.make_enrolment(learner, assessor=assessor, cohort=cohort)
        item = factories.submitted(learner, enrolment)
        db.session.flush()
        return {
            "admin": admin, "learner": learner, "assessor": assessor, "cohort": cohort,
            "enrolment": enrolment, "item": item, "secret": make_token(admin),
            "read_secret": make_token(admin, TokenScope.READ, "Reporting"),
        }  # fmt: skip

    mine = provider_world(people[Role.ADMIN], people[Role.LEARNER], people[Role.ASSESSOR])
    other_assessor = factories.make_user(people["other_admin"].provider, Role.ASSESSOR)
    theirs = provider_world(people["other_admin"], people["other_learner"], other_assessor)
    db.session.commit()
    return {"mine": mine, "theirs": theirs}
