"""Crosswalks checked against the criteria library: one unit as several awarding bodies
specify it, linked by shared competences.

Crosswalk files are not imported: they are read (``crosswalk_file``) and checked against the
library's current criteria every time they are loaded, so that a new version of a unit that
a crosswalk does not fit is refused instead of misread.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from portfolio.db import db
from portfolio.units.criteria_file import Problem, format_path
from portfolio.units.crosswalk_file import (
    CROSSWALKS_PATH,
    Concept,
    CrosswalkDocument,
    CrosswalkFileError,
    UnitRef,
    crosswalk_files,
    read,
)
from portfolio.units.models import AwardingBody, CriteriaSet, Criterion, Unit


@dataclass(frozen=True)
class CrosswalkUnit:
    """A unit of a crosswalk, with its current criteria set from the library."""

    awarding_body: AwardingBody
    unit: Unit
    criteria_set: CriteriaSet
    criteria: tuple[Criterion, ...]

    @property
    def body_code(self) -> str:
        return self.awarding_body.code


@dataclass(frozen=True)
class Crosswalk:
    source: str
    title: str
    units: tuple[CrosswalkUnit, ...]
    concepts: tuple[Concept, ...]

    def unit_for(self, unit_id: int) -> CrosswalkUnit | None:
        return next((u for u in self.units if u.unit.id == unit_id), None)

    def concepts_of(self, body_code: str, number: str) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if number in c.criteria.get(body_code, ()))


def configured_path() -> Path:
    return Path(current_app.config.get("CRITERIA_CROSSWALKS_PATH") or CROSSWALKS_PATH)


def load_crosswalks(path: Path | None = None, *, strict: bool = False) -> list[Crosswalk]:
    """Every crosswalk of a file or folder (default: the configured folder), checked against
    the library's current criteria; a bad file raises CrosswalkFileError naming file and line.

    Two queries at most when all is well, whatever the number of files.
    """
    files = crosswalk_files(path or configured_path(), strict=strict)
    documents = [read(file) for file in files]
    seen: dict[UnitRef, str] = {}
    for document in documents:
        for i, ref in enumerate(document.units):
            if ref in seen:
                raise CrosswalkFileError(
                    document.source,
                    [
                        Problem(
                            document.line("units", i),
                            format_path(("units", i)),
                            f"unit {ref.unit} of {ref.awarding_body} is also in the crosswalk "
                            f"{seen[ref]}; a unit may be in one crosswalk only",
                        )
                    ],
                )
            seen[ref] = document.source
    library = _library(set(seen))
    return [_resolve(document, library) for document in documents]


def crosswalk_for(crosswalks: Iterable[Crosswalk], unit_id: int) -> Crosswalk | None:
    return next((c for c in crosswalks if c.unit_for(unit_id) is not None), None)


def _library(refs: set[UnitRef]) -> dict[UnitRef, CrosswalkUnit]:
    """These units with their current (newest) criteria set, in one query."""
    if not refs:
        return {}
    newest = (
        select(CriteriaSet.unit_id, func.max(CriteriaSet.version).label("version"))
        .group_by(CriteriaSet.unit_id)
        .subquery()
    )
    rows = db.session.execute(
        select(AwardingBody, Unit, CriteriaSet, Criterion)
        .join(Unit, Unit.awarding_body_id == AwardingBody.id)
        .join(newest, newest.c.unit_id == Unit.id)
        .join(
            CriteriaSet,
            (CriteriaSet.unit_id == Unit.id) & (CriteriaSet.version == newest.c.version),
        )
        .join(Criterion, Criterion.criteria_set_id == CriteriaSet.id)
        .where(
            AwardingBody.code.in_({r.awarding_body for r in refs}),
            Unit.code.in_({r.unit for r in refs}),
        )
        .order_by(Unit.id, Criterion.position)
    ).all()
    found: dict[UnitRef, list] = {}
    for body, unit, criteria_set, criterion in rows:
        ref = UnitRef(body.code, unit.code)
        if ref in refs:
            found.setdefault(ref, [body, unit, criteria_set, []])[3].append(criterion)
    return {
        ref: CrosswalkUnit(body, unit, criteria_set, tuple(criteria))
        for ref, (body, unit, criteria_set, criteria) in found.items()
    }


def _resolve(document: CrosswalkDocument, library: dict[UnitRef, CrosswalkUnit]) -> Crosswalk:
    problems: list[Problem] = []

    def add(path, message):
        problems.append(Problem(document.line(*path), format_path(path), message))

    missing = [ref for ref in document.units if ref not in library]
    known_bodies = (
        set(
            db.session.scalars(
                select(AwardingBody.code).where(
                    AwardingBody.code.in_({r.awarding_body for r in missing})
                )
            )
        )
        if missing
        else set()
    )
    units: list[CrosswalkUnit] = []
    for i, ref in enumerate(document.units):
        unit = library.get(ref)
        if unit is not None:
            units.append(unit)
        elif ref.awarding_body not in known_bodies:
            add(
                ("units", i, "awarding_body"),
                f"there is no awarding body {ref.awarding_body} in the criteria library",
            )
        else:
            add(
                ("units", i, "unit"),
                f"{ref.awarding_body} has no unit {ref.unit} in the criteria library",
            )
    by_body = {u.body_code: u for u in units}

    for i, concept in enumerate(document.concepts):
        for body, numbers in concept.criteria.items():
            unit = by_body.get(body)
            if unit is None:
                continue  # the unit itself is already reported
            known = {c.number for c in unit.criteria}
            for j, number in enumerate(numbers):
                if number not in known:
                    add(
                        ("concepts", i, "criteria", body, j),
                        f"{unit.unit.code} has no criterion {number} in its current criteria "
                        f"(version {unit.criteria_set.version})",
                    )
    for i, ref in enumerate(document.units):
        unit = library.get(ref)
        if unit is None:
            continue
        placed = {n for c in document.concepts for n in c.criteria.get(ref.awarding_body, ())}
        for criterion in unit.criteria:
            if criterion.number not in placed:
                add(
                    ("units", i),
                    f"criterion {criterion.number} of {ref.unit} (version "
                    f"{unit.criteria_set.version}) is under no concept",
                )
    if problems:
        raise CrosswalkFileError(document.source, problems)
    return Crosswalk(document.source, document.title, tuple(units), document.concepts)
