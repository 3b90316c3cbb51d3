"""Tables written as text: a line of headings, then rows of cells split by "|", by commas or by
semicolons (a spreadsheet's rows pasted as CSV). A cell's heading says what it holds: a date
under "DOB" is a date of birth, eight digits under "account_no" an account number, words
under "surname" a name."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from portfolio.evidence.pii.names import classify
from portfolio.evidence.pii.patterns import (
    ACCOUNT_CUE,
    DATE,
    DOB_CUE,
    POSTCODE,
    REG_CURRENT,
    REG_DATELESS,
    REG_PREFIX,
    REG_SUFFIX,
    is_phone_number,
    luhn_ok,
    nhs_ok,
)

# The fewest separators a line needs to be a table's: commas are common in prose, and a run
# of spaces ("  ") lines columns up in a plain-text table.
_FEWEST = {"|": 1, ",": 3, ";": 3, "  ": 2}
_GAP = re.compile(r" {2,}|\t")


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


# A CSV field: in double quotes (a comma may be inside) or up to the next comma.
_CSV_FIELD = re.compile(r'"(?:[^"\n]|"")*"(?=,|$)|[^,\n]*')


def _split(line: str, sep: str) -> list[tuple[int, str]]:
    """The line's cells with where each starts; a CSV line's quoted fields are one cell."""
    if sep in "|;":
        cells, start = [], 0
        for cell in line.split(sep):
            cells.append((start, cell))
            start += len(cell) + 1
        return cells
    if sep == "  ":
        stripped = line.rstrip()
        lead = len(stripped) - len(stripped.lstrip())
        starts = [lead] + [m.end() for m in _GAP.finditer(stripped, lead)]
        ends = [m.start() for m in _GAP.finditer(stripped, lead)] + [len(stripped)]
        return [(a, stripped[a:b]) for a, b in zip(starts, ends, strict=True)]
    cells, position = [], 0
    while position <= len(line):
        m = _CSV_FIELD.match(line, position)
        cells.append((m.start(), m.group()))
        position = m.end() + 1
    return cells


# A sum of money written with a thousands comma in a CSV row that does not quote it
# ("-£1,045.90"): its two parts are one cell.
_THOUSANDS_BEFORE = re.compile(r"-?[£$€]?\d{1,3}(?:,\d{3})*")
_THOUSANDS = re.compile(r"\d{3}(?:\.\d+)?")


def _join_thousands(cells: list[tuple[int, str]]) -> list[tuple[int, str]]:
    joined: list[tuple[int, str]] = []
    for offset, cell in cells:
        if joined and _THOUSANDS.fullmatch(cell) and _THOUSANDS_BEFORE.fullmatch(joined[-1][1]):
            joined[-1] = (joined[-1][0], f"{joined[-1][1]},{cell}")
        else:
            joined.append((offset, cell))
    return joined


def _join_address(cells: list[tuple[int, str]], headings: list[str]) -> list[tuple[int, str]]:
    """A CSV row with commas inside its one address ("Flat 1, 9 Stryd Fawr"): the cells
    before the address's column counted from the start, those after it from the end, and
    what lies between them the address."""
    where = [i for i, h in enumerate(headings) if "address" in h and "email" not in h]
    extra = len(cells) - len(headings)
    if len(where) != 1 or extra < 1:
        return cells
    i = where[0]
    address = (cells[i][0], ",".join(cell for _, cell in cells[i : i + extra + 1]))
    return [*cells[:i], address, *cells[i + extra + 1 :]]


def _count(line: str, sep: str) -> int:
    return len(_GAP.findall(line.strip())) if sep == "  " else line.count(sep)


# A heading that starts with a number: "11-digit code", "2nd contact".
_NUMBERED_HEADING = re.compile(r"\d+(?:st|nd|rd|th|-[a-z])")


def cells(text: str) -> Iterator[Cell]:
    """The cells of each table in ``text`` with their headings (in lower case, "_" read as a
    space): a line with at least one "|" (or three commas or semicolons) and no cell that
    starts with a digit ("Wk1", "11-digit code" and "2nd contact" may head a column, "2024"
    and "12 High Street" may not), and the lines after it with as many.
    A row with more or fewer is passed over, as its cells cannot be told apart, but for a
    sum of money's thousands comma and commas inside the one address of a CSV line."""
    lines = _lines(text)
    i = 0
    while i < len(lines):
        _, line = lines[i]
        rows = 0
        for sep in ("|", ",", ";", "  "):
            if _count(line, sep) < _FEWEST[sep]:
                continue
            headings = [h.strip().lower().replace("_", " ") for _, h in _split(line, sep)]
            if any(h[:1].isdigit() and not _NUMBERED_HEADING.match(h) for h in headings):
                continue
            while i + rows + 1 < len(lines) and _count(lines[i + rows + 1][1], sep) >= _FEWEST[sep]:
                rows += 1
                row_start, row = lines[i + rows]
                row_cells = _split(row, sep)
                if sep == "," and len(row_cells) > len(headings):
                    row_cells = _join_address(_join_thousands(row_cells), headings)
                if len(row_cells) != len(headings):
                    continue
                for heading, (offset, cell) in zip(headings, row_cells, strict=True):
                    value = cell.strip().strip('"').strip()
                    if value:
                        start = row_start + offset + cell.index(value)
                        yield Cell(heading, start, start + len(value), value)
            if rows:
                break
        i += rows + 1


