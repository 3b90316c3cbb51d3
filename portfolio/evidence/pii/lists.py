"""The word and name lists of the personal-data check, read from the files in ``data/``:
``words.toml`` for the short lists, one ``.txt`` file per name list, and zxcvbn's ranked
lists of names and frequent words."""

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data")

with (DATA / "words.toml").open("rb") as _file:
    _WORDS = tomllib.load(_file)


def _words(section: str, key: str) -> frozenset[str]:
    return frozenset(_WORDS[section][key].split())


TITLES = _words("names", "titles")
PARTICLES = _words("names", "particles")
NOT_NAMES = _words("names", "not_names")
CALENDAR_NAMES = _words("names", "calendar_names")
STRONG_NAMES = _words("names", "strong_names")
STREET_SUFFIXES = _words("names", "street_suffixes")
ORG_HEADS = STREET_SUFFIXES | _words("names", "organisation_heads")
ROLE_WORDS = _words("names", "roles")
JOBS = _words("names", "jobs")
STRONG_VERBS = _words("names", "strong_verbs")
WEAK_VERBS = _words("names", "weak_verbs")
NO_NAME = _words("names", "no_name")
ABBREVIATIONS = _words("names", "abbreviations")
POSTCODE_AREAS = _words("identifiers", "postcode_areas")
NOT_REGISTRATIONS = _words("identifiers", "not_registrations")


def _read(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Lexicon:
    given: frozenset[str]
    surnames: frozenset[str]
    common: frozenset[str]
    places: frozenset[str]
    stop: frozenset[str]
    phrases: re.Pattern[str]

    def is_listed(self, word: str) -> bool:
        """Whether a word is in any list of names the detector uses."""
        low = word.lower()
        return low in self.given or low in self.surnames


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    from zxcvbn.matching import RANKED_DICTIONARIES as ranked

    given = {w.lower() for w in _read("given_names.txt")}
    given |= set(ranked["male_names"]) | set(ranked["female_names"])
    surnames = {w.lower() for w in _read("surnames.txt")}
    surnames |= set(ranked["surnames"])
    places, organisations = _read("places.txt"), _read("organisations.txt")
    multi = [p for p in places + organisations if not p.replace("-", "").isalpha()]
    phrases = re.compile(
        r"(?<![\w'])(?:"
        + "|".join(re.escape(p) for p in sorted(multi, key=len, reverse=True))
        + r")(?![\w'])"
    )
    return Lexicon(
        given=frozenset(given),
        surnames=frozenset(surnames),
        common=frozenset(_read("common_words.txt")),
        places=frozenset(p.lower() for p in places if p.replace("-", "").isalpha()),
        stop=NOT_NAMES
        | frozenset(o.lower() for o in organisations if o.replace("-", "").isalpha()),
        phrases=phrases,
    )


@lru_cache(maxsize=1)
def frequent_words() -> frozenset[str]:
    """The 3,000 most frequent words of zxcvbn's Wikipedia and TV/film lists."""
    from zxcvbn.matching import RANKED_DICTIONARIES as ranked

    return frozenset(
        w
        for name in ("english_wikipedia", "us_tv_and_film")
        for w, rank in ranked[name].items()
        if rank <= 3000
    )
