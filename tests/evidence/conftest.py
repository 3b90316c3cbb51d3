import pytest

from portfolio.accounts.models import Role
from tests.factories import make_enrolment
from tests.filesystems import small_disk  # noqa: F401  (a fixture)


@pytest.fixture
def enrolment(people):
    return make_enrolment(
        people[Role.LEARNER], body="BIIAB", assessor=people[Role.ASSESSOR], iqa=people[Role.IQA]
    )


@pytest.fixture
def learner(people, auth):
    auth.sign_in(people[Role.LEARNER])
    return people[Role.LEARNER]


@pytest.fixture
def files_folder(app, tmp_path):
    """A storage folder of the test's own, so that what is left in it can be checked."""
    app.config["EVIDENCE_FILES_PATH"] = str(tmp_path / "files")
    yield tmp_path / "files"
    app.config["EVIDENCE_FILES_PATH"] = None
