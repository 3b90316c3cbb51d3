"""Crosswalks: one unit as several awarding bodies specify it, linked by shared competences.

A crosswalk file (``criteria/crosswalks/*.yaml``, described in the README there) lists the
units it covers and its *concepts*: competences the units share, each naming the criteria
of each unit that assess it. It is read from the file, cached per file modification time,
and checked against the criteria library's current criteria every time it is loaded, so a
new version of a unit that the crosswalk does not fit is refused instead of misread.

``cover`` says how one learner's evidence would cover the crosswalk's other units;
``cover_cohort`` counts the same for a cohort in a fixed number of queries.
"""

import enum
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from portfolio import ROOT
from portfolio.accounts.models import User
from portfolio.assessment.signoff import met_criteria
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.evidence.models import CriterionClaim, EvidenceItem
from portfolio.progress.models import CLAIMED, MET, CriterionState
from portfolio.units.criteria_file import (
    CriteriaFileError,
    Problem,
    check_yaml,
    format_path,
    line_for,
)
from portfolio.units.models import AwardingBody, CriteriaSet, Criterion, Unit

CROSSWALKS_PATH = ROOT / "criteria" / "crosswalks"
SCHEMA_PATH = CROSSWALKS_PATH / "schema.json"


class CrosswalkFileError(CriteriaFileError):
    """A crosswalk file that cannot be used; ``problems`` says every place that is wrong."""


# --- Reading a file -------------------------------------------------------------------------


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
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def display_name(path: Path) -> str:
    """The path as people know it: relative to the repository when it is inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
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


# --- Checking against the criteria library ---------------------------------------------------


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


def crosswalk_for(crosswalks: Iterable[Crosswalk], unit_id: int) -> Crosswalk | None:
    return next((c for c in crosswalks if c.unit_for(unit_id) is not None), None)


@click.command("crosswalk-check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def crosswalk_check_command(path: Path | None):
    """Check crosswalk files (a file or a folder; default: criteria/crosswalks/) against the
    criteria library's current criteria."""
    try:
        crosswalks = load_crosswalks(path or CROSSWALKS_PATH, strict=True)
    except CrosswalkFileError as error:
        raise click.ClickException(f"the crosswalk is refused.\n{error}") from None
    for crosswalk in crosswalks:
        criteria = sum(len(u.criteria) for u in crosswalk.units)
        click.echo(
            f"{crosswalk.source}: '{crosswalk.title}' is valid: {len(crosswalk.units)} units, "
            f"{criteria} criteria, {len(crosswalk.concepts)} concepts."
        )


# --- Coverage ---------------------------------------------------------------------------------


class CoverageState(enum.StrEnum):
    MET = "met"
    CLAIMED = "claimed"
    NOT_COVERED = "not covered"

    @property
    def label(self) -> str:
        return {"met": "Would be met", "claimed": "Claimed only", "not covered": "Not covered"}[
            self.value
        ]


@dataclass(frozen=True)
class SourceCriterion:
    """A criterion of the learner's own unit."""

    number: str
    text: str


@dataclass(frozen=True)
class CriterionCoverage:
    number: str
    text: str
    state: CoverageState
    concepts: tuple[Concept, ...]
    # The learner's criteria sharing a concept with this one: met, and claimed but not met.
    met_by: tuple[SourceCriterion, ...]
    claimed_by: tuple[SourceCriterion, ...]

    @property
    def covered_by(self) -> tuple[SourceCriterion, ...]:
        return self.met_by if self.state is CoverageState.MET else self.claimed_by


