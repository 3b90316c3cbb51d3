"""Fixtures shared by the apprenticeship tests."""

import pytest

from tests import factories
from tests.apprenticeships.helpers import make_apprentice


@pytest.fixture
def two(app, provider):
    """Two employers of one provider, each with an apprentice, and another provider's."""
    mine = make_apprentice(provider, "Harbour Energy Ltd")
    theirs = make_apprentice(provider, "Northgate Water")
    elsewhere = make_apprentice(factories.make_provider(), "Harbour Energy Ltd")
    return mine, theirs, elsewhere
