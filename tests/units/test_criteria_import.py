"""Importing criteria files: versions, idempotence and refusal of bad files."""

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import String, Text, func, select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.units.criteria_file import SCHEMA_PATH
from portfolio.units.models import (
    AwardingBody,
    CriteriaSet,
    Criterion,
    LearningOutcome,
    Qualification,
    Unit,
)
from tests.conftest import CRITERIA_DIR
from tests.factories import make_enrolment

EXPECTED_COUNTS = {"VTCT": 5, "PEARSON": 3, "CG": 8, "SFJ": 3, "BIIAB": 5}
SEED_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def table_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (AwardingBody, Unit, CriteriaSet, LearningOutcome, Criterion)
    }


def write(tmp_path: Path, data: dict, name: str = "unit.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def pearson() -> dict:
    return yaml.safe_load((CRITERIA_DIR / "pearson-deal-with-incidents.yaml").read_text())


def test_library_holds_each_awarding_bodys_criteria(app):
    counts = dict(
        db.session.execute(
            select(AwardingBody.code, func.count(Criterion.id))
            .join(Unit, Unit.awarding_body_id == AwardingBody.id)
            .join(CriteriaSet, CriteriaSet.unit_id == Unit.id)
            .join(Criterion, Criterion.criteria_set_id == CriteriaSet.id)
            .group_by(AwardingBody.code)
        ).all()
    )
    assert counts == EXPECTED_COUNTS


def test_city_and_guilds_unit_is_level_3_in_two_qualifications(app):
    unit = db.session.scalar(select(Unit).join(AwardingBody).where(AwardingBody.code == "CG"))
    assert unit.title == "Manage incidents referred to a contact centre"
    assert unit.level == 3
    assert len(unit.qualifications) == 2
    assert {q.level for q in unit.qualifications} == {3}


@pytest.mark.skipif(not SEED_DIR.exists(), reason="the seeds are beside the repository only")
def test_every_criterion_is_word_for_word_from_its_seed(app):
    seeds = "\n".join(p.read_text() for p in SEED_DIR.glob("*.txt"))
    texts = db.session.scalars(select(Criterion.text)).all()
    assert len(texts) == 24
    for text in texts:
        assert f"• {text}" in seeds


def test_importing_an_unchanged_folder_twice_changes_nothing(app, runner):
    before = table_counts()
    result = runner.invoke(args=["criteria", "import", str(CRITERIA_DIR)])
    assert result.exit_code == 0, result.output
    assert "0 of 5 files changed the library" in result.output
    assert table_counts() == before


def test_a_changed_file_makes_a_new_version_and_keeps_the_old(app, runner, tmp_path):
    data = pearson()
    data["criteria"][0]["text"] = "A reworded criterion in a later specification."
    path = write(tmp_path, data)
    unit = db.session.scalar(select(Unit).where(Unit.code == "PEARSON-INCIDENTS"))
    old = unit.current
    old_text = old.criteria[0].text

    result = runner.invoke(args=["criteria", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported as version 2" in result.output
    db.session.expire_all()
    assert [s.version for s in unit.criteria_sets] == [1, 2]
    assert unit.current.criteria[0].text == "A reworded criterion in a later specification."
    assert old.criteria[0].text == old_text  # what points at version 1 stays on version 1

    again = runner.invoke(args=["criteria", "import", str(path)])
    assert "unchanged (version 2)" in again.output


def test_enrolment_keeps_its_criteria_version_when_a_new_one_arrives(app, runner, tmp_path, people):
    enrolment = make_enrolment(people[Role.LEARNER])
    original = enrolment.criteria_set_id
    data = pearson()
    data["unit"]["summary"] = "Changed summary."
    runner.invoke(args=["criteria", "import", str(write(tmp_path, data))])
    db.session.expire_all()
    assert enrolment.criteria_set_id == original
    assert enrolment.unit.current.id != original


def test_a_new_unit_of_another_awarding_body_can_be_added(app, runner, tmp_path):
    data = pearson()
    data["awarding_body"] = {"code": "NCFE", "name": "NCFE"}
    data["qualifications"] = [
        {"code": "NCFE-L3-CC", "title": "NCFE Level 3 Certificate", "level": 3}
    ]
    data["unit"]["code"] = "NCFE-COMPLAINTS"
    data["unit"]["title"] = "Handle customer complaints"
    result = runner.invoke(args=["criteria", "import", str(write(tmp_path, data))])
    assert result.exit_code == 0, result.output
    unit = db.session.scalar(select(Unit).where(Unit.code == "NCFE-COMPLAINTS"))
    assert unit.awarding_body.name == "NCFE"
    assert len(unit.current.criteria) == 3


def missing_field(data):
    del data["criteria"][1]["text"]
    return "line", "criteria[1]", "'text' is missing"


def duplicate_number(data):
    data["criteria"].append({"number": "1.1", "outcome": 1, "text": "Again."})
    return "line", "criteria[3].number", "'1.1' is used twice"


def unknown_outcome(data):
    data["criteria"][2]["outcome"] = 9
    data["criteria"][2]["number"] = "9.1"
    return "line", "criteria[2].outcome", "names learning outcome 9, which the file does not define"


def unknown_key(data):
    data["unit"]["colour"] = "blue"
    return "line", "unit.colour", "unknown key 'colour'; the keys allowed here are code, title"


def wrong_type(data):
    data["unit"]["level"] = "two"
    return "line", "unit.level", "must be a whole number, but is the text 'two'"


def date_for_text(data):
    data["unit"]["title"] = date(2024, 1, 1)
    return "line", "unit.title", "must be text, but is a date (2024-01-01); put it in quotes"


def yes_for_text(data):
    data["qualifications"][0]["code"] = True
    return "line", "qualifications[0].code", "must be text, but is true (YAML reads yes, no"


def empty_value(data):
    data["unit"]["level"] = None
    return "line", "unit.level", "must be a whole number, but is empty"


def long_guidance(data):
    data["guidance"] = "- point\n" * 6251
    return "line", "guidance", "is 50,008 characters long; the most is 50,000"


def long_title(data):
    data["unit"]["title"] = "T" * 301
    return "line", "unit.title", "is 301 characters long; the most is 300"


@pytest.mark.parametrize(
    "break_it",
    [
        missing_field,
        duplicate_number,
        unknown_outcome,
        unknown_key,
        wrong_type,
        date_for_text,
        yes_for_text,
        empty_value,
        long_guidance,
        long_title,
    ],
)
def test_a_malformed_file_is_refused_whole_with_file_place_and_reason(
    app, runner, tmp_path, break_it
):
    good = write(
        tmp_path, {**pearson(), "unit": {**pearson()["unit"], "code": "NEW-UNIT"}}, "a.yaml"
    )
    data = pearson()
    _, place, reason = break_it(data)
    bad = write(tmp_path, data, "b.yaml")
    before = table_counts()

    result = runner.invoke(args=["criteria", "import", str(tmp_path)])

    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    assert str(bad) in result.output
    assert f"({place})" in result.output
    assert reason in result.output
    assert " line " in result.output or ", line " in result.output
    assert table_counts() == before  # not even the good file beside it
    assert good.exists()


def test_bad_yaml_names_the_line(app, runner, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("format: 1\nawarding_body:\n  code: [unclosed\n  name: X\n")
    before = table_counts()
    result = runner.invoke(args=["criteria", "import", str(path)])
    assert result.exit_code != 0
    assert f"{path}, line" in result.output
    assert "not valid YAML" in result.output
    assert table_counts() == before


def test_a_key_given_twice_is_refused(app, runner, tmp_path):
    text = (CRITERIA_DIR / "sfj-awards-deal-with-incidents.yaml").read_text()
    path = tmp_path / "twice.yaml"
    path.write_text(text.replace("format: 1\n", "format: 1\nformat: 1\n", 1))
    result = runner.invoke(args=["criteria", "import", str(path)])
    assert result.exit_code != 0
    assert "line 3 (format): the key 'format' is given twice" in result.output


def test_a_missing_path_is_refused(app, runner, tmp_path):
    result = runner.invoke(args=["criteria", "import", str(tmp_path / "nope.yaml")])
    assert result.exit_code != 0
    assert "no such file or folder" in result.output


# ---- every bad value is named with its file, line and reason, on both databases --------------
def test_an_unknown_key_is_reported_at_its_own_line_not_its_blocks(app, runner, tmp_path):
    lines = (CRITERIA_DIR / "pearson-deal-with-incidents.yaml").read_text().splitlines()
    at = lines.index("  level: 2", lines.index("unit:"))
    lines.insert(at + 1, "  colour: blue")
    lines.insert(lines.index("learning_outcomes:"), "tags:\n  - incidents\n  - contact centre")
    path = tmp_path / "extra.yaml"
    path.write_text("\n".join(lines) + "\n")
    text = path.read_text().splitlines()
    colour = text.index("  colour: blue") + 1
    tags = text.index("tags:") + 1

    result = runner.invoke(args=["criteria", "import", str(path)])

    assert result.exit_code != 0
    assert (
        f"{path}, line {colour} (unit.colour): unknown key 'colour'; the keys allowed here "
        "are code, title, level, numbering, numbering_note, summary" in result.output
    )
    # a key whose value is a block is reported at the key, not at the block below it
    assert f"{path}, line {tags} (tags): unknown key 'tags'" in result.output


# The schema's maxLength for each string stored in a String column, and the column.
STRING_COLUMNS = {
    ("awarding_body", "code"): AwardingBody.__table__.c.code,
    ("awarding_body", "name"): AwardingBody.__table__.c.name,
    ("qualifications", "items", "code"): Qualification.__table__.c.code,
    ("qualifications", "items", "title"): Qualification.__table__.c.title,
    ("unit", "code"): Unit.__table__.c.code,
    ("unit", "title"): Unit.__table__.c.title,
    ("criteria", "items", "number"): Criterion.__table__.c.number,
}
# String columns whose values do not come from a file's strings as they are.
NOT_FROM_THE_FILE = {"criteria_set.content_hash", "criteria_set.source_name",
                     "criteria_set.numbering", "criteria_set.title"}  # fmt: skip


def test_the_schema_gives_every_string_its_columns_length():
    schema = json.loads(SCHEMA_PATH.read_text())
    for path, column in STRING_COLUMNS.items():
        node = schema
        for part in path:
            node = node["items"] if part == "items" else node["properties"][part]
        assert node["maxLength"] == column.type.length, (path, column)
    # the title of a version is the unit's title, so it has the same limit
    assert CriteriaSet.__table__.c.title.type.length == Unit.__table__.c.title.type.length
    covered = {str(c) for c in STRING_COLUMNS.values()} | NOT_FROM_THE_FILE
    for model in (AwardingBody, Qualification, Unit, CriteriaSet, LearningOutcome, Criterion):
        for column in model.__table__.c:
            if isinstance(column.type, String) and not isinstance(column.type, Text):
                assert str(column) in covered, f"{column} has no maxLength in criteria/schema.json"


def _set(data: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "limit"),
    [
        (("awarding_body", "code"), "B" * 41, 40),
        (("awarding_body", "name"), "N" * 201, 200),
        (("qualifications", 0, "code"), "Q" * 61, 60),
        (("qualifications", 0, "title"), "T" * 301, 300),
        (("unit", "code"), "U" * 61, 60),
        (("unit", "title"), "T" * 301, 300),
        (("criteria", 0, "number"), "1." + "1" * 19, 20),
    ],
)
def test_a_value_longer_than_its_column_is_refused_with_file_line_and_limit(
    app, runner, tmp_path, path, value, limit
):
    data = pearson()
    _set(data, path, value)
    bad = write(tmp_path, data)
    line = bad.read_text().splitlines().index(next(
        line for line in bad.read_text().splitlines() if value in line)) + 1  # fmt: skip
    before = table_counts()

    result = runner.invoke(args=["criteria", "import", str(bad)])

    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    place = ".".join(str(p) for p in path).replace(".0.", "[0].")
    assert (
        f"{bad}, line {line} ({place}): is {len(value)} characters long; "
        f"the most is {limit}" in result.output
    )
    assert table_counts() == before


def test_values_as_long_as_their_columns_import_on_both_databases(app, runner, tmp_path):
    data = pearson()
    data["awarding_body"] = {"code": "B" * 40, "name": "N" * 200}
    data["qualifications"] = [{"code": "Q" * 60, "title": "T" * 300, "level": 2}]
    data["unit"].update(code="U" * 60, title="T" * 300)

    result = runner.invoke(args=["criteria", "import", str(write(tmp_path, data))])

    assert result.exit_code == 0, result.output
    unit = db.session.scalar(select(Unit).where(Unit.code == "U" * 60))
    assert unit.awarding_body.code == "B" * 40 and unit.title == "T" * 300
    assert unit.qualifications[0].code == "Q" * 60


@pytest.mark.parametrize(
    ("escape", "reason"),
    [
        ("\\0", "holds a NUL character (character 4), which no database column can store"),
        ("\\ud800", "holds a lone surrogate"),
    ],
)
def test_a_character_no_database_can_store_is_refused_with_its_line(
    app, runner, tmp_path, escape, reason
):
    text = (CRITERIA_DIR / "pearson-deal-with-incidents.yaml").read_text()
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  summary:"))
    lines[at : at + 4] = [f'  summary: "One{escape} line."']
    path = tmp_path / "nul.yaml"
    path.write_text("\n".join(lines) + "\n")
    before = table_counts()

    result = runner.invoke(args=["criteria", "import", str(path)])

    assert result.exit_code != 0, result.output
    assert f"{path}, line {at + 1} (unit.summary): {reason}" in result.output
    assert table_counts() == before