@dataclass(frozen=True)
class UnitCoverage:
    """How one learner's evidence would cover another awarding body's unit."""

    awarding_body: str
    awarding_body_code: str
    unit_id: int
    unit_code: str
    title: str
    level: int
    version: int
    criteria: tuple[CriterionCoverage, ...]

    @property
    def total(self) -> int:
        return len(self.criteria)

    def count(self, state: CoverageState) -> int:
        return sum(1 for c in self.criteria if c.state is state)

    @property
    def would_meet(self) -> int:
        return self.count(CoverageState.MET)

    @property
    def claimed_only(self) -> int:
        return self.count(CoverageState.CLAIMED)


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def project(
    crosswalk: Crosswalk,
    source: CrosswalkUnit,
    met: dict[str, str],
    claimed: dict[str, str],
) -> list[UnitCoverage]:
    """Map the source unit's met and claimed criteria (number to text) onto the other units.

    A target criterion would be met if one of its concepts holds a met criterion of the
    source unit; claimed only if one holds only claimed ones.
    """
    body = source.body_code

    def sources(numbers: dict[str, str], concept_codes: set[str]) -> tuple[SourceCriterion, ...]:
        return tuple(
            SourceCriterion(n, numbers[n])
            for n in sorted(numbers, key=_number_key)
            if concept_codes & {c.code for c in crosswalk.concepts_of(body, n)}
        )

    out = []
    for target in crosswalk.units:
        if target.unit.id == source.unit.id:
            continue
        rows = []
        for criterion in target.criteria:
            concepts = crosswalk.concepts_of(target.body_code, criterion.number)
            codes = {c.code for c in concepts}
            met_by = sources(met, codes)
            claimed_by = sources({n: t for n, t in claimed.items() if n not in met}, codes)
            state = (
                CoverageState.MET
                if met_by
                else CoverageState.CLAIMED
                if claimed_by
                else CoverageState.NOT_COVERED
            )
            rows.append(
                CriterionCoverage(
                    criterion.number, criterion.text, state, concepts, met_by, claimed_by
                )
            )
        out.append(
            UnitCoverage(
                awarding_body=target.awarding_body.name,
                awarding_body_code=target.body_code,
                unit_id=target.unit.id,
                unit_code=target.unit.code,
                title=target.criteria_set.title,
                level=target.criteria_set.level,
                version=target.criteria_set.version,
                criteria=tuple(rows),
            )
        )
    return out


def cover(enrolment: Enrolment, crosswalks: list[Crosswalk] | None = None) -> list[UnitCoverage]:
    """How the learner's evidence (criteria met, and claimed) would cover each other unit of
    the crosswalk holding their unit; empty when no crosswalk holds it.

    Criteria are matched by number: if the learner works to an older version of their unit's
    criteria than the crosswalk (which follows the current one), the numbers are trusted.
    """
    crosswalks = load_crosswalks() if crosswalks is None else crosswalks
    crosswalk = crosswalk_for(crosswalks, enrolment.unit_id)
    if crosswalk is None:
        return []
    own = {c.id: c for c in enrolment.criteria_set.criteria}
    met_ids = set(met_criteria(enrolment))
    claimed_ids = set(
        db.session.scalars(
            select(CriterionClaim.criterion_id)
            .join(EvidenceItem, EvidenceItem.id == CriterionClaim.item_id)
            .where(EvidenceItem.enrolment_id == enrolment.id)
        )
    )
    met = {own[i].number: own[i].text for i in met_ids if i in own}
    claimed = {own[i].number: own[i].text for i in claimed_ids - met_ids if i in own}
    return project(crosswalk, crosswalk.unit_for(enrolment.unit_id), met, claimed)


# --- A cohort ---------------------------------------------------------------------------------


def _numbers_in_state(enrolment_ids: list[int], states: tuple[int, ...]) -> dict[int, set[str]]:
    """The numbers of each enrolment's criteria in one of ``states``, in one query, from the
    criterion states that ``portfolio.progress.refresh`` keeps in the same transaction as the
    evidence, claims and judgements they come from."""
    rows = db.session.execute(
        select(CriterionState.enrolment_id, Criterion.number)
        .join(Criterion, Criterion.id == CriterionState.criterion_id)
        .where(CriterionState.enrolment_id.in_(enrolment_ids), CriterionState.state.in_(states))
    ).all()
    out: dict[int, set[str]] = defaultdict(set)
    for enrolment_id, number in rows:
        out[enrolment_id].add(number)
    return out


def met_numbers(enrolment_ids: list[int]) -> dict[int, set[str]]:
    """Criterion numbers met by accepted evidence, per enrolment (the rule of
    ``met_criteria``), in one query."""
    return _numbers_in_state(enrolment_ids, (MET,))


