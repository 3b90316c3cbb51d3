"""The busiest pages ask PostgreSQL a fixed, small number of times, whatever the data: once
for the signed-in user, then once for all of a page's figures (twice where some figures
need others first). Each wait for the database costs both sides more than a small query's
own work, so these counts are held here as statement counts are elsewhere.

The requests run as in service, on an app and database of their own; the check of a
pooled connection that has sat idle is not counted (it comes before the trace starts).
"""

import pytest

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceKind
from tests import factories
from tests.progress.test_dashboard import STAR_CONTENT, accepted
from tests.statements import postgresql_messages, round_trips


@pytest.fixture
def provider(own_postgres_app):
    """A provider with an assessor's learner on the SFJ unit (several items, some accepted)
    and one on BIIAB's (whose requirements count incident types), signed in as each."""
    app = own_postgres_app()
    with app.app_context():
        provider = factories.make_provider()
        admin = factories.make_user(provider, Role.ADMIN)
        assessor = factories.make_user(provider, Role.ASSESSOR)
        learner = factories.make_user(provider, Role.LEARNER)
        other = factories.make_user(provider, Role.LEARNER)
        sfj = factories.make_enrolment(learner, body="SFJ", assessor=assessor)
        biiab = factories.make_enrolment(other, body="BIIAB", assessor=assessor)
        for n in range(3):
            accepted(learner, assessor, sfj, ["1.1"], title=f"Accepted {n}")
            operations.start_item(other, biiab, EvidenceKind.STAR_ACCOUNT, f"Draft {n}",
                                  STAR_CONTENT)  # fmt: skip
        db.session.commit()
        people = {"admin": admin.email, "assessor": assessor.email, "learner": learner.email,
                  "other": other.email}  # fmt: skip
        pages = {"sfj": f"/enrolments/{sfj.id}/portfolio",
                 "biiab": f"/enrolments/{biiab.id}/portfolio"}  # fmt: skip
        engine = db.engine
    clients = {}
    for who, email in people.items():
        clients[who] = app.test_client()
        response = clients[who].post("/sign-in", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 302
    return engine, clients, pages


def asked(engine, client, path: str) -> int:
    with postgresql_messages(engine) as sent:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert not any('"BEGIN' in m or '"COMMIT' in m for m in sent), sent
    return round_trips(sent)


def test_a_portfolio_is_read_in_one_go_after_the_user(provider):
    engine, clients, pages = provider
    for who in ("learner", "assessor", "admin"):
        assert asked(engine, clients[who], pages["sfj"]) == 2, who


def test_a_unit_that_counts_incident_types_reads_its_tallies_once_more(provider):
    engine, clients, pages = provider
    assert asked(engine, clients["other"], pages["biiab"]) == 3


def test_the_caseload_and_the_dashboard_ask_once_after_the_user(provider):
    engine, clients, _pages = provider
    assert asked(engine, clients["assessor"], "/caseload") == 2
    for path in ("/dashboard", "/dashboard/learners"):
        # The first page since the provider's filter options changed reads them once more.
        assert asked(engine, clients["admin"], path) in (2, 3), path
        assert asked(engine, clients["admin"], path) == 2, path
