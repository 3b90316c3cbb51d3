"""flask backup and flask restore: a backup of the demo made while learners write comes back
whole in an empty instance, and an archive that changed, or an instance that is not empty,
is refused with nothing written."""

import hashlib
import io
import json
import shutil
import tarfile
import threading
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.apprenticeships.reviews_models import ReviewDocument
from portfolio.backup import archive
from portfolio.db import db
from portfolio.demo import PASSWORD, demo_email
from portfolio.evidence.models import EvidenceFile, EvidenceItem, EvidenceStatus
from portfolio.exports import signing
from portfolio.exports.models import PortfolioDocument
from tests.backup.conftest import load_demo


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backup(app, destination: Path) -> Path:
    result = app.test_cli_runner().invoke(args=["backup", str(destination)])
    assert result.exit_code == 0, result.output
    (made,) = destination.glob("portfolio-backup-*.tar")
    return made


def restore(app, path: Path):
    return app.test_cli_runner().invoke(args=["restore", str(path)])


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile(archive.MANIFEST))


class Learner(threading.Thread):
    """Callum, adding files to his draft incident log and removing every other one, through
    the app's own pages, until told to stop."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stop, self.writes, self.errors = app, threading.Event(), [], []
        with app.app_context():
            learner = db.session.scalar(select(User).where(User.email == demo_email("learner2")))
            self.item_id = db.session.scalar(
                select(EvidenceItem.id).where(
                    EvidenceItem.learner_id == learner.id,
                    EvidenceItem.status == EvidenceStatus.DRAFT,
                )
            )
            db.session.remove()

    def run(self):
        client = FlaskClient(self.app, use_cookies=True)
        signed_in = client.post(
            "/sign-in", data={"email": demo_email("learner2"), "password": PASSWORD}
        )
        if signed_in.status_code != 302:
            self.errors.append(signed_in.status_code)
            return
        n = 0
        while not self.stop.is_set():
            n += 1
            url = f"/evidence/{self.item_id}/files"
            content = f"Notes of call {n}: the caller was kept informed.\n".encode()
            response = client.post(
                url,
                data={"file": (io.BytesIO(content), f"call-{n}.txt"), "description": "Notes"},
                content_type="multipart/form-data",
            )
            self._done(response, time.monotonic())
            if n % 2 == 0:
                with self.app.app_context():
                    file_id = db.session.scalar(
                        select(EvidenceFile.id).where(EvidenceFile.original_name == f"call-{n}.txt")
                    )
                    db.session.remove()
                self._done(client.post(f"{url}/{file_id}/remove"), time.monotonic())

    def _done(self, response, at: float):
        if response.status_code == 302:
            self.writes.append(at)
        else:
            self.errors.append(response.status_code)


def test_a_backup_of_the_demo_made_while_learners_write_restores_whole_into_an_empty_instance(
    make_instance, tmp_path
):
    source = make_instance("source")
    load_demo(source)
    learner = Learner(source)
    learner.start()
    while len(learner.writes) < 6:  # some files in the snapshot, some removed
        time.sleep(0.05)
    began = time.monotonic()
    made = backup(source, tmp_path)
    ended = time.monotonic()
    while not any(at > ended for at in learner.writes):
        time.sleep(0.05)
    learner.stop.set()
    learner.join()
    assert learner.errors == []
    assert any(at < began for at in learner.writes)  # writing before, during and after

    target = make_instance("target", migrated=False)
    result = restore(target, made)
    assert result.exit_code == 0, result.output
    assert "Every audit chain is intact" in result.output

    manifest = manifest_of(made)
    assert manifest["database"]["kind"] == make_instance.kind
    with target.app_context():
        from portfolio.evidence import files
        from portfolio.exports import service

        places = {
            "files": files.storage_dir(),
            "exports": service.storage_dir(),
            "signing": Path(target.instance_path) / signing.SIGNING_DIR,
            "instance": Path(target.instance_path),
        }
        for member in manifest["members"]:
            folder, name = member["path"].split("/")
            if folder != "database":
                assert sha256(places[folder] / name) == member["sha256"], member["path"]
        # The restored database and its files agree: every file it names is there as recorded.
        stored = db.session.execute(select(EvidenceFile.stored_name, EvidenceFile.sha256)).all()
        assert len(stored) == manifest["counts"]["evidence_files"] > 0
        for name, recorded in stored:
            assert sha256(files.path_of(name)) == recorded
        documents = db.session.scalars(
            select(PortfolioDocument).where(PortfolioDocument.stored_name.is_not(None))
        ).all()
        reviews = db.session.scalars(
            select(ReviewDocument).where(ReviewDocument.stored_name.is_not(None))
        ).all()
        assert documents and reviews  # the demo's signed portfolios and progress reviews
        assert len(documents) + len(reviews) == manifest["counts"]["documents"]
        for review in reviews:  # served from the exports folder as the portfolios are
            data = Path(service.stored_path(review.stored_name)).read_bytes()
            assert hashlib.sha256(data).hexdigest() == review.sha256
        # Signed with the restored certificate, which this instance can sign with again.
        trust = signing.certificate_pem(target.config, target.instance_path)
        for document in documents:
            data = Path(service.stored_path(document.stored_name)).read_bytes()
            assert hashlib.sha256(data).hexdigest() == document.sha256
            check = signing.validate(data, trust)
            assert check.intact and check.valid and check.trusted, check.summary
    assert (Path(target.instance_path) / "secret_key").read_text() == (
        Path(source.instance_path) / "secret_key"
    ).read_text()

    verified = target.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "chain intact" in verified.output
    assert "broken" not in verified.output


def rewrite(path: Path, change) -> Path:
    """A copy of the archive with ``change(name, data)`` applied to each member's bytes (None
    leaves the member out); the manifest stays as it was."""
    changed = path.with_name("changed.tar")
    with tarfile.open(path) as old, tarfile.open(changed, "w") as new:
        for info in old:
            data = change(info.name, old.extractfile(info).read())
            if data is not None:
                info.size = len(data)
                new.addfile(info, io.BytesIO(data))
    return changed


def evidence_file(app, note: str = "A note of the call.") -> None:
    """A learner's file in the demo, so the archive has one."""
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.email == demo_email("learner2")))
    client = app.test_client()
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    with app.app_context():
        item_id = db.session.scalar(
            select(EvidenceItem.id).where(
                EvidenceItem.learner_id == learner.id, EvidenceItem.status == EvidenceStatus.DRAFT
            )
        )
    response = client.post(
        f"/evidence/{item_id}/files",
        data={"file": (io.BytesIO(f"{note}\n".encode()), "call.txt"), "description": "Notes"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


@pytest.fixture(scope="module")
def demo_backups(tmp_path_factory) -> dict[str, Path]:
    """The backups of the demo made so far in this module, by database kind."""
    return {}


@pytest.fixture
def made(make_instance, tmp_path, demo_backups, tmp_path_factory):
    """A backup of the demo with a learner's file in it: made once for each kind of database,
    and copied for each test, which may write beside its copy."""
    kind = make_instance.kind
    if kind not in demo_backups:
        source = make_instance("source")
        with source.app_context():
            from portfolio.demo import build_demo

            build_demo()
            db.session.commit()
        evidence_file(source)
        signing.ensure_certificate(source.instance_path)  # as the first PDF signed makes it
        demo_backups[kind] = backup(source, tmp_path_factory.mktemp(f"demo-backup-{kind}"))
    copy = tmp_path / "archives" / demo_backups[kind].name
    copy.parent.mkdir()
    shutil.copyfile(demo_backups[kind], copy)
    return copy


def flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


@pytest.mark.parametrize("part", ["files/", "database/", "signing/", "instance/"])
def test_an_archive_with_a_changed_member_is_refused_naming_it_and_nothing_is_written(
    make_instance, made, part
):
    manifest = manifest_of(made)
    members = [m["path"] for m in manifest["members"]]
    (victim,) = [m for m in members if m.startswith(part)][:1]
    changed = rewrite(made, lambda name, data: flip_last_byte(data) if name == victim else data)
    target = make_instance("target", migrated=False)
    result = restore(target, changed)
    assert result.exit_code == 1
    assert f"{victim} does not match its SHA-256 in the manifest" in result.output
    assert_untouched(target)


def assert_untouched(app, files: list[str] = ()) -> None:
    """Nothing restored: no tables, no files but those given, nothing half-written left."""
    from portfolio.backup.database import tables
    from portfolio.evidence import files as evidence_files

    with app.app_context():
        assert tables(db.engine) == []
        assert sorted(p.name for p in evidence_files.storage_dir().iterdir()) == sorted(files)
        assert [p.name for p in Path(app.instance_path).iterdir() if p.name.startswith(".")] == []


def test_an_archive_missing_a_member_or_holding_an_unlisted_one_is_refused(make_instance, made):
    manifest = manifest_of(made)
    (stored,) = [m["path"] for m in manifest["members"] if m["path"].startswith("files/")]
    target = make_instance("target", migrated=False)

    result = restore(target, rewrite(made, lambda name, data: None if name == stored else data))
    assert result.exit_code == 1
    assert f"{stored} is in the manifest but not in the archive" in result.output

    extra = rewrite(made, lambda name, data: data)
    with tarfile.open(extra, "a") as tar:
        info = tarfile.TarInfo("files/" + "0" * 48)
        info.size = 3
        tar.addfile(info, io.BytesIO(b"new"))
    result = restore(target, extra)
    assert result.exit_code == 1
    assert f"files/{'0' * 48} is in the archive but not in its manifest" in result.output
    assert_untouched(target)


def test_an_archive_reaching_outside_its_folders_is_refused(make_instance, made):
    escaping = rewrite(made, lambda name, data: data)
    with tarfile.open(escaping, "a") as tar:
        info = tarfile.TarInfo("files/../../escaped")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    target = make_instance("target", migrated=False)
    result = restore(target, escaping)
    assert result.exit_code == 1
    assert "files/../../escaped in the archive is not part of a backup" in result.output
    assert not (Path(target.instance_path).parent / "escaped").exists()
    assert_untouched(target)


def test_restore_refuses_an_instance_that_already_has_a_database_or_files(make_instance, made):
    used = make_instance("used")  # migrated: it has tables
    result = restore(used, made)
    assert result.exit_code == 1
    assert "already has" in result.output and "only into an empty database" in result.output

    target = make_instance("target", migrated=False)
    with target.app_context():
        from portfolio.evidence import files

        (files.storage_dir() / "left-over").write_bytes(b"x")
    result = restore(target, made)
    assert result.exit_code == 1
    assert "is not empty: a restore goes only into an empty instance" in result.output
    assert_untouched(target, files=["left-over"])

    made_its_own = make_instance("made-its-own", migrated=False)
    signing.ensure_certificate(made_its_own.instance_path)  # someone opened /verify
    result = restore(made_its_own, made)
    assert result.exit_code == 1
    assert "signing exists: the archive brings back its own signing certificate" in result.output
    assert_untouched(made_its_own)


def test_restore_refuses_a_database_of_another_kind(make_instance, made, tmp_path, monkeypatch):
    from portfolio import create_app
    from tests.conftest import TEST_CONFIG

    other = "postgresql" if make_instance.kind == "sqlite" else "sqlite"
    if other == "sqlite":
        url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    else:
        url = make_instance.cluster().create_database("backup_other_kind")
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path / "other"))
    target = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    result = restore(target, made)
    assert result.exit_code == 1
    assert f"holds a {make_instance.kind} database and this instance uses {other}" in result.output
    with target.app_context():
        db.engine.dispose()