def claimed_numbers(enrolment_ids: list[int]) -> dict[int, set[str]]:
    """Criterion numbers claimed on any of each enrolment's items or met, in one query."""
    return _numbers_in_state(enrolment_ids, (CLAIMED, MET))


@dataclass(frozen=True)
class CohortCriterion:
    number: str
    text: str
    # Learners who would meet it, and those covering it by claims only; sorted by name.
    met: tuple[User, ...]
    claimed: tuple[User, ...]


@dataclass(frozen=True)
class CohortUnitCoverage:
    awarding_body: str
    awarding_body_code: str
    unit_id: int
    unit_code: str
    title: str
    level: int
    version: int
    # The cohort's learners on other units of the crosswalk: those counted here.
    learners: tuple[User, ...]
    criteria: tuple[CohortCriterion, ...]


def _by_name(users: Iterable[User]) -> tuple[User, ...]:
    return tuple(sorted(users, key=lambda u: (u.name.lower(), u.id)))


def cover_cohort(
    enrolments: list[Enrolment], crosswalks: list[Crosswalk] | None = None
) -> list[CohortUnitCoverage]:
    """Per unit of a crosswalk, per criterion: which of these learners would meet it from
    their enrolments on the crosswalk's other units.

    A fixed number of queries whatever the number of learners, if the enrolments come with
    their learner loaded (as ``visible_enrolments`` does). A learner counts once per unit
    even with several enrolments; their enrolment on the unit itself does not count.
    """
    crosswalks = load_crosswalks() if crosswalks is None else crosswalks
    placed = [(e, crosswalk_for(crosswalks, e.unit_id)) for e in enrolments]
    placed = [(e, c) for e, c in placed if c is not None]
    if not placed:
        return []
    ids = [e.id for e, _ in placed]
    met, claimed = met_numbers(ids), claimed_numbers(ids)
    out = []
    for crosswalk in crosswalks:
        # (unit id, criterion number) -> learner id -> best state; and learner ids per unit.
        states: dict[tuple[int, str], dict[int, CoverageState]] = defaultdict(dict)
        counted: dict[int, set[int]] = defaultdict(set)
        learners: dict[int, User] = {}
        for enrolment, home in placed:
            if home is not crosswalk:
                continue
            learners[enrolment.learner_id] = enrolment.learner
            source = crosswalk.unit_for(enrolment.unit_id)
            own_met = dict.fromkeys(met.get(enrolment.id, ()), "")
            own_claimed = dict.fromkeys(claimed.get(enrolment.id, ()), "")
            for unit in project(crosswalk, source, own_met, own_claimed):
                counted[unit.unit_id].add(enrolment.learner_id)
                for row in unit.criteria:
                    best = states[(unit.unit_id, row.number)]
                    current = best.get(enrolment.learner_id, CoverageState.NOT_COVERED)
                    if row.state is CoverageState.MET or (
                        row.state is CoverageState.CLAIMED and current is not CoverageState.MET
                    ):
                        best[enrolment.learner_id] = row.state
        for target in crosswalk.units:
            if not counted[target.unit.id]:
                continue
            rows = []
            for criterion in target.criteria:
                best = states[(target.unit.id, criterion.number)]
                rows.append(
                    CohortCriterion(
                        criterion.number,
                        criterion.text,
                        met=_by_name(
                            learners[i] for i, s in best.items() if s is CoverageState.MET
                        ),
                        claimed=_by_name(
                            learners[i] for i, s in best.items() if s is CoverageState.CLAIMED
                        ),
                    )
                )
            out.append(
                CohortUnitCoverage(
                    awarding_body=target.awarding_body.name,
                    awarding_body_code=target.body_code,
                    unit_id=target.unit.id,
                    unit_code=target.unit.code,
                    title=target.criteria_set.title,
                    level=target.criteria_set.level,
                    version=target.criteria_set.version,
                    learners=_by_name(learners[i] for i in counted[target.unit.id]),
                    criteria=tuple(rows),
                )
            )
    return out
