"""Dates and times read one way everywhere: in the provider's time zone, with the zone named."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

from portfolio import ROOT
from portfolio.dates import (
    format_date,
    format_datetime,
    format_wall_time,
    time_zone_problem,
    zone,
)

WINTER = datetime(2026, 12, 5, 15, 20, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)


def test_a_winter_moment_in_london_reads_in_gmt():
    assert format_datetime(WINTER, zone("Europe/London")) == "5 Dec 2026, 15:20 GMT"


def test_a_summer_moment_in_london_reads_in_bst_on_the_next_day():
    assert format_datetime(SUMMER, zone("Europe/London")) == "2 Jul 2026, 00:30 BST"
    assert format_date(SUMMER, zone("Europe/London")) == "2 Jul 2026"


def test_utc_is_added_after_the_local_time_with_its_day_when_the_day_differs():
    london = zone("Europe/London")
    assert format_datetime(WINTER, london, utc=True) == "5 Dec 2026, 15:20 GMT (15:20 UTC)"
    assert format_datetime(SUMMER, london, utc=True) == (
        "2 Jul 2026, 00:30 BST (1 Jul 2026, 23:30 UTC)"
    )


def test_other_zones_are_named_and_an_unnamed_one_shows_its_offset():
    assert format_datetime(WINTER, zone("America/New_York")) == "5 Dec 2026, 10:20 EST"
    assert format_datetime(WINTER, zone("Asia/Kolkata")) == "5 Dec 2026, 20:50 IST"
    assert format_datetime(WINTER, zone("America/Sao_Paulo")) == "5 Dec 2026, 12:20 UTC-03"


def test_a_naive_time_is_taken_as_utc_and_nothing_reads_as_nothing():
    assert format_datetime(datetime(2026, 12, 5, 15, 20), zone(None)) == "5 Dec 2026, 15:20 GMT"
    assert format_datetime(None) == format_date(None) == format_wall_time(None) == ""


def test_a_calendar_date_is_shown_as_it_is():
    assert format_date(date(2027, 10, 7), zone("Pacific/Auckland")) == "7 Oct 2027"


def test_a_time_a_person_entered_keeps_its_clock_and_has_no_zone():
    assert format_wall_time("2026-11-04T14:05") == "4 Nov 2026, 14:05"


def test_an_unknown_or_missing_zone_falls_back_to_london():
    assert zone("Mars/Olympus_Mons").key == zone(None).key == "Europe/London"


def test_only_iana_zone_names_are_accepted():
    assert time_zone_problem("Europe/Dublin") is None
    assert time_zone_problem(" America/New_York ") is None
    assert "not a time zone name" in time_zone_problem("Europe/Londn")
    assert "not a time zone name" in time_zone_problem("../../etc/passwd")
    assert "Enter a time zone" in time_zone_problem("  ")


def test_templates_format_dates_only_through_the_filters():
    """One format everywhere: no template formats a date or time itself."""
    for path in Path(ROOT, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "strftime" not in text, path
        # isoformat() only feeds a machine-readable attribute: a datetime, or a date input's value.
        in_attributes = re.findall(r'(?:datetime|value)="\{\{ [\w.]+\.isoformat\(\) \}\}"', text)
        assert text.count(".isoformat()") == len(in_attributes), path
