"""Instances of their own for backups: a source with the demo in it, and empty targets, each
with its own database and instance folder (files, PDFs, signing certificate, session key)."""

import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from portfolio import ROOT, create_app
from portfolio.assessment.models import SignOff
from portfolio.db import db
from portfolio.demo import build_demo
from portfolio.exports import service
from portfolio.units.library import import_criteria
from tests.conftest import TEST_CONFIG


@pytest.fixture(params=["sqlite", "postgresql"])
def make_instance(request, tmp_path, monkeypatch):
    """Makes apps each with a database and an instance folder of its own; ``migrated`` ones
    have the schema and the criteria library, others are empty, as a new instance is."""
    made = []

    def make(name: str, *, migrated: bool = True, **config):
        folder = tmp_path / name
        folder.mkdir()
        if request.param == "sqlite":
            url = f"sqlite:///{folder / 'portfolio.sqlite3'}"
        else:
            cluster = request.getfixturevalue("postgres_cluster")
            url = cluster.create_database(f"backup_{uuid.uuid4().hex[:16]}")
        # The instance folder is read from the environment when the app is made; a session
        # key is made in it, as in service.
        monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(folder))
        settings = {**TEST_CONFIG, "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": url, **config}
        app = create_app(settings)
        if migrated:
            with app.app_context():
                upgrade()
                import_criteria(ROOT / "criteria")
                db.session.commit()
        made.append(app)
        return app

    make.kind = request.param
    make.cluster = lambda: request.getfixturevalue("postgres_cluster")
    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def load_demo(app) -> None:
    """The demo provider, with the signed PDF of every countersigned unit made."""
    with app.app_context():
        build_demo()
        db.session.commit()
        countersigned = db.session.scalars(
            select(SignOff).where(SignOff.countersigned_at.is_not(None))
        ).all()
        ids = [service.request_document(sign_off).id for sign_off in countersigned]
        db.session.commit()
    with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
        for document_id in ids:
            assert service.generate(document_id).stored_name
        db.session.remove()
