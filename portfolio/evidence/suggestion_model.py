"""A unit's suggestion model learned from assessors' decisions: which words go with which
criterion, in the way this provider's learners write.

Each example is an evidence text with the criterion numbers it was judged to meet. The text
is read as the suggestions read it (``suggest.word_keys``: stems, no stop words, times or
placeholders), weighted by TF-IDF, and one logistic regression per criterion learns the
chance the text shows it (scikit-learn). The fitted numbers are kept as JSON, not a
pickle: loading a model from the database runs no code.
"""

from dataclasses import dataclass

from portfolio.evidence.suggest import word_keys

# numpy, scipy and scikit-learn are imported where a model is trained or used: the app, its
# commands and its workers start without them.

# Inverse regularisation strength: small sets of short texts overfit easily.
REGULARISATION = 4.0
FORMAT = 1


@dataclass(frozen=True)
class Example:
    text: str
    numbers: frozenset[str]
    weight: float = 1.0  # a learner's own claim not yet judged counts for less


def _keys(keys: list[str]) -> list[str]:
    return keys


def _vectoriser(**fixed):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=_keys, sublinear_tf=True, **fixed)


@dataclass
class LearnedSuggestions:
    """Per-criterion logistic regressions over the TF-IDF of the evidence's word stems."""

    examples: int
    numbers: list[str]
    vocabulary: dict[str, int]
    idf: list[float]
    coefficients: list[list[float]]  # one row a criterion number, one column a word
    intercepts: list[float]

    @classmethod
    def train(cls, examples: list[Example], numbers: list[str]) -> "LearnedSuggestions":
        """Fit one model per criterion on the examples (criterion numbers not in ``numbers``
        are ignored)."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        documents = [word_keys(example.text) for example in examples]
        vectoriser = _vectoriser()
        if not any(documents):
            return cls(len(examples), list(numbers), {}, [], [[] for _n in numbers],
                       [-10.0] * len(numbers))  # fmt: skip
        matrix = vectoriser.fit_transform(documents)
        weights = np.array([example.weight for example in examples])
        coefficients, intercepts = [], []
        for number in numbers:
            labels = np.array([number in example.numbers for example in examples])
            if labels.all() or not labels.any():
                # Never (or always) judged met so far: nothing to tell texts apart by.
                share = (labels.sum() + 0.5) / (len(labels) + 1)
                coefficients.append([0.0] * matrix.shape[1])
                intercepts.append(float(np.log(share / (1 - share))))
                continue
            model = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=1000)
            model.fit(matrix, labels, sample_weight=weights)
            coefficients.append(model.coef_[0].tolist())
            intercepts.append(float(model.intercept_[0]))
        vocabulary = {key: int(column) for key, column in vectoriser.vocabulary_.items()}
        return cls(len(examples), list(numbers), vocabulary, vectoriser.idf_.tolist(),
                   coefficients, intercepts)  # fmt: skip

    def predict(self, keys: list[str]) -> dict[str, tuple[float, dict[str, float]]]:
        """For each criterion number: the chance a text of these word keys shows it, and
        what each key added to the criterion's log-odds (positive contributions only)."""
        import numpy as np
        from scipy.special import expit

        if not self.vocabulary:
            return {number: (float(expit(b)), {}) for number, b in zip(self.numbers, self.intercepts, strict=True)}  # fmt: skip
        vectoriser = _vectoriser(vocabulary=self.vocabulary)
        vectoriser.idf_ = np.array(self.idf)
        row = vectoriser.transform([keys]).toarray()[0]
        present = np.flatnonzero(row)
        names = {column: key for key, column in self.vocabulary.items()}
        coefficients = np.array(self.coefficients)
        logits = coefficients @ row + np.array(self.intercepts)
        predicted = {}
        for c, number in enumerate(self.numbers):
            added = {names[j]: float(coefficients[c, j] * row[j]) for j in present}
            predicted[number] = (
                float(expit(logits[c])),
                {key: value for key, value in added.items() if value > 0},
            )
        return predicted

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "examples": self.examples,
            "numbers": self.numbers,
            "vocabulary": self.vocabulary,
            "idf": self.idf,
            "coefficients": self.coefficients,
            "intercepts": self.intercepts,
        }

    @classmethod
    def from_json(cls, data: dict) -> "LearnedSuggestions":
        return cls(
            examples=data["examples"],
            numbers=data["numbers"],
            vocabulary=data["vocabulary"],
            idf=data["idf"],
            coefficients=data["coefficients"],
            intercepts=data["intercepts"],
        )
