"""Deployment settings: the public address, the hosts the app answers to, production mode."""

import pytest

from portfolio import create_app
from tests.conftest import TEST_CONFIG
from tests.stories import PUBLIC, production_app


@pytest.fixture(autouse=True)
def no_deployment_environment(monkeypatch):
    for name in ("PORTFOLIO_PUBLIC_URL", "PORTFOLIO_PRODUCTION", "PORTFOLIO_TRUSTED_HOSTS",
                 "PORTFOLIO_PROXY_COUNT", "FLASK_DEBUG"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_to_start_without_its_public_address(tmp_path):
    with pytest.raises(RuntimeError, match="PORTFOLIO_PUBLIC_URL"):
        production_app(tmp_path)


def test_a_public_address_must_be_a_whole_http_address(tmp_path):
    for wrong in ("portfolio.example.org", "ftp://portfolio.example.org", "https://"):
        with pytest.raises(RuntimeError, match="PORTFOLIO_PUBLIC_URL"):
            production_app(tmp_path, PUBLIC_URL=wrong)


def test_production_answers_only_its_public_host_and_the_listed_ones(tmp_path):
    app = production_app(tmp_path, PUBLIC_URL=PUBLIC, TRUSTED_HOSTS=["www.portfolio.example.org"])
    client = app.test_client()

    def status(**request) -> int:
        with client.get("/static/app.css", **request) as response:
            return response.status_code

    assert status(base_url=PUBLIC) == 200
    assert status(base_url="https://www.portfolio.example.org") == 200
    assert status(headers={"Host": "evil.example"}) == 400


def test_a_local_server_answers_its_loopback_names_only(app, client):
    assert client.get("/sign-in", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/sign-in", headers={"Host": "localhost"}).status_code == 200
    refused = client.get("/sign-in", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "does not answer at that address" in refused.get_data(as_text=True)


def test_debug_mode_testing_or_an_explicit_setting_is_not_production(tmp_path, monkeypatch):
    local = production_app(tmp_path, PRODUCTION=False)
    assert local.config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert not local.config["SESSION_COOKIE_SECURE"]
    tested = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not tested.config["PRODUCTION"]
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert not production_app(tmp_path).config["PRODUCTION"]
