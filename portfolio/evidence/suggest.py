"""Suggest which of a unit's assessment criteria a piece of evidence shows, and say why.

The learner accepts or ignores each suggestion, so it must be explainable: every suggestion
carries the learner's own words that matched. It works for any unit from the day it is
imported, from the unit's own text and general English:

1. Both texts (the evidence, and each criterion with its learning outcome) are split into
   words, lower-cased, stop words dropped and the rest stemmed (Porter, as Snowball gives
   it), so "escalated" meets "escalation".
2. The unit's guidance ("what assessors look for", "common mistakes") is read line by line,
   and each line joins the criterion it is closest to, at a lower weight: guidance is
   written in plainer words than criteria, nearer to the learner's.
3. Words that are not the same meet through general English word vectors (GloVe,
   ``word_vectors.py``) when their vectors are very close: "advise" meets "inform",
   "consumers" meets "customers", in part, the closer the more.
4. Each criterion word is weighted by how rare it is among the unit's criteria (an IDF,
   as in BM25) and in English (the vectors list words by frequency): a word every
   criterion shares, or "time", says little about which criterion the text shows. The
   200 most frequent English words cannot make a match alone.
   The score is the saturated sum of what the evidence matches, as a share of the
   criterion's weight, squashed into 0..1, with the closeness of the two texts' average
   meanings added at a lower weight. A criterion the text meets on no word is left out.
5. Once the job worker has read the text with a sentence model (``sentence_meaning.py``,
   ``suggestion_meaning.py``), what the whole text means carries most of the score: it meets
   "brought the caller back to my questions" with "keep control of the conversation", where
   no word is shared. A text that meets the unit on no word is about something else and
   gets no suggestion; a criterion it meets on no word is suggested when the meanings are
   close, explained by the learner's closest sentence.
6. Once assessors have judged evidence for the unit, a model learned from their decisions
   (``suggestion_model.py``) is blended in, with more weight the more examples it has.

bench/suggest_eval.py measures it; docs/suggestions.md has the figures.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from portfolio.evidence.pii import PLACEHOLDER
from portfolio.evidence.word_vectors import DIMENSIONS, glove

if TYPE_CHECKING:
    import numpy as np

    from portfolio.evidence.sentence_meaning import Meaning

# numpy is imported where the ranking is worked out: the app and its commands start without it.

# How much a learning outcome's words count next to the criterion's own, and a guidance
# line's next to both.
OUTCOME_WEIGHT = 0.5
GUIDANCE_WEIGHT = 0.5
# Two different words count as one from this cosine of their vectors on, fully at 1.0:
# below it, GloVe's neighbours are words of the same topic, not the same meaning.
SIMILAR = 0.85
# BM25's term-frequency saturation: a word said five times is not five times the evidence.
SATURATION = 2.0
# The word score is coverage / (coverage + NORMALISER), coverage being the share of the
# criterion's weight the evidence matches (above 1 when matched words recur).
NORMALISER = 0.3
# The weight of the two texts' closeness in meaning beside the word score.
MEANING_WEIGHT = 0.5
# General English frequency: a word among the most frequent (the word vectors list words
# by frequency) says less than a rarer one ("time" less than "escalated"), as an IDF over
# English would. A word's weight is log(rank) / log(RARE_RANK), at most 1.
RARE_RANK = 10_000
# The most frequent English words ("time", "made", "call") add to a match but cannot make
# one alone, so that a football report's "half time" and "made a save" suggest nothing.
COMMON_RANK = 200
# The share of the whole text's meaning (a sentence model, sentence_meaning.py) in the
# cold-start score, beside the word score's, once the worker has read the text.
MEANING_SHARE = 0.85
# A criterion the text meets on no word is suggested when the meanings are this close (a
# cosine), explained by the learner's sentence closest to it.
MEANING_ALONE = 0.2
# A model learned from n examples weighs n / (n + half) of the blend: half is LEARNED_HALF
# beside the words alone, LEARNED_HALF_READ beside the sentence model's reading, which
# ranks better from the start.
LEARNED_HALF = 15
LEARNED_HALF_READ = 40
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
    # The terms are the learner's sentence closest in meaning, not words that matched.
    by_meaning: bool = False

    def as_dict(self) -> dict:
        return {
            "criterion_id": self.criterion_id,
            "number": self.number,
            "score": self.score,
            "terms": list(self.terms),
            "by_meaning": self.by_meaning,
        }


class LearnedModel(Protocol):
    """What the ranking needs of a model learned from assessors' decisions."""

    examples: int

    def predict(self, keys: list[str]) -> dict[str, tuple[float, dict[str, float]]]:
        """For each criterion number: the probability the text shows it, and what each of
        the text's word keys added to it."""
        ...


