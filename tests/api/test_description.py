"""The OpenAPI document: valid OpenAPI 3.1, served as written, and covering every route."""

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.versions import consts, get_spec_version

from portfolio.api.views import SPEC_PATH


def test_the_served_document_is_valid_openapi_3_1(served_document):
    assert get_spec_version(served_document) == consts.OPENAPIV31
    validate(served_document)


def test_the_served_document_is_the_one_in_the_package(served_document):
    assert served_document == yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def test_every_route_of_the_api_is_described_and_nothing_else(app, served_document):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.removeprefix("/api/v1")
            for part in rule.arguments:
                path = path.replace(f"<int:{part}>", f"{{{part}}}").replace(
                    f"<{part}>", f"{{{part}}}"
                )
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    described = {
        (path, method)
        for path, operations in served_document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    assert routes == described


def test_the_document_needs_no_token_and_sets_no_cookie(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"
    assert "Set-Cookie" not in response.headers


def test_an_address_under_the_api_that_matches_no_route_answers_as_the_api_does(client):
    for method, url, status in (("get", "/api/v1/nothing-here", 404),
                                ("get", "/api/v2/people", 404),
                                ("delete", "/api/v1/openapi.json", 405)):  # fmt: skip
        response = getattr(client, method)(url)
        assert response.status_code == status, url
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == status
    assert client.get("/nothing-here").mimetype == "text/html"  # the app's own pages
