"""Whatever a criteria or crosswalk file holds, reading it either succeeds or names its
problems (CriteriaFileError); it never fails otherwise. Files are the shipped ones with a
few lines deleted, repeated, cut short, re-indented or given odd values."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio.units import criteria_file, crosswalk_file
from portfolio.units.criteria_file import CriteriaFileError
from tests.conftest import CRITERIA_DIR

CRITERIA = [p.read_text(encoding="utf-8") for p in sorted(CRITERIA_DIR.glob("*.yaml"))]
CROSSWALKS = [p.read_text(encoding="utf-8") for p in sorted(CRITERIA_DIR.glob("crosswalks/*.yaml"))]
ODD_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "~", "[]", "{}", "- a", "1e309", "-1", "true", "'''", '"', "&a", "*a", "? x",
         "!!python/object/apply:os.system ['true']", "x" * 300, ".nan", "0000-00-00",
         "2024-02-30", "|", ">", "\t"]
    ),
)  # fmt: skip


@st.composite
def damaged(draw, files: list[str]) -> str:
    lines = draw(st.sampled_from(files)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(["delete", "repeat", "value", "indent", "insert", "cut"]))
        if change == "delete":
            del lines[i]
        elif change == "repeat":
            lines.insert(i, lines[draw(st.integers(0, len(lines) - 1))])
        elif change == "value":
            key, colon, _ = lines[i].partition(":")
            lines[i] = f"{key}: {draw(ODD_VALUES)}" if colon else draw(ODD_VALUES)
        elif change == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip()
        elif change == "insert":
            lines.insert(i, f"{draw(ODD_VALUES)}: {draw(ODD_VALUES)}")
        else:
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        if not lines:
            break
    return "\n".join(lines)


def _outcome(parse, text: str, name: str) -> str:
    """ "read", "refused" when the file's problems are each named, "unnamed" when some are
    not; any other exception is the failure the tests look for, and propagates."""
    try:
        parse(text, name)
    except CriteriaFileError as error:
        named = error.problems and all(p.message for p in error.problems)
        return "refused" if named else "unnamed"
    return "read"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(CRITERIA))
def test_a_damaged_criteria_file_is_read_or_refused_with_its_problems(text):
    assert _outcome(criteria_file.parse, text, "unit.yaml") in ("read", "refused")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(CROSSWALKS))
def test_a_damaged_crosswalk_file_is_read_or_refused_with_its_problems(text):
    assert _outcome(crosswalk_file.parse, text, "crosswalk.yaml") in ("read", "refused")


@pytest.mark.parametrize("value", ["0000-00-00", "2024-02-30"])
def test_a_value_shaped_as_a_date_that_is_none_is_a_problem_at_its_line(value):
    text = CRITERIA[0].replace("\nformat: 1\n", f"\nformat: 1\nreleased: {value}\n", 1)
    line = text.splitlines().index(f"released: {value}") + 1
    with pytest.raises(CriteriaFileError) as refused:
        criteria_file.parse(text, "unit.yaml")
    assert str(refused.value) == (
        f"unit.yaml, line {line}: not valid YAML: '{value}' is written as a date but is not one;"
        " put it in quotes"
    )


@pytest.mark.parametrize(
    "text",
    ["a: &a [*a]\n",  # a value that holds itself
     "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(  # aliases of aliases: "billion laughs"
         f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
         for p, n in zip("abcdefghijk", "bcdefghijkl", strict=True))],  # fmt: skip
)
def test_aliases_are_refused_at_their_line_before_anything_is_built(text):
    with pytest.raises(CriteriaFileError) as refused:
        criteria_file.parse(text, "unit.yaml")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "*a" in row)
    assert str(refused.value).startswith(
        f"unit.yaml, line {line}: not valid YAML: an alias (*a) repeats a value written elsewhere"
    )
