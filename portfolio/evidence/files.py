"""Evidence files: type decided by content, streamed to disk with its SHA-256, served safely."""

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

import magic
from flask import current_app

from portfolio.errors import DomainError

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

# A DOCX is a zip: refuse one that would expand to far more than it weighs (a zip bomb).
MAX_DOCX_EXPANDED = 200 * 1024 * 1024
MAX_DOCX_RATIO = 100
CHUNK = 64 * 1024


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


def check_name(name: str) -> str:
    """The file's own name as the person gave it, refused if it tries to name a folder."""
    name = (name or "").strip()
    if not name:
        raise DomainError("The file has no name.", field="file")
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name:
        raise DomainError(
            "The file name must not contain folder parts such as '../' or start with a dot; "
            "rename the file and upload it again.",
            field="file",
        )
    if any(ord(c) < 32 for c in name) or len(name) > 255:
        raise DomainError("The file name has control characters or is too long.", field="file")
    return name


def store(stream, limit: int) -> StoredFile:
    """Copy an upload to storage in chunks, then check what it really is.

    Nothing is left behind when it is refused: the partial file is removed.
    """
    directory = storage_dir()
    stored_name = secrets.token_hex(24)
    partial = directory / f".incoming-{stored_name}"
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
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredFile(stored_name, size, digest.hexdigest(), media_type)


def detect_type(path: Path) -> str:
    """The file's media type from its content; refuses anything not allowed."""
    media_type = magic.from_file(str(path), mime=True)
    if media_type not in ALLOWED_TYPES:
        described = magic.from_file(str(path)).split(",")[0]
        raise DomainError(
            f"This file's content is '{described}', which cannot be attached; "
            f"attach a {ALLOWED_SUMMARY} file.",
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


def remove_stored(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)
