"""Crosswalk files: the shipped crosswalk checks out against the criteria library, and a bad
file is refused with its file, line and reason."""

import os

import pytest
import yaml

from portfolio.units.cli import crosswalk_check_command
from portfolio.units.crosswalk_file import CrosswalkFileError, read
from portfolio.units.crosswalks import load_crosswalks
from tests import factories
from tests.conftest import CRITERIA_DIR

SHIPPED = CRITERIA_DIR / "crosswalks" / "incidents.yaml"
BODIES = {"VTCT", "PEARSON", "CG", "SFJ", "BIIAB"}


def shipped_data() -> dict:
    return yaml.safe_load(SHIPPED.read_text())


def refusal(tmp_path, text, name="broken.yaml") -> CrosswalkFileError:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CrosswalkFileError) as caught:
        load_crosswalks(path)
    return caught.value


def line_of(text: str, fragment: str, after: str = "") -> int:
    """The 1-based number of the first line holding ``fragment`` (after the line ``after``)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and fragment in line) + 1


# --- The shipped crosswalk ----------------------------------------------------------------


def test_shipped_crosswalk_validates(app, runner):
    (crosswalk,) = load_crosswalks()
    assert crosswalk.source == "criteria/crosswalks/incidents.yaml"
    assert {u.body_code for u in crosswalk.units} == BODIES
    assert [len(u.criteria) for u in crosswalk.units] == [5, 3, 8, 3, 5]
    assert len({c.code for c in crosswalk.concepts}) == len(crosswalk.concepts) >= 6

    result = runner.invoke(crosswalk_check_command)
    assert result.exit_code == 0, result.output
    assert "incidents.yaml: 'Dealing with incidents through a contact centre' is valid" in (
        result.output
    )


def test_every_criterion_of_every_unit_is_in_a_concept(app):
    data = shipped_data()
    placed = {(b, n) for c in data["concepts"] for b, ns in c["criteria"].items() for n in ns}
    for unit in data["units"]:
        current = factories.unit_by_code(unit["awarding_body"]).current
        assert unit["unit"] == current.unit.code
        for criterion in current.criteria:
            assert (unit["awarding_body"], criterion.number) in placed, criterion.number
    # ...and nothing names a criterion that does not exist.
    for body, number in placed:
        numbers = {c.number for c in factories.unit_by_code(body).current.criteria}
        assert number in numbers


# --- Bad files ----------------------------------------------------------------------------


def test_unknown_criterion_number_is_refused_with_file_and_line(app, tmp_path):
    text = SHIPPED.read_text().replace('VTCT: ["1.1"]', 'VTCT: ["1.1", "9.9"]', 1)
    error = refusal(tmp_path, text)
    line = line_of(text, '"9.9"')
    assert str(error) == (
        f"{tmp_path / 'broken.yaml'}, line {line} (concepts[0].criteria.VTCT[1]): "
        "VTCT-INCIDENTS has no criterion 9.9 in its current criteria (version 1)"
    )


def test_unknown_unit_and_unknown_awarding_body_are_refused(app, tmp_path):
    text = (
        SHIPPED.read_text()
        .replace("unit: SFJ-INCIDENTS", "unit: SFJ-NO-SUCH-UNIT")
        .replace("BIIAB", "NOBODY")  # in units and in every concept
    )
    message = str(refusal(tmp_path, text))
    sfj, biiab = line_of(text, "SFJ-NO-SUCH-UNIT"), line_of(text, "NOBODY,")
    assert f"line {sfj} (units[3].unit): SFJ has no unit SFJ-NO-SUCH-UNIT" in message
    assert (
        f"line {biiab} (units[4].awarding_body): there is no awarding body NOBODY in the "
        "criteria library"
    ) in message


def test_criterion_under_no_concept_is_refused(app, tmp_path):
    text = SHIPPED.read_text().replace('CG: ["1.1", "1.5"]', 'CG: ["1.1"]')
    message = str(refusal(tmp_path, text))
    line = line_of(text, "unit: CG-INCIDENTS")
    assert message.endswith(
        f"line {line} (units[2]): criterion 1.5 of CG-INCIDENTS (version 1) is under no concept"
    )


def test_duplicate_concept_code_and_duplicate_body_are_refused(app, tmp_path):
    text = (
        SHIPPED.read_text()
        .replace("code: escalation", "code: accurate-logging")
        .replace("{awarding_body: SFJ, unit: SFJ-INCIDENTS}", "{awarding_body: VTCT, unit: X}")
    )
    message = str(refusal(tmp_path, text))
    assert (
        f"line {line_of(text, 'code: accurate-logging', after='code: classification')} "
        "(concepts[2].code): concept code 'accurate-logging' is used twice"
    ) in message
    assert f"line {line_of(text, 'unit: X}')} (units[3].awarding_body)" in message


@pytest.mark.parametrize(
    ("change", "fragment", "reason"),
    [
        # Broken YAML: a flow sequence that never closes.
        (('VTCT: ["1.1"]', 'VTCT: ["1.1"'), None, "not valid YAML"),
        (("format: 1", "format: 2"), "format: 2", "(format): 1 was expected"),
        # an unknown key is reported at its own line, not at the start of its block
        (("title: Escalates", "titel: Escalates"), "titel: Escalates", "unknown key 'titel'"),
        (
            ('PEARSON: ["3.1"]', "PEARSON: [3.1]"),
            "PEARSON: [3.1]",
            "must be text, but is the number 3.1; put it in quotes",
        ),
    ],
)
def test_bad_yaml_and_schema_errors_are_refused_with_line(app, tmp_path, change, fragment, reason):
    text = SHIPPED.read_text().replace(*change, 1)
    error = refusal(tmp_path, text)
    message = str(error)
    assert message.startswith(str(tmp_path / "broken.yaml") + ", line ")
    assert reason in message
    if fragment:
        assert f"line {line_of(text, fragment)} " in message
    else:
        assert error.problems[0].line is not None


def test_a_unit_in_two_crosswalks_is_refused(app, tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(SHIPPED.read_text())
    with pytest.raises(CrosswalkFileError) as caught:
        load_crosswalks(tmp_path)
    assert "b.yaml" in caught.value.source
    assert "is also in the crosswalk" in str(caught.value)


def test_check_command_refuses_a_bad_file(app, runner, tmp_path):
    path = tmp_path / "bad.yaml"
    text = SHIPPED.read_text().replace('CG: ["2.1"]', 'CG: ["2.9"]')
    path.write_text(text)
    result = runner.invoke(crosswalk_check_command, [str(path)])
    assert result.exit_code == 1
    assert "the crosswalk is refused" in result.output
    assert f"bad.yaml, line {line_of(text, '2.9')} (concepts[7].criteria.CG[0])" in result.output


def test_files_are_parsed_again_only_when_changed(app, tmp_path):
    path = tmp_path / "walk.yaml"
    path.write_text(SHIPPED.read_text())
    first = read(path)
    assert read(path) is first
    path.write_text(SHIPPED.read_text().replace("title: Dealing", "title: Handling"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert read(path).title.startswith("Handling")
