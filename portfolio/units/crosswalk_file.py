"""Reading a crosswalk file: YAML parsed with line numbers, checked against its schema and
its own rules, in the same way as a criteria file (``criteria_file``).

A crosswalk file (``criteria/crosswalks/*.yaml``, described in the README there) lists the
units it covers and its *concepts*: competences the units share, each naming the criteria
of each unit that assess it. A file is parsed again only when it has changed.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from portfolio.units.criteria_file import (
    CRITERIA_PATH,
    CriteriaFileError,
    Problem,
    check_yaml,
    format_path,
    line_for,
)

CROSSWALKS_PATH = CRITERIA_PATH / "crosswalks"
SCHEMA_PATH = CROSSWALKS_PATH / "schema.json"


class CrosswalkFileError(CriteriaFileError):
    """A crosswalk file that cannot be used; ``problems`` says every place that is wrong."""


@dataclass(frozen=True)
class UnitRef:
    awarding_body: str
    unit: str


@dataclass(frozen=True)
class Concept:
    """A competence the units share, with the criteria of each awarding body that assess it."""

    code: str
    title: str
    note: str
    # Awarding body code to criterion numbers; a body may have none.
    criteria: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class CrosswalkDocument:
    """A parsed, schema-checked file, not yet checked against the criteria library."""

    source: str
    title: str
    units: tuple[UnitRef, ...]
    concepts: tuple[Concept, ...]
    lines: dict = field(repr=False, compare=False)

    def line(self, *path) -> int | None:
        return line_for(self.lines, tuple(path))


@cache
def _validator():
    from jsonschema import Draft202012Validator  # slow to import: only reading files needs it

    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def display_name(path: Path) -> str:
    """The path as people know it: relative to the repository when it is inside it."""
    try:
        return str(path.resolve().relative_to(CRITERIA_PATH.parent))
    except ValueError:
        return str(path)


def parse(text: str, source: str) -> CrosswalkDocument:
    """Parse and check one file's text; raises CrosswalkFileError naming every problem."""
    data, lines = check_yaml(text, source, _validator(), _check_rules, CrosswalkFileError)
    return CrosswalkDocument(
        source=source,
        title=data["title"],
        units=tuple(UnitRef(u["awarding_body"], u["unit"]) for u in data["units"]),
        concepts=tuple(
            Concept(
                code=c["code"],
                title=c["title"],
                note=c.get("note", ""),
                criteria={body: tuple(numbers) for body, numbers in c["criteria"].items()},
            )
            for c in data["concepts"]
        ),
        lines=lines,
    )


def _check_rules(data: dict, lines: dict) -> list[Problem]:
    """The rules a schema cannot say, short of the criteria library: uniqueness, references."""
    problems = []

    def add(path, message):
        problems.append(Problem(line_for(lines, path), format_path(path), message))

    bodies = set()
    for i, unit in enumerate(data["units"]):
        if unit["awarding_body"] in bodies:
            add(
                ("units", i, "awarding_body"),
                f"awarding body {unit['awarding_body']} is listed twice; a crosswalk holds "
                "one unit of each awarding body",
            )
        bodies.add(unit["awarding_body"])

    codes = set()
    for i, concept in enumerate(data["concepts"]):
        if concept["code"] in codes:
            add(("concepts", i, "code"), f"concept code {concept['code']!r} is used twice")
        codes.add(concept["code"])
        for body, numbers in concept["criteria"].items():
            if body not in bodies:
                add(
                    ("concepts", i, "criteria", body),
                    f"{body} is not the awarding body of any unit listed under units",
                )
            seen = set()
            for j, number in enumerate(numbers):
                if number in seen:
                    add(
                        ("concepts", i, "criteria", body, j),
                        f"criterion {number} of {body} is given twice in this concept",
                    )
                seen.add(number)
        if not any(concept["criteria"].values()):
            add(("concepts", i, "criteria"), "the concept names no criterion")
    return problems


# Parsed files by path: the file's (modification time, size) and what reading it gave.
_parsed: dict[Path, tuple[tuple[int, int], CrosswalkDocument | CrosswalkFileError]] = {}


def read(path: Path) -> CrosswalkDocument:
    """One file, parsed and schema-checked; parsed again only when the file has changed."""
    source = display_name(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise CrosswalkFileError(source, [Problem(None, "", "no such file or folder")]) from None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _parsed.get(path.resolve())
    if cached is None or cached[0] != key:
        try:
            text = path.read_text(encoding="utf-8")
            result: CrosswalkDocument | CrosswalkFileError = parse(text, source)
        except UnicodeDecodeError as error:
            result = CrosswalkFileError(
                source, [Problem(None, "", f"not UTF-8 text ({error.reason})")]
            )
        except CrosswalkFileError as error:
            result = error
        cached = (key, result)
        _parsed[path.resolve()] = cached
    if isinstance(cached[1], CrosswalkFileError):
        raise cached[1]
    return cached[1]


def crosswalk_files(path: Path, *, strict: bool = False) -> list[Path]:
    """The file itself, or every ``*.yaml``/``*.yml`` file of a folder in name order.

    A missing or empty folder is no crosswalk at all, unless ``strict`` (the check command).
    """
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files and strict:
            raise CrosswalkFileError(
                display_name(path), [Problem(None, "", "the folder holds no .yaml files")]
            )
        return files
    if not path.exists() and not strict:
        return []
    return [path]
