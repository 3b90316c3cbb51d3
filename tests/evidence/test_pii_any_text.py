"""The personal-data check runs on whatever a learner writes: it never fails, and what it
finds is always a span of the text with a type. Texts are built from the labelled sets'
own words, numbers and punctuation, shuffled, so that the cues and shapes the check reads
meet each other in orders no one wrote."""

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio.evidence.pii import TYPES, find_personal_data, redacted

CORPUS_DIR = Path(__file__).resolve().parent / "pii_corpus"
_MARK = re.compile(r"\[\[[A-Z_]+\|(.+?)\]\]")


def _words() -> list[str]:
    text = " ".join(
        _MARK.sub(r"\1", path.read_text(encoding="utf-8"))
        for path in sorted(CORPUS_DIR.glob("*.txt"))
    )
    return sorted(set(re.findall(r"[^\s]+", text)))


WORDS = _words()
SEPARATORS = [" ", " ", " ", ", ", "\n", ": ", " - ", ". ", "\n\n", " (", ") "]
pieces = st.one_of(
    st.sampled_from(WORDS),
    st.integers(0, 99999).map(str),
    st.sampled_from(["moved to", "lives at", "sort code", "Flat", "Taken by:", "hi its"]),
)
texts = st.lists(st.tuples(pieces, st.sampled_from(SEPARATORS)), max_size=40).map(
    lambda parts: "".join(word + sep for word, sep in parts)
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_is_checked_without_failing(text):
    findings = find_personal_data(text)
    for finding in findings:
        assert finding.type in TYPES
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
    redacted(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_characters_are_checked_without_failing(text):
    for finding in find_personal_data(text):
        assert 0 <= finding.start < finding.end <= len(text)
