"""Tables written as text: a line of headings, then rows of cells split by "|" or by commas (a
spreadsheet's rows pasted as CSV). A cell's heading says what it holds: a date under "DOB"
is a date of birth, eight digits under "account_no" an account number, words under
"surname" a name."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from portfolio.evidence.pii.patterns import ACCOUNT_CUE, DATE, DOB_CUE, POSTCODE

# The fewest separators a line needs to be a table's: commas are common in prose.
_FEWEST = {"|": 1, ",": 3}


@dataclass(frozen=True)
class Cell:
    heading: str  # in lower case
    start: int
    end: int
    value: str


def _lines(text: str) -> list[tuple[int, str]]:
    offsets, start = [], 0
    for line in text.split("\n"):
        offsets.append((start, line))
        start += len(line) + 1
    return offsets


def cells(text: str) -> Iterator[Cell]:
    """The cells of each table in ``text`` with their headings (in lower case, "_" read as a
    space): a line with at least one "|" (or three commas) and no cell that starts with a
    digit ("Wk1" may head a column, "2024" may not), and the lines after it with as many.
    A row with more or fewer, such as a CSV line with a comma inside an address, is passed
    over: its cells cannot be told apart."""
    lines = _lines(text)
    i = 0
    while i < len(lines):
        _, line = lines[i]
        rows = 0
        for sep in "|,":
            count = line.count(sep)
            if count < _FEWEST[sep]:
                continue
            headings = [h.strip().lower().replace("_", " ") for h in line.split(sep)]
            if any(h[:1].isdigit() for h in headings):
                continue
            while i + rows + 1 < len(lines) and lines[i + rows + 1][1].count(sep) >= _FEWEST[sep]:
                rows += 1
                row_start, row = lines[i + rows]
                if row.count(sep) != count:
                    continue
                position = row_start
                for heading, cell in zip(headings, row.split(sep), strict=True):
                    value = cell.strip()
                    if value:
                        start = position + cell.index(value)
                        yield Cell(heading, start, start + len(value), value)
                    position += len(cell) + 1
            if rows:
                break
        i += rows + 1


_SORT_HEADING = re.compile(r"(?i)sort|\bs/c\b")
# A column of people: a heading with one of these words, or one of these roles alone.
_NAME_WORDS = frozenset("name names surname forename forenames initials".split())
_PEOPLE = frozenset(
    "learner employee apprentice candidate tenant patient customer member contact manager "
    "staff student claimant applicant".split()
)
_NOT_PEOPLE = re.compile(r"item|product|unit|course|company|employer|business|site|file")
# A flat or a house number and the street: "Flat 6, 12 Normanton Road", "88 bramble way".
_ADDRESS_VALUE = re.compile(
    r"(?i)(?:(?:flat|apartment|apt|unit) \d{1,4}[a-z]?,? )?\d{1,4}[a-z]?,? [a-z][\w'’ -]+"
)
_NAME_VALUE = re.compile(r"[^\W\d_a-z][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,4}")


def _names_column(heading: str) -> bool:
    words = set(re.split(r"[\s_]+", heading))
    return bool(words & _NAME_WORDS or heading in _PEOPLE) and not _NOT_PEOPLE.search(heading)


def findings(text: str) -> list[tuple[str, int, int]]:
    """Personal data known by its column's heading: dates of birth, sort codes, account
    numbers, postcodes, addresses and names."""
    found = []
    for cell in cells(text):
        heading, value, span = cell.heading, cell.value, (cell.start, cell.end)
        if DOB_CUE.search(heading) and DATE.fullmatch(value):
            found.append(("DATE_OF_BIRTH", *span))
        elif _SORT_HEADING.search(heading) and re.fullmatch(r"\d\d([- ]?)\d\d\1\d\d", value):
            found.append(("SORT_CODE", *span))
        elif ACCOUNT_CUE.search(heading) and re.fullmatch(r"\d{7,10}", value):
            found.append(("ACCOUNT_NUMBER", *span))
        elif "postcode" in heading.replace(" ", "") and POSTCODE.fullmatch(value):
            found.append(("POSTCODE", *span))
        elif "address" in heading and "email" not in heading and _ADDRESS_VALUE.fullmatch(value):
            found.append(("ADDRESS", *span))
        elif _names_column(heading) and _NAME_VALUE.fullmatch(value):
            found.append(("NAME", *span))
    return found
