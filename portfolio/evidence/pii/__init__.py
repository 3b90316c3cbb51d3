"""Finding UK personal data in text evidence before it is submitted.

``find_personal_data(text)`` returns the personal data it finds as ``Finding`` objects,
sorted and non-overlapping; ``redact(text)`` replaces each with its placeholder, which is
never itself flagged. Pure functions: no Flask, no database, no network.

Where detectors overlap, the finding of the more specific type wins (an email address over
the name inside it, a card number over the phone-like digits inside it), then the longer.
A name's span includes its title ("Mrs Okafor"). Names are found by ``names``, the other
types by ``patterns`` and ``addresses``, with the word lists of ``lists``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass

from portfolio.evidence.pii import tables
from portfolio.evidence.pii.addresses import addresses, by_shape, town_after
from portfolio.evidence.pii.names import find_names
from portfolio.evidence.pii.patterns import EMAIL, dates_of_birth, identifiers, numbers

TYPES = (
    "NAME",
    "PHONE",
    "EMAIL",
    "POSTCODE",
    "ADDRESS",
    "NI_NUMBER",
    "NHS_NUMBER",
    "CARD_NUMBER",
    "SORT_CODE",
    "ACCOUNT_NUMBER",
    "DATE_OF_BIRTH",
    "VEHICLE_REG",
)
PLACEHOLDERS = {
    "NAME": "[NAME]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "POSTCODE": "[POSTCODE]",
    "ADDRESS": "[ADDRESS]",
    "NI_NUMBER": "[NI NUMBER]",
    "NHS_NUMBER": "[NHS NUMBER]",
    "CARD_NUMBER": "[CARD NUMBER]",
    "SORT_CODE": "[SORT CODE]",
    "ACCOUNT_NUMBER": "[ACCOUNT NUMBER]",
    "DATE_OF_BIRTH": "[DATE OF BIRTH]",
    "VEHICLE_REG": "[VEHICLE REG]",
}
# Overlapping findings: the higher rank wins, then the longer.
RANK = {
    "EMAIL": 12,
    "CARD_NUMBER": 11,
    "ACCOUNT_NUMBER": 10,
    "NI_NUMBER": 9,
    "NHS_NUMBER": 8,
    "PHONE": 7,
    "DATE_OF_BIRTH": 6,
    "SORT_CODE": 5,
    "POSTCODE": 4,
    "ADDRESS": 3,
    "VEHICLE_REG": 2,
    "NAME": 1,
}


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


# ---- putting it together ----------------------------------------------------------------
def find_personal_data(text: str) -> list[Finding]:
    """Personal data in ``text``: sorted by start, non-overlapping.

    Text as a scanner reads a form ("Mr  Abdikarim  Warsame", "0 7 7 0 0 9 0 0") is checked
    again with its spacing closed up (``_closed_up``); what that finds is mapped back to
    where it stands in ``text`` and kept where it overlaps nothing found before, or takes the
    place of what it wholly holds ("Warsame" alone)."""
    found = _find(text)
    plain, origin = _closed_up(text)
    if plain == text:
        return found
    for f in _find(plain):
        start, end = origin[f.start], origin[f.end - 1] + 1
        overlapping = [g for g in found if g.start < end and start < g.end]
        if all(start <= g.start and g.end <= end for g in overlapping):
            found = [g for g in found if g not in overlapping]
            found.append(Finding(f.type, start, end, text[start:end]))
    return sorted(found, key=lambda f: f.start)


# Two spaces between words: "Mr  Abdikarim  Warsame", "PL4  0DX" (more part columns, and
# stay); one is kept.
_SPACES = re.compile(r"(?<=\S)  (?=\S)")
# Four or more letters, digits or marks spaced out one by one ("0 7 7 0 0 9 0 0", "D O B",
# "1 7 / 0 3 / 1 9 9 4"), and a date or a sort code with spaces round its marks
# ("09 / 06 / 1985", "60 - 83 - 71"): joined up.
_SPACED_OUT = re.compile(
    r"(?<!\S)[\w/.-](?: [\w/.-]){3,}(?!\S)|"
    r"(?<![\w/.-])\d{1,2} ([/.-]) \d{1,2} \1 (?:\d{4}|\d{2})(?![\w/.-])"
)


def _closed_up(text: str) -> tuple[str, list[int]]:
    """``text`` with two spaces between words made one and characters spaced out
    one by one joined up; and where each of its characters stands in ``text``."""
    origin = list(range(len(text)))
    for pattern in (_SPACES, _SPACED_OUT):
        dropped = set()
        for m in pattern.finditer(text):
            first = m.start() + 1 if pattern is _SPACES else m.start()
            dropped.update(i for i in range(first, m.end()) if text[i] == " ")
        if dropped:
            origin = [o for i, o in enumerate(origin) if i not in dropped]
            text = "".join(c for i, c in enumerate(text) if i not in dropped)
    return text, origin


def _find(text: str) -> list[Finding]:
    candidates = [("EMAIL", m.start(), m.end()) for m in EMAIL.finditer(text)]
    candidates += numbers(text)
    candidates += identifiers(text)
    candidates += dates_of_birth(text)
    candidates += tables.findings(text)
    candidates += addresses(text)
    shaped, towns = by_shape(text)
    candidates += shaped
    candidates = _drop_contained(candidates)
    blocked = [m.span() for m in PLACEHOLDER.finditer(text)]
    towns += [town_after(text, b) for a, b in blocked if text[a:b] == "[ADDRESS]"]
    towns = [t for t in towns if t]
    # a town after an address is no name ("12 Cinder Spur, Penrith"), nor personal data alone
    taken = sorted([(s, e) for _, s, e in candidates] + blocked + towns)
    candidates += [("NAME", a, b) for a, b in find_names(text, exclude=taken)]
    chosen = _Intervals(blocked)
    findings = []
    for kind, start, end in sorted(candidates, key=lambda c: (-RANK[c[0]], c[1] - c[2])):
        if end > start and chosen.add(start, end):
            findings.append(Finding(kind, start, end, text[start:end]))
    return sorted(findings, key=lambda f: f.start)


def _drop_contained(candidates: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Drop candidates strictly inside a longer one: digits inside a longer number or
    identifier are part of it ("30 35 31" in the NI number "LY 30 35 31 D")."""
    kept, reach, reach_start = [], -1, -1
    for cand in sorted(candidates, key=lambda c: (c[1], -c[2])):
        _, start, end = cand
        if end < reach or (end == reach and reach_start < start):
            continue
        kept.append(cand)
        if end > reach:
            reach, reach_start = end, start
    return kept


