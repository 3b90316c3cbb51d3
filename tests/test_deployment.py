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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PORTFOLIO_PRODUCTION", "no", "PORTFOLIO_PRODUCTION is 'no': give true or false."),
        ("PORTFOLIO_MAX_CONTENT_LENGTH", "-5",
         "PORTFOLIO_MAX_CONTENT_LENGTH is -5: give a whole number of at least 1."),
        ("PORTFOLIO_PROXY_COUNT", "abc", "PORTFOLIO_PROXY_COUNT is 'abc': give a whole number"),
        ("PORTFOLIO_MAIL_PORT", "abc", "PORTFOLIO_MAIL_PORT is 'abc': give a port number"),
        ("PORTFOLIO_MAIL_SECURITY", "ssl", "PORTFOLIO_MAIL_SECURITY is 'ssl': give one of none,"),
        ("PORTFOLIO_JOBS_HEARTBEAT_SECONDS", "0", "give a number of seconds greater than 0"),
    ],
)  # fmt: skip
def test_a_setting_of_the_wrong_kind_stops_the_app_naming_it(tmp_path, monkeypatch, variable,
                                                            value, message):  # fmt: skip
    monkeypatch.setenv(variable, value)
    with pytest.raises(RuntimeError) as refused:
        production_app(tmp_path, PUBLIC_URL=PUBLIC)
    assert message in str(refused.value)


def test_a_database_url_of_another_kind_is_refused_in_one_line_by_the_command(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "FLASK_APP": "wsgi", "PORTFOLIO_PRODUCTION": "false",
           "PORTFOLIO_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "mysql://u:secret@db/x"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "flask", "jobs", "list"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode != 0
    assert "Error: DATABASE_URL is 'db/x': give a PostgreSQL URL" in done.stderr
    assert "Traceback" not in done.stderr and "secret" not in done.stderr
