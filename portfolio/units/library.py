"""The criteria library: importing criteria files as versioned criteria sets."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from portfolio.db import db
from portfolio.text import render_markdown
from portfolio.units.criteria_file import CriteriaDocument, CriteriaFileError, Problem, read
from portfolio.units.models import (
    AwardingBody,
    CriteriaSet,
    Criterion,
    LearningOutcome,
    Qualification,
    Unit,
)


@dataclass(frozen=True)
class ImportResult:
    source: str
    criteria_set: CriteriaSet
    changed: bool

    def describe(self) -> str:
        unit = self.criteria_set.unit
        what = f"{unit.awarding_body.name} {unit.code} '{unit.title}'"
        if not self.changed:
            return f"{self.source}: {what} unchanged (version {self.criteria_set.version})"
        count = len(self.criteria_set.criteria)
        version = self.criteria_set.version
        return f"{self.source}: {what} imported as version {version} ({count} criteria)"


def criteria_files(path: Path) -> list[Path]:
    """The file itself, or every ``*.yaml``/``*.yml`` file in a folder, in name order."""
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise CriteriaFileError(
                str(path), [Problem(None, "", "the folder holds no .yaml files")]
            )
        return files
    if not path.exists():
        raise CriteriaFileError(str(path), [Problem(None, "", "no such file or folder")])
    return [path]


def import_criteria(path: Path) -> list[ImportResult]:
    """Check every file first, then load them all; a bad file means nothing is loaded.

    Only flushes: the caller commits, or rolls back on an exception.
    """
    documents = [read(file) for file in criteria_files(path)]
    units_seen: dict[tuple[str, str], str] = {}
    for document in documents:
        key = (document.data["awarding_body"]["code"], document.data["unit"]["code"])
        if key in units_seen:
            raise CriteriaFileError(
                document.source,
                [
                    Problem(
                        None,
                        "unit.code",
                        f"unit {key[1]} of {key[0]} is also defined in {units_seen[key]}",
                    )
                ],
            )
        units_seen[key] = document.source
    return [load_document(document) for document in documents]


def load_document(document: CriteriaDocument) -> ImportResult:
    """Load one checked document: a new criteria set version unless nothing changed."""
    data = document.data
    body = _awarding_body(data["awarding_body"])
    unit_data = data["unit"]
    unit = db.session.scalar(
        select(Unit).where(Unit.awarding_body_id == body.id, Unit.code == unit_data["code"])
    )
    if unit is None:
        unit = Unit(
            awarding_body=body,
            code=unit_data["code"],
            title=unit_data["title"],
            level=unit_data["level"],
        )
        db.session.add(unit)
    elif unit.criteria_sets and unit.current.content_hash == document.content_hash:
        return ImportResult(_source_name(document), unit.current, changed=False)

    unit.title = unit_data["title"]
    unit.level = unit_data["level"]
    unit.qualifications = [_qualification(body, q) for q in data["qualifications"]]
    version = unit.current.version + 1 if unit.criteria_sets else 1
    criteria_set = CriteriaSet(
        unit=unit,
        version=version,
        content_hash=document.content_hash,
        source_name=_source_name(document),
        title=unit_data["title"],
        level=unit_data["level"],
        numbering=unit_data["numbering"],
        numbering_note=unit_data.get("numbering_note"),
        summary=unit_data["summary"],
        guidance_html=render_markdown(data["guidance"]),
        evidence_requirements=data["evidence_requirements"],
        document=data,
    )
    db.session.add(criteria_set)
    outcomes = {}
    for outcome in data["learning_outcomes"]:
        outcomes[outcome["number"]] = LearningOutcome(
            criteria_set=criteria_set, number=outcome["number"], text=outcome["text"]
        )
    for position, criterion in enumerate(data["criteria"]):
        db.session.add(
            Criterion(
                criteria_set=criteria_set,
                outcome=outcomes[criterion["outcome"]],
                number=criterion["number"],
                position=position,
                text=criterion["text"],
            )
        )
    db.session.flush()
    db.session.refresh(unit, ["criteria_sets"])
    return ImportResult(criteria_set.source_name, criteria_set, changed=True)


def _source_name(document: CriteriaDocument) -> str:
    return Path(document.source).name


def _awarding_body(data: dict) -> AwardingBody:
    body = db.session.scalar(select(AwardingBody).where(AwardingBody.code == data["code"]))
    if body is None:
        body = AwardingBody(code=data["code"], name=data["name"])
        db.session.add(body)
        db.session.flush()
    body.name = data["name"]
    return body


def _qualification(body: AwardingBody, data: dict) -> Qualification:
    qualification = db.session.scalar(
        select(Qualification).where(
            Qualification.awarding_body_id == body.id, Qualification.code == data["code"]
        )
    )
    if qualification is None:
        qualification = Qualification(awarding_body=body, code=data["code"])
        db.session.add(qualification)
    qualification.title = data["title"]
    qualification.level = data["level"]
    return qualification
