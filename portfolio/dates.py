"""How dates and times are shown: in the provider's time zone, with the zone named, in one
format everywhere ("5 Dec 2026, 15:20 GMT"); UTC alongside where a record must be exact."""

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_TIME_ZONE = "Europe/London"


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA time zone name this machine knows (from tzdata), sorted."""
    return tuple(sorted(available_timezones()))


def time_zone_problem(name: str) -> str | None:
    """Why ``name`` cannot be a provider's time zone, or None when it can."""
    name = name.strip()
    if not name:
        return f"Enter a time zone, such as {DEFAULT_TIME_ZONE}."
    if name not in zone_names():
        return (
            f"“{name[:64]}” is not a time zone name. Use an IANA name such as "
            f"{DEFAULT_TIME_ZONE}, Europe/Dublin or America/New_York (a region, a slash, a city)."
        )
    return None


@cache
def zone(name: str | None) -> ZoneInfo:
    """The zone of this name; the default for a name that is missing or not a zone."""
    if name and name in zone_names():
        return ZoneInfo(name)
    return ZoneInfo(DEFAULT_TIME_ZONE)


def local_today(time_zone: str | None) -> date:
    """Today where the provider is (its time zone): the day every dated figure counts to."""
    return datetime.now(zone(time_zone)).date()


def _as_utc(value: datetime) -> datetime:
    # Stored times are UTC (portfolio.db.UTCDateTime); a naive one is taken to be UTC too.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def zone_abbreviation(value: datetime) -> str:
    """The zone's name at that moment: GMT, BST, CET; an offset such as UTC-03 where the
    zone has no abbreviation."""
    name = value.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def format_duration(minutes: int) -> str:
    """1 h 30 min, 2 h, 45 min: a length of time as people read it."""
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h" + (f" {minutes % 60} min" if minutes % 60 else "")


def format_date(value: date | datetime | None, time_zone: ZoneInfo | None = None) -> str:
    """5 Dec 2026: a calendar date as it is, a moment as the day it fell on in the zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _as_utc(value).astimezone(time_zone or zone(None))
    return _day(value)


def format_datetime(
    value: datetime | None, time_zone: ZoneInfo | None = None, *, utc: bool = False
) -> str:
    """5 Dec 2026, 15:20 GMT; with ``utc``, the moment in UTC after it: (15:20 UTC), or
    (4 Dec 2026, 23:20 UTC) when the day differs."""
    if value is None:
        return ""
    moment = _as_utc(value)
    local = moment.astimezone(time_zone or zone(None))
    text = f"{_day(local)}, {local:%H:%M} {zone_abbreviation(local)}"
    if utc:
        same_day = local.date() == moment.date()
        text += f" ({'' if same_day else _day(moment) + ', '}{moment:%H:%M} UTC)"
    return text


def format_wall_time(value: str | datetime | None) -> str:
    """5 Dec 2026, 15:20: a time as a person entered it (an incident's local time, no zone)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{_day(value)}, {value:%H:%M}"
