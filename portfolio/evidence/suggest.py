"""Suggest which of a unit's assessment criteria a piece of evidence shows, and say why.

The learner accepts or ignores each suggestion, so it must be explainable: every suggestion
carries the learner's own words that matched. How it works:

1. Both texts (the evidence, and each criterion with its learning outcome) are split into
   words, lower-cased, stop words dropped and the rest stemmed (Porter, 1980, as Snowball
   gives it).
2. Words and multi-word phrases are looked up in a concept map of contact-centre incident
   vocabulary, so that "rang her back" meets "keeping them informed" and "sat with the new
   starter" meets "support to colleagues". A word counts both as itself and as the concepts
   it belongs to; weaker synonyms count for less.
3. Each criterion feature is weighted by how rare it is among the unit's criteria (an
   IDF): a feature every criterion shares says little about which one the text shows.
4. A criterion's score is the BM25-style saturated sum of the features the evidence shares
   with it, as a share of the criterion's own weight, squashed into 0..1. A criterion is
   left out unless the evidence meets it on something that says what was done: a time or a
   reference alone is no evidence of logging.

The vocabulary (``data/suggestions.toml``) is general contact-centre incident vocabulary,
not tuned to any one unit, so any unit's criteria can be given; bench/suggest_eval.py
measures it on a labelled set.
"""

import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from portfolio.evidence.pii import PLACEHOLDER

# How much a learning outcome's words count next to the criterion's own.
OUTCOME_WEIGHT = 0.5
# BM25's term-frequency saturation: a word said five times is not five times the evidence.
SATURATION = 2.0
# The score is coverage / (coverage + NORMALISER), coverage being the share of the
# criterion's weight the evidence matches (above 1 when matched words recur): 0..1.
NORMALISER = 0.5
MAX_TERMS = 6


@dataclass(frozen=True)
class CriterionText:
    id: int | str
    number: str
    text: str
    outcome: str = ""


@dataclass(frozen=True)
class Suggestion:
    criterion_id: int | str
    number: str
    score: float
    terms: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "criterion_id": self.criterion_id,
            "number": self.number,
            "score": self.score,
            "terms": list(self.terms),
        }


# --- Words ---------------------------------------------------------------------------------

VOCABULARY_PATH = Path(__file__).with_name("data") / "suggestions.toml"
with VOCABULARY_PATH.open("rb") as _file:
    _VOCABULARY = tomllib.load(_file)

STOP_WORDS = frozenset(_VOCABULARY["stop_words"].split())
BOILERPLATE = frozenset(_VOCABULARY["boilerplate"].split())
IRREGULAR: dict[str, str] = dict(_VOCABULARY["irregular"])
EXACT: dict[str, str] = dict(_VOCABULARY["exact"])
GENERIC_WORDS: dict[str, float] = dict(_VOCABULARY["generic"])
CONTEXT_CONCEPTS = frozenset(_VOCABULARY["context_concepts"])
IMPLIES: dict[str, dict[str, float]] = _VOCABULARY["implies"]
# A bare string counts fully; a (term, weight) pair is a weaker or ambiguous member.
CONCEPTS: dict[str, tuple[str | tuple[str, float], ...]] = {
    concept: tuple(term if isinstance(term, str) else tuple(term) for term in terms)
    for concept, terms in _VOCABULARY["concepts"].items()
}

