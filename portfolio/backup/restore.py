"""``flask restore``: check a backup against its manifest, then bring it back into an empty
instance (docs/backup.md).

Nothing is written until every member has been read and matched its SHA-256 in the
manifest, the archive's database is of this instance's kind and at this version's schema,
the instance is empty and the signing certificate opens with the password it will be used
with. The files are then written, each under a temporary name and renamed, and the
database last, in one transaction; a failure on the way removes what was written.
"""

import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from portfolio.backup import archive, database
from portfolio.backup.archive import CHUNK, FORMAT, MANIFEST
from portfolio.backup.database import BackupError
from portfolio.db import db

# What an archive may hold: anything else is refused before a byte is written.
STORED = re.compile(r"(files|exports)/([0-9A-Za-z][0-9A-Za-z._-]{0,99})")
FIXED = {
    database.SQLITE_MEMBER, database.POSTGRESQL_MEMBER, MANIFEST, archive.SECRET_KEY,
    archive.SELF_SIGNED_P12, archive.SELF_SIGNED_PASSWORD, archive.CONFIGURED_P12,
}  # fmt: skip
SIGNING = (archive.SELF_SIGNED_P12, archive.SELF_SIGNED_PASSWORD, archive.CONFIGURED_P12)


@dataclass
class Checked:
    """An archive whose every member matched the manifest."""

    path: Path
    manifest: dict
    members: dict[str, dict] = field(default_factory=dict)  # by path: size and sha256
    signing: dict[str, bytes] = field(default_factory=dict)  # the certificate, as checked

    @property
    def kind(self) -> str:
        return self.manifest["database"]["kind"]


@dataclass
class Restored:
    checked: Checked
    evidence_files: int
    documents: int
    signing: list[str]
    providers: int


