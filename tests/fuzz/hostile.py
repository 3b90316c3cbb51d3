"""Hostile values a request may carry, by class, and a seeded choice among them."""

import random

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)

# Bytes are sent as they are: a lone surrogate is not text a client can encode, only bytes.
VALUES: dict[str, list[str | bytes]] = {
    "empty": ["", " ", "\u00a0"],
    "wrong type": [
        "abc",
        "true",
        "[]",
        '{"a": 1}',
        "<script>alert(1)</script>",
        "y",
        "None",
        "0x10",
        "1.5",
        "Infinity",
        "-99999999999",
        "2²",
        "2999-01-01 00:00",
        str(10**30),
    ],
    # Markdown fields are given fewer than 2,000 brackets: longer runs are a known slow path.
    "huge": ["A" * 100_000, "9" * 100_000, "word " * 20_000, "[" * 1_999],
    "unicode digits": ["²", "٣", "１２"],
    "control characters": ["\x1b[31mred", "a\r\nb", "\x07\x08\x0b\x0c", "\r", "line\u2028break"],
    "NUL": ["\x00", "a\x00b", "\x00" * 10],
    "right-to-left": ["\u202eevil.pdf", "\u2066x\u2069", "\u200b"],
    "lone surrogate": [b"\xed\xa0\x80", b"a\xed\xb0\x80b", b"\xff\xfe", b"\xc0\xaf"],
    "date": ["9999-12-31", "0000-00-00", "2026-02-30", "9999-12-31T23:59"],
    "number": ["1e309", "NaN", "-0", "99999999999999999999", "-1"],
}
# Classes whose every value is sent in every field (one request each): they are what fields
# that parse dates, numbers and ids mishandle, each in its own way.
EACH = {"date", "number", "unicode digits"}
# Sent twice under one name where one value is expected.
REPEATED = "repeated field"
# Files where a form takes files, and where it takes text.
FILE = "file"
FILES: list[tuple[bytes, str]] = [
    (b"", "empty.pdf"),
    (b"plain words, not a PDF", "report.pdf"),
    (PDF[:20], "truncated.pdf"),
    (PNG, "\u202egnp.exe"),
    (PDF, "a\x00b.pdf"),
    (b"MZ\x90\x00", "x" * 300 + ".txt"),
    (b"\x00" * 64, ""),
]
# A JSON body where a browser sends a form, with values of every JSON type.
JSON = "JSON body"
JSON_VALUES = [1, None, [1, 2], {"a": 1}, 1e308, True, -1, "x", ""]
CLASSES = [*VALUES, REPEATED, FILE, JSON]

# Ids in an address that are not whole numbers a database holds, and ids of nothing ("٣" is
# an Arabic-Indic 3, which the address's converter reads as 3).
NOT_IDS = [10**30, -1, "²", "１２"]
UNKNOWN_IDS = [987_654_321, 0, "٣"]
# Words in an address (an evidence kind, an export format, an object type) that are not one.
NOT_WORDS = ["nope", "²", "\x00", "\u202e", "a" * 300, "%2e%2e", b"\xed\xa0\x80"]


class Hostile:
    """A seeded source of hostile values, so that a failure found once is found again."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def value(self, kind: str) -> str | bytes:
        return self.random.choice(VALUES[kind])

    def file(self) -> tuple[bytes, str]:
        return self.random.choice(FILES)

    def json_value(self):
        return self.random.choice(JSON_VALUES)

    def choice(self, options):
        return self.random.choice(options)
