"""Evidence files: type decided by content, streamed to disk with its SHA-256, served safely."""

import errno
import hashlib
import os
import re
import secrets
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.evidence.models import EvidenceFile

# What libmagic reports for each allowed type, and how the type is named to people.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "text/plain": "plain text",
    "audio/mpeg": "MP3 audio",
    "audio/x-m4a": "M4A audio",
    "audio/mp4": "M4A audio",
    "audio/x-wav": "WAV audio",
    "audio/wav": "WAV audio",
    "audio/vnd.wave": "WAV audio",
}
ALLOWED_SUMMARY = "PDF, Word (DOCX), PNG, JPEG, plain text, MP3, M4A or WAV"
# The types a browser shows itself, and how: in an <img>, an <audio> player, or a PDF in a
# frame. Only these are ever served inline; everything else downloads as an attachment.
SHOWN_INLINE = {
    "image/png": "image",
    "image/jpeg": "image",
    "application/pdf": "pdf",
    **{kind: "audio" for kind, name in ALLOWED_TYPES.items() if kind.startswith("audio/")},
}

# A DOCX is a zip: refuse one that would expand to far more than it weighs (a zip bomb).
MAX_DOCX_EXPANDED = 200 * 1024 * 1024
MAX_DOCX_RATIO = 100
CHUNK = 64 * 1024
# A file being written is named for what it will be with this before it; a stored file's
# name is 24 random bytes in hexadecimal.
INCOMING = ".incoming-"
STORED_NAME = re.compile(r"[0-9a-f]{48}")


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size: int
    sha256: str
    media_type: str


def storage_dir() -> Path:
    path = Path(
        current_app.config.get("EVIDENCE_FILES_PATH") or Path(current_app.instance_path) / "files"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored_name: str) -> Path:
    return storage_dir() / stored_name


# The most characters a file's own name may have (as most file systems allow).
NAME_LIMIT = 255


def check_name(name: str) -> str:
    """The file's own name as the person gave it, refused if it tries to name a folder (in
    any of Unicode's ways of writing a dot or a slash), hides characters or is too long."""
    name = (name or "").strip()
    if not name:
        raise DomainError("The file has no name.", field="file")
    plain = unicodedata.normalize("NFKC", name)  # full-width "．．／" reads as "../"
    if "/" in plain or "\\" in plain or plain.startswith(".") or ".." in plain:
        raise DomainError(
            "The file name must not contain folder parts such as '../' or start with a dot; "
            "rename the file and upload it again.",
            field="file",
        )
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        # Cf: right-to-left overrides ("invoice\u202egpj.pdf" shows as "...pdf.jpg") and
        # characters of no width.
        raise DomainError(
            "The file name holds a control character or one that changes or hides how it "
            "reads (such as a right-to-left mark): rename the file and upload it again.",
            field="file",
        )
    if len(name) > NAME_LIMIT:
        raise DomainError(f"The file name can be at most {NAME_LIMIT} characters; this has "
                          f"{len(name)}. Rename the file and upload it again.", field="file")  # fmt: skip
    return name


class StorageError(DomainError):
    """The server's storage refused a file (full, read-only, not permitted): nothing was saved.

    507 when the disk is full, as RFC 4918 defines it; 503 otherwise: either way the server's
    fault, said plainly, and the person can try again once an administrator has seen to it.
    """

    status = 503

    def __init__(self, error: OSError, what: str = "The file"):
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        self.status = 507 if full else 503
        reason = (
            "the server's storage is full" if full else "the server's storage cannot be written to"
        )
        super().__init__(
            f"{what} could not be stored because {reason}, so nothing was saved. Try again "
            "later; if it keeps happening, tell your training provider's administrator.",
            field="file",
        )