# The headings of a STAR account say where a sentence sits, not what the learner did.
_STAR_HEADING = re.compile(r"\b(?:situation|task|action|result)\s*:", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[&'’.:/\-][A-Za-z0-9]+)*%?")
# A clock time ("14:05", "9.30", "3pm") says when, not what was done: it is never a match,
# however many criteria ask for things to be timed (issue 27).
_CLOCK_TIME = re.compile(r"\d{1,2}[:.h]\d{2}(?:[:.]\d{2})?(?:am|pm)?|\d{1,2}(?:am|pm)")
# Whole tokens recognised by their shape before any splitting.
_PATTERNS = (
    (re.compile(r"p[1-5]|sev[1-5]|cat[1-5]"), {"PRIORITY": 1.0}),
    (re.compile(r"999|112"), {"EMERGENCY_SERVICE": 1.0}),
    (re.compile(r"\d+(?:\.\d+)?%"), {"KPI": 0.5}),
    (re.compile(r"(?:\d+|one|two|four|eight|24|48)-(?:hour|minute|day)s?"), {"SLA": 0.6}),
)


@cache
def stem(word: str) -> str:
    """Porter's stem of a word: escalated, escalating, escalation -> escal. Words of one or
    two letters are left as they are ("us", "as"), as in Porter's own implementation."""
    if len(word) <= 2:
        return word
    # Imported here, not at the top: the package loads every language's stemmer, which the
    # app's start need not wait for. A stemmer holds the word it works on, so each call
    # takes its own (threads share this function).
    import snowballstemmer

    return snowballstemmer.stemmer("porter").stemWord(word)


# --- Analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    key: str  # the normalised stem; "" for a number or symbol that means nothing alone
    start: int
    end: int
    stop: bool
    pattern: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class _Term:
    """One word or phrase of a text and the features it brings."""

    start: int
    end: int
    features: tuple[tuple[str, float], ...]


def _normalise_word(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = IRREGULAR.get(word, word)
    # British and American spellings meet: prioritize -> prioritise, analyze -> analyse.
    word = re.sub(r"iz(e|es|ed|ing|ation|ations|er|ers)$", r"is\1", word)
    word = re.sub(r"yz(e|es|ed|ing)$", r"ys\1", word)
    # Adverbs meet their adjectives (calmly -> calm), which Porter leaves apart; not reply,
    # family or possibly, where "ly" is no suffix or the stem would change.
    if len(word) >= 6 and word.endswith("ly") and not word.endswith(("ply", "ily", "bly")):
        word = word[:-2]
    return word


def _word_key(word: str) -> tuple[str, bool]:
    """A word's key (its stem) and whether it is a stop word."""
    lower = word.lower().replace("’", "'")
    if lower in EXACT:
        return EXACT[lower], False
    word = _normalise_word(word)
    if word in STOP_WORDS:
        return word, True
    if not any(ch.isalpha() for ch in word):
        return "", True
    return stem(word), False


def _tokens(text: str) -> list[_Token]:
    """The text's words; clock times and the placeholders of the personal-data check
    ("[PHONE]", "[NAME]") are left out: what was removed or when it happened shows nothing."""
    headings = {match.start() for match in _STAR_HEADING.finditer(text)}
    placeholders = [match.span() for match in PLACEHOLDER.finditer(text)]
    tokens = []
    for match in _TOKEN.finditer(text):
        if match.start() in headings or any(a <= match.start() < b for a, b in placeholders):
            continue
        raw = match.group().lower()
        if _CLOCK_TIME.fullmatch(raw):
            continue
        pattern = next((features for regex, features in _PATTERNS if regex.fullmatch(raw)), None)
        if pattern is not None:
            features = tuple(_with_implied(pattern).items())
            tokens.append(_Token("", match.start(), match.end(), False, features))
            continue
        # Hyphenated and slashed words are read part by part, so "follow-up" meets "follow up".
        offset = match.start()
        for part in re.split(r"[\-/]", match.group()):
            if part:
                key, stop = _word_key(part)
                tokens.append(_Token(key, offset, offset + len(part), stop))
            offset += len(part) + 1
    return tokens


def _phrase_key(phrase: str) -> tuple[str, ...]:
    """A lexicon entry as the sequence of keys its words normalise to, stop words kept."""
    keys = []
    for match in _TOKEN.finditer(phrase):
        for part in re.split(r"[\-/]", match.group()):
            if part:
                keys.append(_word_key(part)[0])
    return tuple(keys)


def _with_implied(concepts: dict[str, float]) -> dict[str, float]:
    """The concepts with those they imply, at the implied strength."""
    out = dict(concepts)
    for concept, weight in concepts.items():
        for other, factor in IMPLIES.get(concept, {}).items():
            out[other] = max(out.get(other, 0.0), weight * factor)
    return out


@cache
def _lexicon() -> dict[str, list[tuple[tuple[str, ...], dict[str, float]]]]:
    """Concept entries indexed by their first key, longest first."""
    entries: dict[tuple[str, ...], dict[str, float]] = {}
    for concept, terms in CONCEPTS.items():
        for term in terms:
            phrase, weight = (term, 1.0) if isinstance(term, str) else term
            key = _phrase_key(phrase)
            if not key:
                continue
            concepts = entries.setdefault(key, {})
            for name, strength in _with_implied({concept: weight}).items():
                concepts[name] = max(concepts.get(name, 0.0), strength)
    # Generic phrases ("contact centre") are read as one term that belongs to no concept.
    for phrase in GENERIC_WORDS:
        entries.setdefault(_phrase_key(phrase), {})
    index: dict[str, list[tuple[tuple[str, ...], dict[str, float]]]] = {}
    for key, concepts in entries.items():
        index.setdefault(key[0], []).append((key, concepts))
    for candidates in index.values():
        candidates.sort(key=lambda entry: -len(entry[0]))
    return index


@cache
def _boilerplate_keys() -> frozenset[str]:
    return frozenset(_word_key(word)[0] for word in BOILERPLATE)


@cache
def _generic_weights() -> dict[str, float]:
    """Literal weights of the generic terms, by their keys joined with spaces."""
    return {" ".join(_phrase_key(term)): weight for term, weight in GENERIC_WORDS.items()}


# Stop words and generic words a phrase may skip over: "rang her back" is "ring back", as
# are "called the customer back" and "raised the incident with" is "raise with".
_MAX_GAP = 2


def _match_phrase(tokens: list[_Token], i: int, key: tuple[str, ...]) -> int | None:
    """The index after the phrase if it starts at token i, else None.

    A phrase that starts with a stop word must be whole ("on call", not "on the call").
    """
    max_gap = 0 if tokens[i].stop else _MAX_GAP
    generic = _generic_weights()
    j = i + 1
    for part in key[1:]:
        gap = 0
        while (
            j < len(tokens)
            and tokens[j].key != part
            and (tokens[j].stop or tokens[j].key in generic)
            and gap < max_gap
        ):
            j += 1
            gap += 1
        if j >= len(tokens) or tokens[j].key != part:
            return None
        j += 1
    return j


@lru_cache(maxsize=4096)
def _analyse(text: str, criterion: bool = False) -> tuple[_Term, ...]:
    """The text's terms: phrases from the concept map, else single words that are not stop words.

    For a criterion's text the specification's boilerplate ("award credit for demonstrating")
    is dropped first.
    """
    tokens = _tokens(text)
    if criterion:
        boilerplate = _boilerplate_keys()
        tokens = [token for token in tokens if token.key not in boilerplate]
    lexicon = _lexicon()
    generic = _generic_weights()
    terms = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.pattern:
            terms.append(_Term(token.start, token.end, token.pattern))
            i += 1
            continue
        matched = None
        for key, concepts in lexicon.get(token.key, ()):
            # A stop word may start a phrase ("on call") but is nothing on its own.
            end = _match_phrase(tokens, i, key) if len(key) > 1 or not token.stop else None
            if end is not None:
                matched = (key, concepts, end)
                break
        if matched is None and token.stop:
            i += 1
            continue
        key, concepts, end = matched or ((token.key,), {}, i + 1)
        literal = " ".join(key)
        features = {"=" + literal: generic.get(literal, 1.0), **concepts}
        terms.append(_Term(token.start, tokens[end - 1].end, tuple(features.items())))
        i = end
    return tuple(terms)


def _profile(text: str, scale: float = 1.0) -> dict[str, float]:
    profile: dict[str, float] = {}
    for term in _analyse(text, criterion=True):
        for feature, weight in term.features:
            profile[feature] = max(profile.get(feature, 0.0), weight * scale)
    return profile


def _criterion_profile(criterion: CriterionText) -> dict[str, float]:
    profile = _profile(criterion.outcome, OUTCOME_WEIGHT)
    for feature, weight in _profile(criterion.text).items():
        profile[feature] = max(profile.get(feature, 0.0), weight)
    return profile


def _saturate(frequency: float) -> float:
    return frequency * (SATURATION + 1) / (frequency + SATURATION)


def _surface(text: str, term: _Term) -> str:
    """The learner's words as written, without the capital a sentence start gives them."""
    words = text[term.start : term.end]
    before = text[: term.start].rstrip()
    sentence_start = not before or before[-1] in ".!?:-*\u2022"
    if sentence_start and words[:1].isupper() and words[1:].islower():
        words = words[0].lower() + words[1:]
    return words


def suggest_criteria(
    text: str,
    criteria: list[CriterionText],
    *,
    limit: int | None = None,
    min_score: float = 0.05,
) -> list[Suggestion]:
    """The unit's criteria this evidence seems to show, best first, with the words that matched."""
    terms = _analyse(text or "")
    if not terms or not criteria:
        return []
    frequency: dict[str, float] = {}
    for term in terms:
        for feature, weight in term.features:
            frequency[feature] = frequency.get(feature, 0.0) + weight
    core = _core_features(terms)

    profiles = [_criterion_profile(criterion) for criterion in criteria]
    document_frequency: dict[str, int] = {}
    for profile in profiles:
        for feature in profile:
            document_frequency[feature] = document_frequency.get(feature, 0) + 1
    n = len(criteria)
    idf = {
        feature: math.log(1 + (n - df + 0.5) / (df + 0.5))
        for feature, df in document_frequency.items()
    }

    ranked = []
    for position, (criterion, profile) in enumerate(zip(criteria, profiles, strict=True)):
        importance = {feature: idf[feature] * weight for feature, weight in profile.items()}
        contributions = {
            feature: importance[feature] * _saturate(frequency[feature])
            for feature in importance
            if feature in frequency
        }
        matched = sum(contributions.values())
        if not core.intersection(contributions):
            continue
        coverage = matched / sum(importance.values())
        score = coverage / (coverage + NORMALISER)
        if score < min_score:
            continue
        ranked.append(
            (-score, position, criterion, _explain(text, terms, contributions, frequency))
        )
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    suggestions = [
        Suggestion(criterion.id, criterion.number, round(-negative, 4), explanation)
        for negative, _position, criterion, explanation in ranked
    ]
    return suggestions if limit is None else suggestions[:limit]


def _core_features(terms: tuple[_Term, ...]) -> set[str]:
    """The features that can make a match: those of terms that say what was done."""
    core = set()
    for term in terms:
        literal = [f for f, weight in term.features if f.startswith("=") and weight >= 1]
        concepts = [f for f, _weight in term.features if not f.startswith("=")]
        substantive = [c for c in concepts if c not in CONTEXT_CONCEPTS]
        if substantive or (literal and not concepts):
            core.update(substantive + literal)
    return core


def _explain(
    text: str,
    terms: tuple[_Term, ...],
    contributions: dict[str, float],
    frequency: dict[str, float],
) -> tuple[str, ...]:
    """The learner's words that matched, the ones that weighed most first."""
    by_word: dict[str, list] = {}
    for term in terms:
        share = sum(
            contributions[feature] * weight / frequency[feature]
            for feature, weight in term.features
            if feature in contributions
        )
        if share <= 0:
            continue
        surface = _surface(text, term)
        entry = by_word.setdefault(surface.lower(), [0.0, term.start, surface])
        entry[0] += share
    best = sorted(by_word.values(), key=lambda entry: (-entry[0], entry[1]))
    if not best:
        return ()
    floor = best[0][0] * 0.1
    return tuple(surface for share, _start, surface in best[:MAX_TERMS] if share >= floor)
