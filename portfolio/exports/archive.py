"""File names for the entries of the EQA's ZIP, made from learners' names and units' titles."""

import unicodedata
from datetime import date

# Bytes of UTF-8 for each of the learner's name and the unit's title: the whole name stays
# well under the 255 bytes that file systems allow, as unpacked anywhere.
PART_BYTES = 60


def name_part(text: str, fallback: str) -> str:
    """``text`` as words of letters, digits and their marks, joined by hyphens, in lower case.

    Everything else is a gap between words: path separators, dots, punctuation, spaces,
    control and formatting characters (such as a right-to-left override), so the result
    names no folder, hides nothing and starts with no dot.
    """
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
    part = "-".join(kept.lower().split())
    part = part.encode()[:PART_BYTES].decode("utf-8", "ignore").strip("-")
    while part and unicodedata.category(part[0])[0] == "M":  # a mark with nothing to mark
        part = part[1:]
    return part or fallback


class EntryNames:
    """Names for one archive's entries, each distinct from the others whatever the case."""

    def __init__(self):
        self.taken: set[str] = set()

    def add(self, learner: str, unit: str, day: date) -> str:
        """``learner-unit-date.pdf``, with ``-2``, ``-3``... after the date when already taken."""
        stem = f"{name_part(learner, 'learner')}-{name_part(unit, 'unit')}-{day.isoformat()}"
        name, n = f"{stem}.pdf", 1
        while name.casefold() in self.taken:
            n += 1
            name = f"{stem}-{n}.pdf"
        self.taken.add(name.casefold())
        return name
