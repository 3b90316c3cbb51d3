"""Reading a criteria data file: YAML parsed with line numbers, checked against the schema.

Every problem is reported with the file, the line and the path of the value in the file,
so that a person editing the YAML can find it.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CRITERIA_PATH = Path(__file__).resolve().parents[2] / "criteria"
SCHEMA_PATH = CRITERIA_PATH / "schema.json"


@dataclass(frozen=True)
class Problem:
    line: int | None
    path: str
    message: str

    def describe(self, source: str) -> str:
        where = f"line {self.line}" if self.line else "top level"
        place = f" ({self.path})" if self.path else ""
        return f"{source}, {where}{place}: {self.message}"


class CriteriaFileError(Exception):
    """A file that cannot be imported; ``problems`` says every place that is wrong."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.describe(source) for p in problems))


@dataclass(frozen=True)
class CriteriaDocument:
    source: str
    data: dict
    content_hash: str


@cache
def _validator():
    from jsonschema import Draft202012Validator  # slow to import: only reading files needs it

    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def format_path(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_map(node, path=(), lines=None, problems=None, key_lines=None):
    """Map each value's path to its line, noting keys given twice (YAML keeps only the last).

    ``key_lines`` gets the line of each key itself, which is where an unknown key is
    reported: a key whose value is a block starts a line above its value."""
    import yaml

    lines = {} if lines is None else lines
    key_lines = {} if key_lines is None else key_lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append(
                    Problem(
                        key_node.start_mark.line + 1,
                        format_path((*path, key)),
                        f"the key '{key}' is given twice",
                    )
                )
            seen.add(key)
            key_lines[(*path, key)] = key_node.start_mark.line + 1
            _line_map(value_node, (*path, key), lines, problems, key_lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines, problems, key_lines)
    return lines


def line_for(lines: dict, path: tuple) -> int | None:
    """The line of a value, or of the nearest enclosing value that has one."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


@cache
def _loader():
    """YAML's safe loader, for which a value shaped as a date that is none (0000-00-00) is
    a problem at its line, not a failure."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            # An alias repeats a value written elsewhere: one that holds itself never ends,
            # and aliases of aliases grow without bound ("billion laughs"). A criteria file
            # writes each value out.
            if self.check_event(yaml.events.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None,
                    f"an alias (*{event.anchor}) repeats a value written elsewhere, which "
                    "this file does not allow: write the value out",
                    event.start_mark,
                )  # fmt: skip
            return super().compose_node(parent, index)

        def construct_yaml_timestamp(self, node):
            try:
                return super().construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"'{node.value}' is written as a date but is not one; put it in quotes",
                    node.start_mark,
                ) from None  # fmt: skip

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    return Loader


