"""Reading a CSV of learners from a management information system (MIS): its encoding, its
columns, and each row's values checked on their own, before anything is looked up
(docs/onboarding.md describes the file)."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from portfolio.accounts.models import normalise_email
from portfolio.accounts.people import email_problem
from portfolio.text import line_problem

# A file past either limit is refused whole: split it and upload the parts one by one.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Column:
    name: str  # as the header row names it
    label: str  # as the report names it
    required: bool  # a value is needed on every row
    limit: int  # the most characters it may hold
    example: str


COLUMNS = (
    Column("mis_id", "MIS id", True, 64, "A0001234"),
    Column("uln", "ULN", False, 10, "9276308686"),
    Column("name", "Name", True, 200, "Aisha Khan"),
    Column("email", "Email", True, 254, "aisha.khan@example.org"),
    Column("cohort", "Cohort", False, 200, "Contact centre apprentices, Sept 2026"),
    Column("awarding_body", "Awarding body", True, 40, "PEARSON"),
    Column("unit_code", "Unit code", True, 60, "PEARSON-INCIDENTS"),
    Column("start", "Start", True, 10, "2026-09-07"),
    Column("planned_end", "Planned end", True, 10, "2027-09-03"),
    Column("assessor_email", "Assessor email", False, 254, "assessor@example.org"),
    Column("iqa_email", "IQA email", False, 254, "iqa@example.org"),
)
# Columns a file may leave out: the qualification is needed only for a unit that belongs to
# more than one.
OPTIONAL_COLUMNS = (Column("qualification_code", "Qualification code", False, 60, ""),)
BY_NAME = {column.name: column for column in (*COLUMNS, *OPTIONAL_COLUMNS)}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class FileRefused(Exception):
    """The file as a whole cannot be read: the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    """One learner on one unit as the file gives them: values trimmed, dates and email
    addresses checked, and what is wrong with them in ``problems``."""

    number: int  # the row as a spreadsheet numbers it: the header is row 1
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    starts_on: date | None = None
    planned_end_on: date | None = None

    def __getattr__(self, name: str) -> str:
        # row.mis_id, row.email ...: the trimmed value of that column ("" when blank).
        if name in BY_NAME:
            return self.values.get(name, "")
        raise AttributeError(name)


def template_csv() -> str:
    """A file with the header and one example row, for admins to start from."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in COLUMNS])
    writer.writerow([column.example for column in COLUMNS])
    return buffer.getvalue()


def decode(data: bytes) -> str:
    """The file's text; refuses a file that is too large, or is not UTF-8 (with or without
    the byte order mark spreadsheets write)."""
    if len(data) > MAX_BYTES:
        raise FileRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the largest accepted is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files and upload each."
        )
    if not data.strip():
        raise FileRefused("The file is empty. Upload a CSV file with a header row.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            "The file is UTF-16 text. Save it as “CSV UTF-8 (comma delimited)” from your "
            "spreadsheet, or as UTF-8 from your MIS, and upload it again."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRefused(
            f"The file is not UTF-8 text: line {line} holds a byte (0x{data[error.start]:02x}) "
            "that UTF-8 does not use, as files saved in Windows-1252 or Latin-1 do. Save it as "
            "“CSV UTF-8 (comma delimited)” and upload it again."
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FileRefused(f"Line {line} holds a NUL character, which is not text.")
    return text


def _column_name(heading: str) -> str:
    return re.sub(r"[\s-]+", "_", heading.strip().lower())


def parse(text: str) -> list[Row]:
    """The file's rows with their values checked; refuses a file whose header names a
    column twice, leaves one out or names one this import does not know."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused("The file is empty. Upload a CSV file with a header row.")
        names = [_column_name(heading) for heading in header]
        _check_header(names)
        rows = []
        for number, record in enumerate(reader, start=2):
            if not any(value.strip() for value in record):
                continue  # a blank line, or a spreadsheet's empty row
            if len(rows) == MAX_ROWS:
                raise FileRefused(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into files of at most "
                    f"{MAX_ROWS:,} rows and upload each."
                )
            rows.append(_row(number, names, record))
    except csv.Error as error:
        raise FileRefused(
            f"Line {reader.line_num} cannot be read as CSV ({error}). Check its quotes."
        ) from None
    return rows


def _check_header(names: list[str]) -> None:
    known = {column.name for column in (*COLUMNS, *OPTIONAL_COLUMNS)}
    repeated = sorted({name for name in names if names.count(name) > 1 and name})
    missing = [column.name for column in COLUMNS if column.name not in names]
    unknown = [name or "(a column with no heading)" for name in names if name not in known]
    problems = []
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    if unknown:
        problems.append(f"not known: {', '.join(unknown)}")
    if repeated:
        problems.append(f"named twice: {', '.join(repeated)}")
    if problems:
        raise FileRefused(
            f"The header row's columns are wrong ({'; '.join(problems)}). The first row must "
            f"name the columns {', '.join(column.name for column in COLUMNS)}, and may add "
            f"{', '.join(column.name for column in OPTIONAL_COLUMNS)}; download the template "
            "to start from."
        )


def _row(number: int, names: list[str], record: list[str]) -> Row:
    values = {name: value.strip() for name, value in zip(names, record, strict=False)}
    row = Row(number, values)
    if len(record) != len(names):
        row.problems.append(
            f"It has {len(record)} values where the header has {len(names)} columns."
        )
        return row
    for name, value in values.items():
        column = BY_NAME[name]
        if not value and column.required:
            row.problems.append(f"{column.label} is empty.")
        elif len(value) > column.limit:
            row.problems.append(
                f"{column.label} can be at most {column.limit} characters; this has {len(value)}."
            )
        elif problem := line_problem(value, column.label):
            row.problems.append(problem)
    for name in ("email", "assessor_email", "iqa_email"):
        if values.get(name):
            values[name] = normalise_email(values[name])
            if problem := email_problem(values[name]):
                row.problems.append(f"{BY_NAME[name].label}: {problem}")
    if values.get("uln") and not is_uln(values["uln"]):
        row.problems.append(
            f"ULN “{values['uln']}” is not a Unique Learner Number: ten digits, the first not "
            "0, with a check digit that matches."
        )
    row.starts_on = _date(row, "start")
    row.planned_end_on = _date(row, "planned_end")
    if row.starts_on and row.planned_end_on and row.planned_end_on < row.starts_on:
        row.problems.append("Planned end is before Start.")
    return row


def check_values(values: dict[str, str]) -> Row:
    """One learner's values as a row, checked as a file's row is; columns left out are not
    checked (the REST API sends a learner alone, or a learner on a unit)."""
    return _row(1, list(values), list(values.values()))


def _date(row: Row, name: str) -> date | None:
    value = row.values.get(name)
    if not value:
        return None
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    row.problems.append(
        f"{BY_NAME[name].label} “{value}” is not a date: write it as 2026-09-07 or 07/09/2026."
    )
    return None


def is_uln(value: str) -> bool:
    """A Unique Learner Number: ten digits, the first not 0, whose sum weighted 10 down to 1
    leaves 10 when divided by 11 (the Learning Records Service's check, as HESA's field
    guide gives it)."""
    if len(value) != 10 or not value.isascii() or not value.isdigit() or value[0] == "0":
        return False
    return (
        sum(int(digit) * weight for digit, weight in zip(value, range(10, 0, -1), strict=True)) % 11
        == 10
    )