class _Intervals:
    """Non-overlapping spans, kept sorted, for choosing findings in rank order."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in spans:
            self.add(start, end)

    def add(self, start: int, end: int) -> bool:
        """Add the span unless it overlaps one already there; whether it was added."""
        i = bisect_right(self.starts, start)
        if i and self.ends[i - 1] > start:
            return False
        if i < len(self.starts) and self.starts[i] < end:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


def redact(text: str, findings: list[Finding] | None = None) -> str:
    """``text`` with each finding replaced by its placeholder, working right to left; without
    ``findings``, everything ``redacted`` finds."""
    if findings is None:
        return redacted(text)[0]
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[: finding.start] + PLACEHOLDERS[finding.type] + text[finding.end :]
    return text


# A name can stand out only once the words beside it are placeholders: the check runs again
# on what it left, this many times at most.
REDACT_PASSES = 4


def redacted(text: str, findings: list[Finding] | None = None) -> tuple[str, int]:
    """``text`` with its personal data replaced, checked again until nothing more is found,
    and how many findings were replaced; ``findings``: what a check of ``text`` has found
    already, so that it is not checked twice."""
    replaced = 0
    for n in range(REDACT_PASSES):
        if n or findings is None:
            findings = find_personal_data(text)
        if not findings:
            break
        text = redact(text, findings)
        replaced += len(findings)
    return text, replaced
