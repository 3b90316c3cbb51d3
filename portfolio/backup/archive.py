"""``flask backup``: one archive of the database, the files it refers to and the signing
material, with a manifest of every member's SHA-256 (docs/backup.md).

The order keeps it consistent while requests go on: the database snapshot first, then
each evidence file and stored PDF that snapshot refers to. A file is written to disk
before the row that names it is committed, so every file the snapshot names exists when
it is copied, unless a learner removed a draft's file since; then the backup starts again
from a new snapshot. A file still missing in the next snapshot was lost from the disk: the
archive records it as missing and the backup says so. Files written after the snapshot
are not in it, and are left out.
"""

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from io import BytesIO
from pathlib import Path

from flask import current_app

from portfolio.backup import database
from portfolio.backup.database import BackupError, Snapshot
from portfolio.db import db

FORMAT = 1
MANIFEST = "manifest.json"
# Signing material, by its name in the archive. The self-signed certificate and its
# password live in <instance>/signing; a configured PKCS#12 wherever its setting says
# (its password stays in the configuration, not the archive).
SELF_SIGNED_P12 = "signing/portfolio-signing.p12"
SELF_SIGNED_PASSWORD = "signing/password"  # noqa: S105  (a member's name)
CONFIGURED_P12 = "signing/configured.p12"
SECRET_KEY = "instance/secret_key"  # noqa: S105  (a member's name)
# Snapshots to try before giving up, when draft files keep being removed under the backup.
ATTEMPTS = 3
CHUNK = 1024 * 1024


@dataclass
class Written:
    path: Path
    snapshot: Snapshot
    members: int = 0
    size: int = 0
    # Stored files whose content is no longer what their row recorded when they were made.
    mismatched: list[str] = field(default_factory=list)
    # Stored files the database names that are not on the disk.
    missing: list[str] = field(default_factory=list)


class _Vanished(Exception):
    """A file the snapshot refers to was not there to be copied."""

    def __init__(self, member: str):
        super().__init__(member)
        self.member = member


def archive_path(destination: Path, compress: bool, now: datetime) -> Path:
    """The archive's file: ``destination`` itself, or a name with the time in that folder."""
    if destination.is_dir():
        suffix = ".tar.gz" if compress else ".tar"
        return destination / f"portfolio-backup-{now:%Y%m%dT%H%M%SZ}{suffix}"
    if not destination.name.endswith((".tar", ".tar.gz", ".tgz")):
        if not destination.exists():
            raise BackupError(f"There is no folder {destination} to write the backup into.")
        raise BackupError(f"{destination}: name the archive .tar or .tar.gz, or give a folder.")
    return destination


def make_backup(destination: Path, compress: bool = False) -> Written:
    """Write the archive; raises BackupError saying what went wrong, leaving nothing."""
    now = datetime.now(UTC)
    final = archive_path(destination, compress, now)
    if final.exists():
        raise BackupError(f"{final} already exists; a backup never overwrites one.")
    if not final.parent.is_dir():
        raise BackupError(f"There is no folder {final.parent} to write the backup into.")
    missing: set[str] = set()
    for _ in range(ATTEMPTS):
        try:
            return _write(final, now, missing)
        except _Vanished as error:
            missing.add(error.member)  # removed under the backup, or lost: the next try tells
            last = error.member
    raise BackupError(
        f"Files were removed while the backup ran, {ATTEMPTS} times in a row (last {last}); "
        "try again when fewer people are editing."
    )


def _write(final: Path, now: datetime, missing: set[str]) -> Written:
    """One attempt; raises _Vanished for a file missing that was not missing last time."""
    from portfolio.evidence import files as evidence_files
    from portfolio.exports import service as exports

    partial = final.with_name(final.name + ".partial")
    work = Path(tempfile.mkdtemp(prefix=".portfolio-backup-", dir=final.parent))
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        shutil.rmtree(work)
        raise BackupError(f"{partial} exists: another backup is writing it.") from None
    try:
        snap = database.take_snapshot(db.engine, work)
        written = Written(final, snap)
        mode = "w|gz" if final.name.endswith(("gz", ".tgz")) else "w|"
        members = []
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode=mode, format=tarfile.PAX_FORMAT) as tar:
                members.append(_add(tar, snap.member, snap.path))
                for folder, prefix, recorded in (
                    (evidence_files.storage_dir(), "files", snap.evidence_files),
                    (exports.storage_dir(), "exports", snap.documents),
                ):
                    for row in recorded:
                        name = f"{prefix}/{row.stored_name}"
                        try:
                            member = _add(tar, name, folder / row.stored_name)
                        except FileNotFoundError:
                            if name not in missing:
                                raise _Vanished(name) from None
                            written.missing.append(name)
                            continue
                        members.append(member)
                        if member["sha256"] != row.sha256:
                            written.mismatched.append(name)
                for name, path in _instance_members():
                    members.append(_add(tar, name, path))
                manifest = _manifest(now, snap, members, written.missing)
                _add_bytes(tar, MANIFEST, manifest)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    written.members = len(members) + 1
    written.size = final.stat().st_size
    return written


def _instance_members() -> list[tuple[str, Path]]:
    """The signing material and the session key, where there are any."""
    from portfolio.exports import signing

    found = []
    configured = current_app.config.get("SIGNING_PKCS12_PATH")
    if configured:
        if not Path(configured).is_file():
            raise BackupError(f"The signing certificate {configured} cannot be read.")
        found.append((CONFIGURED_P12, Path(configured)))
    folder = Path(current_app.instance_path) / signing.SIGNING_DIR
    own = folder / signing.PKCS12_NAME, folder / signing.PASSWORD_NAME
    if all(path.is_file() for path in own):
        found += [(SELF_SIGNED_P12, own[0]), (SELF_SIGNED_PASSWORD, own[1])]
    secret_key = Path(current_app.instance_path) / "secret_key"
    if secret_key.is_file():
        found.append((SECRET_KEY, secret_key))
    return found


class _Hashing:
    """A file read for the archive, hashed as it goes."""

    def __init__(self, f):
        self.f, self.digest = f, hashlib.sha256()

    def read(self, size=-1):
        data = self.f.read(size)
        self.digest.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    with open(path, "rb") as f:
        stat = os.fstat(f.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _Hashing(f)
        tar.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    tar.addfile(info, BytesIO(data))


def _manifest(now: datetime, snap: Snapshot, members: list[dict], missing: list[str]) -> bytes:
    try:
        version = metadata.version("portfolio")
    except metadata.PackageNotFoundError:
        version = "unknown"
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "app_version": version,
        "database": {"kind": snap.kind, "revision": snap.revision, "member": snap.member},
        "counts": {"evidence_files": len(snap.evidence_files), "documents": len(snap.documents)},
        "members": members,
        # Named by the database but not on the disk when the backup was made.
        "missing": missing,
    }
    return json.dumps(manifest, indent=1).encode()
