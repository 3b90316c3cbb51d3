"""Labels and lengths of time as they read within a sentence (also the pages' filters)."""

import pytest

from portfolio.dates import format_duration
from portfolio.text import in_sentence


@pytest.mark.parametrize(
    ("label", "read"),
    [("Incident log", "incident log"), ("STAR reflective account", "STAR reflective account"),
     ("Anonymised call notes", "anonymised call notes"), ("A", "a"), ("", "")],
)  # fmt: skip
def test_a_label_within_a_sentence_keeps_a_first_word_in_capitals(label, read):
    assert in_sentence(label) == read


@pytest.mark.parametrize(
    ("minutes", "read"), [(1, "1 min"), (45, "45 min"), (60, "1 h"), (90, "1 h 30 min"),
                          (720, "12 h")],
)  # fmt: skip
def test_a_length_of_time_reads_in_hours_and_minutes(minutes, read):
    assert format_duration(minutes) == read