def check_yaml(
    text: str, source: str, validator, check_rules, error_class=None
) -> tuple[dict, dict]:
    """Parse a YAML data file with line numbers and check it against a schema, then rules.

    Returns the data and the map of paths to lines; raises ``error_class`` (by default
    CriteriaFileError) naming every problem with its line.
    """
    import yaml  # only reading files needs it

    error_class = error_class or CriteriaFileError
    try:
        loader = _loader()(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(error, "problem", None) or str(error)
        raise error_class(source, [Problem(line, "", f"not valid YAML: {reason}")]) from None
    if node is None:
        raise error_class(source, [Problem(None, "", "the file is empty")])
    problems: list[Problem] = []
    key_lines: dict = {}
    lines = _line_map(node, problems=problems, key_lines=key_lines)
    if not isinstance(data, dict):
        problems.append(Problem(1, "", "the file must be a mapping of keys to values"))
        raise error_class(source, problems)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            problems.extend(_unknown_keys(error, path, key_lines))
            continue
        problem = Problem(line_for(lines, path), format_path(path), _schema_message(error))
        if problem not in problems:  # "" breaks minLength and the pattern alike: say it once
            problems.append(problem)
    problems.extend(_unstorable_text(data, lines))
    if not problems:
        problems.extend(check_rules(data, lines))
    if problems:
        raise error_class(source, problems)
    return data, lines


def parse(text: str, source: str) -> CriteriaDocument:
    """Parse and check one file's text; raises CriteriaFileError naming every problem."""
    data, _lines = check_yaml(text, source, _validator(), _check_rules)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return CriteriaDocument(source, data, hashlib.sha256(canonical.encode()).hexdigest())


def _unknown_keys(error, path: tuple, key_lines: dict) -> list[Problem]:
    """One problem per unknown key, at the key's own line, naming the keys allowed there."""
    allowed = list(error.schema.get("properties", {}))
    hint = f"; the keys allowed here are {', '.join(allowed)}" if allowed else ""
    return [
        Problem(
            key_lines.get((*path, key))
            or key_lines.get((*path, str(key)))
            or line_for(key_lines, path),
            format_path((*path, key)),
            f"unknown key '{key}'{hint}",
        )
        for key in error.instance
        if key not in allowed
    ]


def _unstorable_text(value, lines: dict, path: tuple = ()) -> list[Problem]:
    """Strings no database column can hold: a NUL character (which PostgreSQL refuses) or a
    lone surrogate from an escape such as "\\ud800" (which is not UTF-8)."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _unstorable_text(v, lines, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unstorable_text(v, lines, (*path, i))]
    if not isinstance(value, str):
        return []
    if "\x00" in value:
        at = value.index("\x00") + 1
        reason = f"holds a NUL character (character {at}), which no database column can store"
    elif any("\ud800" <= ch <= "\udfff" for ch in value):
        reason = "holds a lone surrogate (an escape such as \\ud800), which is not a character"
    else:
        return []
    return [Problem(line_for(lines, path), format_path(path), reason)]


_TYPES = {"string": "text", "integer": "a whole number", "number": "a number",
          "array": "a list", "object": "a mapping of keys to values", "boolean": "true or false"}  # fmt: skip


def _kind(value) -> str:
    """What a YAML value turned out to be, in the words of someone editing the file."""
    from datetime import date

    if value is None:
        return "empty"
    if isinstance(value, bool):
        return (
            f"{str(value).lower()} (YAML reads yes, no, on and off as true or false); "
            "put it in quotes to keep it as text"
        )
    if isinstance(value, date):
        return f"a date ({value.isoformat()}); put it in quotes to keep it as text"
    if isinstance(value, int | float):
        return f"the number {value!r}; put it in quotes to keep it as text"
    if isinstance(value, str):
        return f"the text {value!r}"
    return "a list" if isinstance(value, list) else "a mapping of keys to values"


def _schema_message(error) -> str:
    if error.validator == "type":
        expected = error.validator_value
        wanted = " or ".join(
            _TYPES.get(t, t) for t in (expected if isinstance(expected, list) else [expected])
        )
        kind = _kind(error.instance)
        if expected != "string":
            kind = kind.split(";")[0]
        return f"must be {wanted}, but is {kind}"
    if error.validator == "minLength" and error.instance == "":
        return "must not be empty"
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    if error.validator == "pattern" and error.schema.get("pattern") == "\\S":
        return "must not be empty"
    if error.validator == "pattern":
        return f"{error.instance!r} does not match the pattern {error.schema['pattern']}"
    if error.validator == "maxLength":
        return f"is {len(error.instance):,} characters long; the most is {error.validator_value:,}"
    return error.message


def _check_rules(data: dict, lines: dict) -> list[Problem]:
    """The rules a schema cannot say: numbering, references and uniqueness."""
    problems = []

    def add(path, message):
        problems.append(Problem(line_for(lines, path), format_path(path), message))

    unit = data["unit"]
    if unit["numbering"] == "ours" and not unit.get("numbering_note"):
        add(("unit",), "numbering is 'ours', so numbering_note must say so")

    codes = set()
    for i, qualification in enumerate(data["qualifications"]):
        if qualification["code"] in codes:
            add(
                ("qualifications", i, "code"),
                f"qualification code {qualification['code']!r} is used twice",
            )
        codes.add(qualification["code"])

    outcomes = [o["number"] for o in data["learning_outcomes"]]
    for i, number in enumerate(outcomes):
        if number != i + 1:
            add(
                ("learning_outcomes", i, "number"),
                "learning outcomes must be numbered 1, 2, 3 ... in order; "
                f"expected {i + 1}, found {number}",
            )

    seen = set()
    next_ac: dict[int, int] = {}
    for i, criterion in enumerate(data["criteria"]):
        number, outcome = criterion["number"], criterion["outcome"]
        lo, ac = (int(part) for part in number.split("."))
        if number in seen:
            add(("criteria", i, "number"), f"criterion number {number!r} is used twice")
            continue
        seen.add(number)
        if outcome not in outcomes:
            add(
                ("criteria", i, "outcome"),
                f"criterion {number} names learning outcome {outcome}, "
                "which the file does not define",
            )
        elif lo != outcome:
            add(
                ("criteria", i, "number"),
                f"criterion {number} is under learning outcome {outcome}, "
                f"so its number must start '{outcome}.'",
            )
        else:
            expected = next_ac.get(outcome, 1)
            if ac != expected:
                add(
                    ("criteria", i, "number"),
                    f"criterion {number} is out of order; the next criterion of outcome {outcome} "
                    f"is {outcome}.{expected}",
                )
            next_ac[outcome] = ac + 1

    requirement_codes = set()
    for i, requirement in enumerate(data["evidence_requirements"]):
        if requirement["code"] in requirement_codes:
            add(
                ("evidence_requirements", i, "code"),
                f"requirement code {requirement['code']!r} is used twice",
            )
        requirement_codes.add(requirement["code"])
        if "distinct_by" in requirement and requirement["evidence"] != "incident_log":
            add(
                ("evidence_requirements", i, "distinct_by"),
                "distinct_by applies only to incident_log evidence",
            )
    return problems


def read(path: Path) -> CriteriaDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CriteriaFileError(
            str(path), [Problem(None, "", f"not UTF-8 text ({error.reason})")]
        ) from None
    return parse(text, str(path))
