"""The route fuzzer of ``test_every_route.py`` on PostgreSQL: the same test in a file of its
own, so that a run in several processes (a file to a process) fuzzes both databases at once."""

import pytest

from tests.fuzz.test_every_route import (  # noqa: F401 (the fixture and the test, collected here)
    folders,
    test_no_request_of_any_role_gets_a_server_error,
)

pytestmark = pytest.mark.parametrize("_app", ["postgresql"], indirect=True)
