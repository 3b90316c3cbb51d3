"""Reading notes in bulk for ``flask pii scan`` and ``flask evidence suggest``: whole files,
or JSON lines (one object a line, the note in its ``text`` field), from files or ``-`` for
standard input.

Each note comes back in input order as a ``Note``. A line that cannot be read is a ``Note``
with an ``error`` naming what is wrong, so that the output stays one line per input line
and the run carries on; the command reports the errors and fails at the end.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class Note:
    source: str  # the file name as given, "-" for standard input
    line: int | None  # the line number in JSON lines mode
    text: str = ""
    record: dict | None = None  # the JSON object the note came in, passed through
    error: str | None = None

    @property
    def place(self) -> str:
        where = "standard input" if self.source == "-" else self.source
        return f"{where}, line {self.line}" if self.line else where


def _decode(data: bytes) -> str | None:
    """UTF-8 text, without the byte-order mark some editors put first (Notepad's), so that
    offsets count from the note's first character."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def read_files(paths: Iterable[str]) -> Iterator[Note]:
    """Each file (or standard input) as one note."""
    for path in paths:
        with click.open_file(path, "rb") as file:
            text = _decode(file.read())
        if text is None:
            yield Note(path, None, error="not UTF-8 text")
        else:
            yield Note(path, None, text=text)


def read_jsonl(paths: Iterable[str]) -> Iterator[Note]:
    """Each non-blank line of each file (or standard input) as one note; blank lines are
    skipped, and a line may end in CRLF."""
    for path in paths:
        with click.open_file(path, "rb") as file:
            for number, raw in enumerate(file, start=1):
                if raw.strip():
                    yield _parse_line(path, number, raw)


def _parse_line(path: str, number: int, raw: bytes) -> Note:
    def refuse(reason: str) -> Note:
        return Note(path, number, error=reason)

    line = _decode(raw)
    if line is None:
        return refuse("not UTF-8 text")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return refuse(f"not valid JSON ({error.msg} at column {error.colno})")
    if not isinstance(record, dict):
        return refuse(f"expected a JSON object with a 'text' field, found {_kind(record)}")
    if "text" not in record:
        return refuse("the object has no 'text' field")
    if not isinstance(record["text"], str):
        return refuse(f"'text' must be a string, found {_kind(record['text'])}")
    return Note(path, number, text=record["text"], record=record)


def _kind(value) -> str:
    if value is None:
        return "null"
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string"}
    return names.get(type(value), "a list" if isinstance(value, list) else "an object")


def echo_error(note: Note) -> None:
    click.echo(f"{note.place}: {note.error}", err=True)


def finish(failed: int, total: int, what: str) -> None:
    """Fail the command, after all output, when any of ``total`` inputs (``what``: "line" or
    "file") could not be read."""
    if failed:
        raise click.ClickException(
            f"{failed:,} of {total:,} {what}{'' if total == 1 else 's'} could not be read "
            "(named above); each has an object with 'error' in its place in the output."
        )