def test_a_backup_never_overwrites_an_archive(make_instance, made):
    source = make_instance("again")
    result = source.test_cli_runner().invoke(args=["backup", str(made)])
    assert result.exit_code == 1
    assert "already exists; a backup never overwrites one" in result.output
    missing = made.parent / "no-such-folder"
    result = source.test_cli_runner().invoke(args=["backup", str(missing)])
    assert result.exit_code == 1
    assert f"There is no folder {missing} to write the backup into." in result.output


def test_a_file_lost_from_the_disk_is_named_and_the_rest_is_backed_up(make_instance, tmp_path):
    source = make_instance("source")
    with source.app_context():
        from portfolio.demo import build_demo

        build_demo()
        db.session.commit()
    evidence_file(source)
    evidence_file(source, "Another note of the call.")
    with source.app_context():
        from portfolio.evidence import files

        lost, kept = db.session.scalars(select(EvidenceFile.stored_name)).all()
        files.path_of(lost).unlink()
    result = source.test_cli_runner().invoke(args=["backup", str(tmp_path)])
    assert result.exit_code == 1
    assert f"files/{lost} is named by the database but is not on the disk" in result.output
    assert "1 stored files are missing" in result.output
    (made,) = tmp_path.glob("portfolio-backup-*.tar")
    manifest = manifest_of(made)
    assert manifest["missing"] == [f"files/{lost}"]
    assert f"files/{kept}" in [m["path"] for m in manifest["members"]]

    target = make_instance("target", migrated=False)
    result = restore(target, made)
    assert result.exit_code == 0, result.output
    assert f"files/{lost} was already missing when the backup was made" in result.output