_SORT_HEADING = re.compile(r"(?i)sort|\bs/c\b")
# A column of people: a heading with one of these words, or one of these roles alone.
_NAME_WORDS = frozenset("name names surname forename forenames initials".split())
_PEOPLE = frozenset(
    "learner employee apprentice candidate tenant patient customer member contact manager "
    "staff student claimant applicant client owner consignee".split()
)
_NOT_PEOPLE = re.compile(r"item|product|unit|course|company|employer|business|site|file")
# A flat or a house number and the street, perhaps with the town after a comma (the whole
# cell is replaced): "Flat 6, 12 Normanton Road", "88 bramble way", "6 Tanners Ginnel, Swinton";
# or a house's name and the street: "The Granary, Mill Steps".
_ADDRESS_VALUE = re.compile(
    r"(?i)(?:(?:flat|apartment|apt|unit) \d{1,4}[a-z]?(?:/\d{1,2})?,? )?"
    r"\d{1,4}[a-z]?(?:/\d{1,2})?,? [a-z][\w'’ -]+"
    r"(?:, [a-z][\w'’ -]*)?|[a-z][\w'’ -]+, [a-z][\w'’ -]+(?:, [a-z][\w'’ -]*)?"
)
# A firm in a column of people: "Calder Valley Tyres Ltd".
_FIRM = re.compile(r"(?i)\b(?:ltd|limited|plc|llp|inc|& sons|& co|group|services)\b\.?")
# Capitalised words, perhaps after particles ("van der Berg, Pieter").
_NAME_VALUE = re.compile(r"(?:[a-z]{1,3} ){0,2}[^\W\d_a-z][\w'’.-]*(?:,? [^\W\d_][\w'’.-]*){0,4}")


def _names_column(heading: str) -> bool:
    words = set(heading.split())  # "_" is read as a space already
    return bool(words & _NAME_WORDS or heading in _PEOPLE) and not _NOT_PEOPLE.search(heading)


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# A postcode that ends an address's cell: "6 Meadow View, Bakewell DE45 1BT".
_POSTCODE_LAST = re.compile(r"(?<=[ ,])" + POSTCODE.pattern + r"$", re.I)
# A day of the week heading a rota's column: "Mon", "Tuesday".
_DAY = re.compile(r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?")
# What a column's heading and a cell's value must be for each type, in order.
_BY_COLUMN = (
    ("DATE_OF_BIRTH", DOB_CUE.search, DATE.fullmatch),
    ("SORT_CODE", _SORT_HEADING.search, re.compile(r"\d\d([- ]?)\d\d\1\d\d").fullmatch),
    ("ACCOUNT_NUMBER", ACCOUNT_CUE.search, re.compile(r"\d{7,10}").fullmatch),
    (
        "NHS_NUMBER",
        re.compile("nhs").search,
        lambda v: re.fullmatch(r"\d{3}([ -]?)\d{3}\1\d{4}", v) and nhs_ok(_digits(v)),
    ),
    (
        "CARD_NUMBER",
        re.compile("card").search,
        lambda v: re.fullmatch(r"\d{4}(?:[ -]?\d{4}){3}|\d{4}[ -]?\d{6}[ -]?\d{5}", v)
        and luhn_ok(_digits(v)),
    ),
    ("POSTCODE", lambda h: "postcode" in h.replace(" ", ""), POSTCODE.fullmatch),
    ("PHONE", re.compile(r"phone|\btel\b|mobile").search, is_phone_number),
    (
        "VEHICLE_REG",
        re.compile(r"\breg\b|registration|\bvrm\b|plate").search,
        # Of any age: "MW23 ZTA", "P123 ABC", "ABC 123D", "DKZ 8127".
        lambda v: any(rx.fullmatch(v) for rx in (REG_CURRENT, REG_PREFIX, REG_SUFFIX, REG_DATELESS)),
    ),
    ("ADDRESS", lambda h: "address" in h and "email" not in h, _ADDRESS_VALUE.fullmatch),
    (
        "NAME",
        _names_column,
        lambda v: _NAME_VALUE.fullmatch(v) and not _FIRM.search(v) and not re.search(r"\d", v),
    ),
    # A rota: people under the days of the week, not its shifts ("Early", "Off", "SERVICE").
    ("NAME", _DAY.fullmatch, lambda v: re.fullmatch(r"[A-Z][a-z'’-]+", v) and classify(v) in "NAU"),
)


def findings(text: str) -> list[tuple[str, int, int]]:
    """Personal data known by its column's heading: dates of birth, sort codes, account
    numbers, NHS and card numbers, postcodes, addresses and names. An address's cell that
    ends in its postcode gives the two apart."""
    found = []
    for cell in cells(text):
        for kind, heading_says, value_is in _BY_COLUMN:
            if heading_says(cell.heading) and value_is(cell.value):
                postcode = _POSTCODE_LAST.search(cell.value) if kind == "ADDRESS" else None
                if postcode:
                    street = cell.value[: postcode.start()].rstrip(" ,")
                    found.append(("ADDRESS", cell.start, cell.start + len(street)))
                    found.append(("POSTCODE", cell.start + postcode.start(), cell.end))
                else:
                    found.append((kind, cell.start, cell.end))
                break
    return found