def check_archive(path: Path) -> Checked:
    """Read every member, hash it and compare with the manifest; raises BackupError naming
    the first member that is missing, changed, unlisted or not allowed."""
    found: dict[str, dict] = {}
    signing_material: dict[str, bytes] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for info in tar:
                name = _allowed(info)
                if name in found or (name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(f"The archive holds {name} twice.")
                if name == MANIFEST:
                    manifest_bytes = tar.extractfile(info).read()
                    continue
                if name in SIGNING:
                    signing_material[name] = tar.extractfile(info).read()
                    digest = hashlib.sha256(signing_material[name]).hexdigest()
                else:
                    digest = _hash(tar.extractfile(info))
                found[name] = {"size": info.size, "sha256": digest}
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{path} is not a readable backup archive: {error}") from error
    if manifest_bytes is None:
        raise BackupError(f"{path} has no {MANIFEST}: it is not a backup made by flask backup.")
    try:
        manifest = json.loads(manifest_bytes)
        listed = {
            m["path"]: {"size": m["size"], "sha256": m["sha256"]} for m in manifest["members"]
        }
        if manifest["format"] != FORMAT:
            raise BackupError(
                f"The archive is in format {manifest['format']}; this version reads {FORMAT}."
            )
        member = manifest["database"]["member"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"The archive's {MANIFEST} cannot be read: {error}") from error
    for name, expected in listed.items():
        if name not in found:
            raise BackupError(f"{name} is in the manifest but not in the archive.")
        if found[name] != expected:
            raise BackupError(
                f"{name} does not match its SHA-256 in the manifest: the archive is damaged "
                "or was changed. It is not restored."
            )
    for name in found.keys() - listed.keys():
        raise BackupError(f"{name} is in the archive but not in its manifest. It is not restored.")
    databases = {database.SQLITE_MEMBER, database.POSTGRESQL_MEMBER} & found.keys()
    if databases != {member}:
        raise BackupError(f"The archive should hold one database, {member}; it holds {databases}.")
    if (archive.SELF_SIGNED_P12 in found) != (archive.SELF_SIGNED_PASSWORD in found):
        raise BackupError("The archive holds the self-signed certificate or its password alone.")
    return Checked(path, manifest, found, signing_material)


def _allowed(info: tarfile.TarInfo) -> str:
    name = info.name
    if not info.isreg():
        raise BackupError(f"{name} in the archive is not a plain file.")
    if name not in FIXED and not STORED.fullmatch(name):
        raise BackupError(f"{name} in the archive is not part of a backup.")
    return name


def _hash(f) -> str:
    digest = hashlib.sha256()
    while chunk := f.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


# --- the instance ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where each part of the archive goes in this instance."""

    files: Path
    exports: Path
    signing: Path  # the self-signed certificate's folder
    configured_p12: Path | None
    secret_key: Path


def target() -> Target:
    from portfolio.evidence import files as evidence_files
    from portfolio.exports import service as exports
    from portfolio.exports import signing

    configured = current_app.config.get("SIGNING_PKCS12_PATH")
    instance = Path(current_app.instance_path)
    return Target(
        evidence_files.storage_dir(), exports.storage_dir(), instance / signing.SIGNING_DIR,
        Path(configured) if configured else None, instance / "secret_key",
    )  # fmt: skip


def check_target(checked: Checked, where: Target) -> None:
    """Refuse an instance that is not empty, of another database kind or schema version,
    or whose signing setting cannot use the archive's certificate."""
    url = db.engine.url
    kind = database.kind_of(str(url))
    if kind != checked.kind:
        raise BackupError(
            f"The archive holds a {checked.kind} database and this instance uses {kind}: "
            "restore into the same kind of database (DATABASE_URL)."
        )
    revision, head = checked.manifest["database"]["revision"], _schema_head()
    if revision != head:
        raise BackupError(
            f"The archive's database is at schema revision {revision} (portfolio "
            f"{checked.manifest.get('app_version')}), this installation's at {head}: restore "
            "with the version that made the backup, then upgrade it (flask db upgrade)."
        )
    tables = database.tables(db.engine)
    if tables:
        raise BackupError(
            f"The database {url.render_as_string(hide_password=True)} already has "
            f"{len(tables)} tables: a restore goes only into an empty database. Create a new "
            "one (PostgreSQL: createdb) or name a new SQLite file in DATABASE_URL."
        )
    for folder in (where.files, where.exports):
        if any(folder.iterdir()):
            raise BackupError(f"{folder} is not empty: a restore goes only into an empty instance.")
    if archive.SELF_SIGNED_P12 in checked.members and where.signing.exists():
        raise BackupError(
            f"{where.signing} exists: the archive brings back its own signing certificate. "
            "Remove the folder (a new instance makes one when first asked) and try again."
        )
    if archive.CONFIGURED_P12 in checked.members:
        _check_configured(checked, where)
    if archive.SELF_SIGNED_P12 in checked.members:
        password = checked.signing[archive.SELF_SIGNED_PASSWORD].strip()
        _check_opens(checked.signing[archive.SELF_SIGNED_P12], password, "the self-signed one")


def _check_configured(checked: Checked, where: Target) -> None:
    if where.configured_p12 is None:
        raise BackupError(
            "The archive was made with a configured signing certificate: set "
            "PORTFOLIO_SIGNING_PKCS12_PATH (where to put it) and PORTFOLIO_SIGNING_PKCS12_PASSWORD "
            "(its password, which is not in the archive), then restore."
        )
    if where.configured_p12.exists():
        with open(where.configured_p12, "rb") as f:
            if _hash(f) != checked.members[archive.CONFIGURED_P12]["sha256"]:
                raise BackupError(
                    f"{where.configured_p12} exists and is not the archive's signing "
                    "certificate: name a path where there is none yet."
                )
    password = current_app.config.get("SIGNING_PKCS12_PASSWORD")
    password = None if password in (None, "") else str(password).encode()
    _check_opens(checked.signing[archive.CONFIGURED_P12], password, str(where.configured_p12))


def _check_opens(p12: bytes, password: bytes | None, which: str) -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        pkcs12.load_key_and_certificates(p12, password)
    except ValueError:
        raise BackupError(
            f"The archive's signing certificate ({which}) does not open with its password: "
            "set PORTFOLIO_SIGNING_PKCS12_PASSWORD to the password it was made with."
        ) from None


def _schema_head() -> str | None:
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    heads = ScriptDirectory.from_config(migrate.migrate.get_config()).get_heads()
    return heads[0] if len(heads) == 1 else None


# --- restoring -------------------------------------------------------------------------


def restore(path: Path) -> Restored:
    """Check the archive and the instance, then restore; raises BackupError, leaving the
    instance as it was, when anything is refused or fails."""
    checked = check_archive(path)
    where = target()
    check_target(checked, where)
    written: list[Path] = []
    work = Path(tempfile.mkdtemp(prefix=".portfolio-restore-", dir=current_app.instance_path))
    try:
        snapshot = _extract(checked, where, work, written)
        database.restore(db.engine, checked.kind, snapshot)
    except BaseException:
        for done in reversed(written):
            if done.is_dir():
                shutil.rmtree(done, ignore_errors=True)
            else:
                done.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Restored(
        checked,
        sum(name.startswith("files/") for name in checked.members),
        sum(name.startswith("exports/") for name in checked.members),
        [
            name
            for name in (archive.SELF_SIGNED_P12, archive.CONFIGURED_P12)
            if name in checked.members
        ],
        _record_restore(checked),
    )


def _extract(checked: Checked, where: Target, work: Path, written: list[Path]) -> Path:
    """Write every member where it belongs; the database's snapshot into ``work``."""
    staging = None
    if archive.SELF_SIGNED_P12 in checked.members:
        # The certificate and its password appear together, as the app makes them.
        staging = Path(tempfile.mkdtemp(prefix=".signing-", dir=where.signing.parent))
        written.append(staging)
    with tarfile.open(checked.path, "r:*") as tar:
        for info in tar:
            if info.name == MANIFEST:
                continue
            destination = _destination(info.name, where, staging, work)
            if info.name == archive.CONFIGURED_P12 and destination.exists():
                continue  # check_target found it to be the archive's own
            if destination.exists() and info.name != archive.SECRET_KEY:
                raise BackupError(f"{destination} appeared while the backup was restored.")
            _write(tar.extractfile(info), destination, checked.members[info.name]["sha256"])
            if destination.parent not in (staging, work):
                written.append(destination)
    if staging is not None:
        os.rename(staging, where.signing)
        written[written.index(staging)] = where.signing
    return work / "database"


def _destination(name: str, where: Target, staging: Path | None, work: Path) -> Path:
    stored = STORED.fullmatch(name)
    if stored:
        return (where.files if stored[1] == "files" else where.exports) / stored[2]
    if name in (archive.SELF_SIGNED_P12, archive.SELF_SIGNED_PASSWORD):
        return staging / Path(name).name  # the names the app gives them in its folder
    if name == archive.CONFIGURED_P12:
        return where.configured_p12
    if name == archive.SECRET_KEY:
        return where.secret_key
    return work / "database"


def _write(source, destination: Path, sha256: str) -> None:
    """Copy a member to ``destination`` under a temporary name, hashing it again on the way
    (the archive could have changed since it was checked), then rename it into place."""
    partial = destination.with_name(f".restoring-{destination.name}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise BackupError(f"{destination.name} changed in the archive while it was restored.")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)


def _record_restore(checked: Checked) -> int:
    """Note the restore at the end of every provider's audit trail: what happened after the
    backup was made is not in this instance."""
    from sqlalchemy import select

    from portfolio.accounts.models import Provider
    from portfolio.audit.trail import record

    created = checked.manifest["created_at"]
    providers = db.session.scalars(select(Provider.id).order_by(Provider.id)).all()
    for provider_id in providers:
        record(
            "instance.restored", provider_id=provider_id, object_type="provider",
            object_id=provider_id, after={"backup_created_at": created},
            summary=f"Restored from the backup made at {created}; anything done after then "
            "is not in this instance.",
        )  # fmt: skip
    db.session.commit()
    return len(providers)