def configured_certificate(path: Path, password: bytes) -> Path:
    path.write_bytes(signing._self_signed_pkcs12(password))
    return path


def test_a_configured_signing_certificate_goes_back_where_the_setting_names_with_its_password(
    make_instance, tmp_path
):
    p12 = configured_certificate(tmp_path / "provider.p12", b"provider-secret")
    source = make_instance(
        "source", SIGNING_PKCS12_PATH=str(p12), SIGNING_PKCS12_PASSWORD="provider-secret"
    )
    made = backup(source, tmp_path)
    assert archive.CONFIGURED_P12 in [m["path"] for m in manifest_of(made)["members"]]

    unset = make_instance("unset", migrated=False)
    result = restore(unset, made)
    assert result.exit_code == 1
    assert "set PORTFOLIO_SIGNING_PKCS12_PATH" in result.output

    restored_p12 = tmp_path / "restored" / "provider.p12"
    wrong = make_instance(
        "wrong", migrated=False, SIGNING_PKCS12_PATH=str(restored_p12),
        SIGNING_PKCS12_PASSWORD="not-the-password",
    )  # fmt: skip
    result = restore(wrong, made)
    assert result.exit_code == 1
    assert "does not open with its password" in result.output
    assert not restored_p12.exists()
    assert_untouched(wrong)

    right = make_instance(
        "right", migrated=False, SIGNING_PKCS12_PATH=str(restored_p12),
        SIGNING_PKCS12_PASSWORD="provider-secret",
    )  # fmt: skip
    result = restore(right, made)
    assert result.exit_code == 0, result.output
    assert restored_p12.read_bytes() == p12.read_bytes()
    signer = signing.load_signer(right.config, right.instance_path)
    assert signer.signing_cert.subject.native["common_name"] == signing.SELF_SIGNED_CN