# --- Words ---------------------------------------------------------------------------------

VOCABULARY_PATH = Path(__file__).with_name("data") / "suggestions.toml"
with VOCABULARY_PATH.open("rb") as _file:
    _VOCABULARY = tomllib.load(_file)

STOP_WORDS = frozenset(_VOCABULARY["stop_words"].split())
BOILERPLATE = frozenset(_VOCABULARY["boilerplate"].split())
IRREGULAR: dict[str, str] = dict(_VOCABULARY["irregular"])
EXACT: dict[str, str] = dict(_VOCABULARY["exact"])

# The headings of a STAR account say where a sentence sits, not what the learner did.
_STAR_HEADING = re.compile(r"\b(?:situation|task|action|result)\s*:", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[&'’.:/\-][A-Za-z0-9]+)*%?")
# A clock time ("14:05", "9.30", "3pm") says when, not what was done: it is never a match,
# however many criteria ask for things to be timed (issue 27).
_CLOCK_TIME = re.compile(r"\d{1,2}[:.h]\d{2}(?:[:.]\d{2})?(?:am|pm)?|\d{1,2}(?:am|pm)")


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


@dataclass(frozen=True)
class _Word:
    key: str  # the stem
    row: int | None  # the word's row in the word vectors, if it has one
    start: int
    end: int


def _word(word: str, start: int) -> _Word | None:
    """A word of the text, or None for a stop word, a number or a symbol."""
    lower = word.lower().replace("’", "'")
    if lower in EXACT:
        key = EXACT[lower]
    else:
        normal = _normalise_word(word)
        if normal in STOP_WORDS or not any(ch.isalpha() for ch in normal):
            return None
        key = stem(normal)
    vectors = glove()
    row = vectors.row(IRREGULAR.get(lower, lower))
    if row is None:
        row = vectors.row(_normalise_word(word))
    return _Word(key, row, start, start + len(word))


@lru_cache(maxsize=4096)
def _words(text: str, criterion: bool = False) -> tuple[_Word, ...]:
    """The text's words; clock times and the placeholders of the personal-data check
    ("[PHONE]", "[NAME]") are left out: what was removed or when it happened shows nothing.
    For a criterion's text the specification's boilerplate ("award credit for
    demonstrating") is dropped too."""
    headings = {match.start() for match in _STAR_HEADING.finditer(text)}
    placeholders = [match.span() for match in PLACEHOLDER.finditer(text)]
    boilerplate = _boilerplate_keys() if criterion else frozenset()
    words = []
    for match in _TOKEN.finditer(text):
        if match.start() in headings or any(a <= match.start() < b for a, b in placeholders):
            continue
        if _CLOCK_TIME.fullmatch(match.group().lower()):
            continue
        # Hyphenated and slashed words are read part by part, so "follow-up" meets "follow up".
        offset = match.start()
        for part in re.split(r"[\-/]", match.group()):
            word = _word(part, offset) if part else None
            if word is not None and word.key not in boilerplate:
                words.append(word)
            offset += len(part) + 1
    return tuple(words)


def word_keys(text: str) -> list[str]:
    """The stems of the text's words, as the learned model reads them."""
    return [word.key for word in _words(text or "")]


@cache
def _boilerplate_keys() -> frozenset[str]:
    return frozenset(stem(_normalise_word(word)) for word in BOILERPLATE)


def guidance_lines(guidance: str) -> list[str]:
    """The unit guidance's sentences: its Markdown list items and paragraphs, not headings."""
    lines = []
    for line in (guidance or "").splitlines():
        line = line.strip().lstrip("-*•+ ").strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


# --- The unit's criteria ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """A criterion's words: their keys, weights (IDF included) and vectors."""

    keys: tuple[str, ...]
    weights: np.ndarray
    vectors: np.ndarray  # one row a key, zero where no word of it has a vector
    meaning: np.ndarray  # the weighted average of the vectors, unit length


def _collect(texts: list[tuple[str, float]]) -> dict[str, tuple[float, list[int]]]:
    words: dict[str, tuple[float, list[int]]] = {}
    for text, weight in texts:
        for word in _words(text, criterion=True):
            known, rows = words.get(word.key, (0.0, []))
            words[word.key] = (
                max(known, weight),
                rows + ([word.row] if word.row is not None else []),
            )
    return words


def _profiles(collected: list[dict[str, tuple[float, list[int]]]]) -> list[_Profile]:
    import numpy as np

    n = len(collected)
    document_frequency: dict[str, int] = {}
    for words in collected:
        for key in words:
            document_frequency[key] = document_frequency.get(key, 0) + 1
    table = glove().vectors
    profiles = []
    for words in collected:
        keys = tuple(words)
        weights = np.array(
            [
                words[key][0]
                * math.log(
                    1 + (n - document_frequency[key] + 0.5) / (document_frequency[key] + 0.5)
                )
                for key in keys
            ]
        )
        vectors = np.zeros((len(keys), DIMENSIONS), dtype=np.float32)
        for i, key in enumerate(keys):
            rows = words[key][1]
            weights[i] *= _rarity(min(rows) if rows else None)
            if rows:
                mean = table[rows].mean(axis=0)
                vectors[i] = mean / (np.linalg.norm(mean) or 1)
        meaning = (weights[:, None] * vectors).sum(axis=0) if keys else np.zeros(DIMENSIONS)
        profiles.append(_Profile(keys, weights, vectors, meaning / (np.linalg.norm(meaning) or 1)))
    return profiles


def _rarity(row: int | None) -> float:
    """How much a word says by how rare it is in English (its frequency rank is its row)."""
    if row is None:
        return 1.0
    return min(1.0, math.log(row + 2) / math.log(RARE_RANK))


@lru_cache(maxsize=64)
def _unit_profiles(criteria: tuple[CriterionText, ...], guidance: str) -> list[_Profile]:
    """Each criterion's profile: its text, its outcome's and the guidance lines closest to it."""
    own = [
        _collect([(criterion.outcome, OUTCOME_WEIGHT), (criterion.text, 1.0)])
        for criterion in criteria
    ]
    lines = guidance_lines(guidance)
    if not lines:
        return _profiles(own)
    plain = _profiles(own)
    texts = [[(c.outcome, OUTCOME_WEIGHT), (c.text, 1.0)] for c in criteria]
    for line in lines:
        scores = [score for score, _shares in _score(_words(line), plain)]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        if scores[best] > 0:
            texts[best].append((line, GUIDANCE_WEIGHT))
    return _profiles([_collect(text) for text in texts])


# --- Scoring ---------------------------------------------------------------------------------


def _saturate(frequency: np.ndarray) -> np.ndarray:
    return frequency * (SATURATION + 1) / (frequency + SATURATION)


def _score(words: tuple[_Word, ...], profiles: list[_Profile]) -> list[tuple[float, np.ndarray]]:
    """Each criterion's cold-start score for the words, and each word's share of it
    (zero for every word when the text meets the criterion on none)."""
    import numpy as np

    if not words:
        return [(0.0, np.zeros(0)) for _profile in profiles]
    table = glove().vectors
    evidence = np.stack(
        [table[w.row] if w.row is not None else np.zeros(DIMENSIONS, np.float32) for w in words]
    )
    keys = np.array([w.key for w in words], dtype=object)
    common = np.array([w.row is not None and w.row < COMMON_RANK for w in words])
    rarity = np.array([_rarity(w.row) for w in words])
    meaning = (rarity[:, None] * evidence).sum(axis=0)
    meaning /= np.linalg.norm(meaning) or 1
    results = []
    for profile in profiles:
        if not profile.keys:
            results.append((0.0, np.zeros(len(words))))
            continue
        same = np.array(profile.keys, dtype=object)[:, None] == keys[None, :]
        cosine = profile.vectors @ evidence.T
        similar = np.clip((cosine - SIMILAR) / (1 - SIMILAR), 0.0, 1.0)
        match = np.where(same, 1.0, similar)  # criterion word x evidence word
        frequency = match.sum(axis=1)
        contribution = profile.weights * _saturate(frequency)
        total = float(contribution.sum())
        if total <= 0:
            results.append((0.0, np.zeros(len(words))))
            continue
        coverage = total / float(profile.weights.sum())
        if not (match[:, ~common].any() if (~common).any() else False):
            results.append((0.0, np.zeros(len(words))))
            continue
        closeness = max(0.0, float(profile.meaning @ meaning))
        score = (coverage / (coverage + NORMALISER) + MEANING_WEIGHT * closeness) / (
            1 + MEANING_WEIGHT
        )
        share = (contribution / np.where(frequency > 0, frequency, 1)) @ match
        results.append((score, share))
    return results


def _surface(text: str, word: _Word) -> str:
    """The learner's word as written, without the capital a sentence start gives it."""
    written = text[word.start : word.end]
    before = text[: word.start].rstrip()
    sentence_start = not before or before[-1] in ".!?:-*\u2022"
    if sentence_start and written[:1].isupper() and written[1:].islower():
        written = written[0].lower() + written[1:]
    return written


def _explain(text: str, words: tuple[_Word, ...], shares: Mapping[int, float]) -> tuple[str, ...]:
    """The learner's words that matched, the ones that weighed most first."""
    by_word: dict[str, list] = {}
    for i, share in shares.items():
        if share <= 0:
            continue
        surface = _surface(text, words[i])
        entry = by_word.setdefault(surface.lower(), [0.0, words[i].start, surface])
        entry[0] += share
    best = sorted(by_word.values(), key=lambda entry: (-entry[0], entry[1]))
    if not best:
        return ()
    floor = best[0][0] * 0.1
    return tuple(surface for share, _start, surface in best[:MAX_TERMS] if share >= floor)


def learned_weight(examples: int, *, read: bool = False) -> float:
    """The share of the blend a learned model of this many examples has, beside the words
    alone or, when ``read``, beside the sentence model's reading too."""
    half = LEARNED_HALF_READ if read else LEARNED_HALF
    return examples / (examples + half) if examples > 0 else 0.0


def suggest_criteria(
    text: str,
    criteria: list[CriterionText],
    *,
    guidance: str = "",
    learned: LearnedModel | None = None,
    meaning: Sequence[Meaning | None] | None = None,
    limit: int | None = None,
    min_score: float = 0.05,
) -> list[Suggestion]:
    """The unit's criteria this evidence seems to show, best first, with the words that matched.

    ``guidance`` is the unit's guidance for learners (Markdown); ``learned`` a model trained
    on the unit's assessed evidence, blended in by how many examples it has; ``meaning``,
    one for each criterion (None where it has not been read), how close the text is to
    it in meaning, as the sentence model read it.
    """
    text = text or ""
    words = _words(text)
    if not words or not criteria:
        return []
    profiles = _unit_profiles(tuple(criteria), guidance or "")
    cold = _score(words, profiles)
    if meaning is not None and not any(score > 0 for score, _share in cold):
        return []  # the text meets the unit on no word: it is about something else
    weight = (
        learned_weight(learned.examples, read=meaning is not None) if learned is not None else 0.0
    )
    predicted = learned.predict([w.key for w in words]) if weight else {}
    ranked = []
    for position, (criterion, (score, share)) in enumerate(zip(criteria, cold, strict=True)):
        shares = {i: float(s) for i, s in enumerate(share) if s > 0}
        reading = meaning[position] if meaning is not None else None
        if reading is not None:
            score = (1 - MEANING_SHARE) * score + MEANING_SHARE * reading.closeness
        if weight and criterion.number in predicted:
            probability, by_key = predicted[criterion.number]
            score = (1 - weight) * score + weight * probability
            for i, word in enumerate(words):
                if by_key.get(word.key, 0) > 0:
                    shares[i] = shares.get(i, 0.0) + weight * by_key[word.key]
        terms = _explain(text, words, shares)
        by_meaning = not terms and reading is not None and reading.closeness >= MEANING_ALONE
        if by_meaning:
            terms = (text[reading.start : reading.end].strip(),)
        if not terms or score < min_score:
            continue
        ranked.append((-score, position, criterion, terms, by_meaning))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    suggestions = [
        Suggestion(criterion.id, criterion.number, round(-negative, 4), terms, by_meaning)
        for negative, _position, criterion, terms, by_meaning in ranked
    ]
    return suggestions if limit is None else suggestions[:limit]