def store(stream, limit: int) -> StoredFile:
    """Copy an upload to storage in chunks, then check what it really is.

    Nothing is left behind when it is refused: the partial file is removed (or, when the
    disk will not even allow that, left for ``flask evidence sweep``).
    """
    stored_name = secrets.token_hex(24)
    try:
        directory = storage_dir()
    except OSError as error:
        raise _refused(error) from error
    partial = directory / f"{INCOMING}{stored_name}"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(partial, "xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DomainError(
                        f"The file is larger than the {limit // (1024 * 1024)} MB limit.",
                        field="file",
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DomainError("The file is empty.", field="file")
        media_type = detect_type(partial)
        final = directory / stored_name
        os.replace(partial, final)
    except BaseException as error:
        _discard(partial)
        if isinstance(error, OSError):
            raise _refused(error) from error
        raise
    return StoredFile(stored_name, size, digest.hexdigest(), media_type)


def _refused(error: OSError) -> StorageError:
    current_app.logger.error("an evidence file could not be stored: %s", error)
    return StorageError(error)


def _discard(path: Path) -> bool:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        current_app.logger.warning("%s is left for 'flask evidence sweep': %s", path, error)
        return False
    return True


def detect_type(path: Path) -> str:
    """The file's media type from its content; refuses anything not allowed."""
    import magic  # loads the libmagic library: only uploads need it

    media_type = magic.from_file(str(path), mime=True)
    if media_type not in ALLOWED_TYPES:
        described = magic.from_file(str(path)).split(",")[0]
        # libmagic's "data" is any content it does not recognise: no help to name.
        kind = "of no kind it recognises" if described in ("data", "") else f"'{described}'"
        raise DomainError(
            f"This file cannot be attached: its content is {kind}. Attach a {ALLOWED_SUMMARY} "
            "file.",
            field="file",
        )
    if media_type.startswith("application/vnd.openxmlformats"):
        _check_docx(path)
    if media_type == "text/plain":
        _check_text(path)
    return media_type


def _check_docx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            expanded = sum(m.file_size for m in members)
            packed = max(sum(m.compress_size for m in members), 1)
    except zipfile.BadZipFile:
        raise DomainError(
            "This Word document is damaged and cannot be opened.", field="file"
        ) from None
    if "word/document.xml" not in names:
        raise DomainError("This is not a Word (DOCX) document.", field="file")
    if expanded > MAX_DOCX_EXPANDED or expanded / packed > MAX_DOCX_RATIO:
        raise DomainError(
            "This Word document expands to far more than its size (a 'zip bomb') and is refused.",
            field="file",
        )


def _check_text(path: Path) -> None:
    with open(path, "rb") as f:
        data = f.read(1024 * 1024)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A cut in the middle of a character at the end of the sample is fine.
        if error.start < len(data) - 4:
            raise DomainError("This text file is not UTF-8 text.", field="file") from None


def remove_stored(stored_name: str) -> bool:
    """Delete a stored file no evidence refers to any longer; one the disk refuses to delete
    is logged and left for ``flask evidence sweep``."""
    try:
        return _discard(path_of(stored_name))
    except OSError:  # the folder itself cannot be reached
        return False


@dataclass(frozen=True)
class Swept:
    partial: int
    unrecorded: int


def sweep(older_than: timedelta) -> Swept:
    """Remove what faults left in the files folder, once older than ``older_than``: uploads
    cut off part-way (a worker killed mid-upload) and stored files no evidence refers to (a
    removal the disk refused, a worker killed between storing a file and recording it).

    A younger file may belong to an upload under way, and only names this module makes are
    touched.
    """
    partial, stored = [], []
    for name in old_files(storage_dir(), older_than):
        if name.startswith(INCOMING):
            partial.append(name)
        elif STORED_NAME.fullmatch(name):
            stored.append(name)
    return Swept(
        sum(_discard(path_of(name)) for name in partial),
        sum(_discard(path_of(name)) for name in unrecorded(stored, EvidenceFile.stored_name)),
    )


def old_files(folder: Path, older_than: timedelta) -> list[str]:
    """Names of the plain files in ``folder`` last written longer ago than ``older_than``."""
    cutoff = time.time() - older_than.total_seconds()
    names = []
    for entry in os.scandir(folder):
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime <= cutoff:
                names.append(entry.name)
        except FileNotFoundError:  # renamed or removed while the folder was read
            continue
    return names


def unrecorded(names: list[str], column) -> list[str]:
    """Those of ``names`` that no row holds in ``column``, looked up 500 at a time."""
    found = set()
    for start in range(0, len(names), 500):
        found.update(
            db.session.scalars(select(column).where(column.in_(names[start : start + 500])))
        )
    return [name for name in names if name not in found]
