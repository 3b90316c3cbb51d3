import pytest

from portfolio.accounts.models import Role
from portfolio.exports import signing
from tests.filesystems import small_disk  # noqa: F401  (a fixture)
from tests.stories import Cycle, complete


@pytest.fixture
def exports_folder(app, tmp_path):
    app.config.update(EXPORTS_PATH=str(tmp_path / "exports"), EXPORTS_SYNCHRONOUS=True,
                      EVIDENCE_FILES_PATH=str(tmp_path / "files"))  # fmt: skip
    yield tmp_path / "exports"
    app.config.update(EXPORTS_PATH=None, EXPORTS_SYNCHRONOUS=False, EVIDENCE_FILES_PATH=None)


@pytest.fixture
def countersigned(client, auth, people, exports_folder):
    c = Cycle(client, auth, people, "SFJ")
    complete(c)
    c.be(Role.IQA)
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302
    return c


@pytest.fixture(scope="session")
def signature(tmp_path_factory):
    """A signature with the self-signed certificate, for rendering outside a request."""
    instance = str(tmp_path_factory.mktemp("instance"))
    return signing.pdf_signer(signing.load_signer({}, instance), reason="test")
