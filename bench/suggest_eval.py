"""How well the criteria suggestions rank the right criteria on labelled evidence texts.

Two sets, each a folder of criteria files and a ``labelled.yaml`` of texts labelled, per unit,
with the criterion numbers an assessor would accept them for:

- the seed units: criteria/*.yaml and tests/evidence/suggest_set/labelled.yaml (the set the
  engine was built and tuned on);
- the held-out units: tests/evidence/suggest_held_out/ (units from other sectors, written
  apart from the engine and never used to tune it), and a second set in
  tests/evidence/suggest_held_out_2/, written the same way once the first had been seen, a
  third in tests/evidence/suggest_held_out_3/, written once the second had been seen, and a
  fourth in tests/evidence/suggest_held_out_4/, written once the engine read whole texts with
  the sentence model.

A label's key is the unit's awarding body code, its unit code, or BODY:UNIT. For every
(text, unit) pair the unit's criteria are ranked for the text and scored:

- top-3 hit rate: share of pairs with at least one right criterion in the first three;
- top-1 accuracy: share of pairs whose first suggestion is right;
- recall@3: share of all right criteria that appear in the first three;
- MRR: mean of 1 / rank of the first right criterion (0 when none is suggested).

Cold start is the ranking from the unit's own text alone, once the job worker has read the
evidence with the sentence model; "words alone" is the ranking before it has. "After n decisions" simulates
assessors: for each unit, its labelled pairs are shuffled (fixed seeds, ROUNDS rounds), the
first n become decided evidence (each text with its right criteria, as judged met) that
train the unit's learned model, and the rest are ranked with the model blended in. n is at
most 80% of the unit's pairs, so a fifth is always left to evaluate on; the tables give the
mean n actually used.

Run: .venv/bin/python bench/suggest_eval.py  (--json for the figures as JSON)
"""

import argparse
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from portfolio.evidence.suggest import CriterionText, suggest_criteria
from portfolio.evidence.suggestion_model import Example, LearnedSuggestions
from portfolio.units.criteria_file import read

ROOT = Path(__file__).resolve().parent.parent
CRITERIA_DIR = ROOT / "criteria"
LABELLED = ROOT / "tests" / "evidence" / "suggest_set" / "labelled.yaml"
HELD_OUT_DIR = ROOT / "tests" / "evidence" / "suggest_held_out"
# The second to seventh held-out sets, each written once the one before had been seen.
HELD_OUT_DIRS = (
    HELD_OUT_DIR,
    HELD_OUT_DIR.with_name("suggest_held_out_2"),
    HELD_OUT_DIR.with_name("suggest_held_out_3"),
    HELD_OUT_DIR.with_name("suggest_held_out_4"),
    HELD_OUT_DIR.with_name("suggest_held_out_5"),
    HELD_OUT_DIR.with_name("suggest_held_out_6"),
    HELD_OUT_DIR.with_name("suggest_held_out_7"),
)
# Texts of the seed set from this id on were written after the first engine was tuned.
HELD_OUT_FIRST_ID = 113
UNIT_ORDER = ("VTCT", "PEARSON", "CG", "SFJ", "BIIAB")
DECISIONS = (50, 200)
ROUNDS = 5
TRAIN_SHARE = 0.8


@dataclass(frozen=True)
class BenchUnit:
    criteria: list[CriterionText]
    guidance: str


def load_units(folder: Path = CRITERIA_DIR) -> dict[str, BenchUnit]:
    """The folder's units by awarding body code (when only one unit has it), unit code and
    BODY:UNIT, each with its criteria (and their outcomes' texts) and guidance."""
    units: dict[str, BenchUnit] = {}
    bodies: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "labelled.yaml":
            continue
        data = read(path).data
        outcomes = {lo["number"]: lo["text"] for lo in data["learning_outcomes"]}
        body, code = data["awarding_body"]["code"], data["unit"]["code"]
        unit = BenchUnit(
            [
                CriterionText(
                    id=f"{code}:{c['number']}",
                    number=c["number"],
                    text=c["text"],
                    outcome=outcomes[c["outcome"]],
                )
                for c in data["criteria"]
            ],
            data.get("guidance", ""),
        )
        units[code] = units[f"{body}:{code}"] = unit
        bodies.setdefault(body, []).append(code)
    for body, codes in bodies.items():
        if len(codes) == 1:
            units[body] = units[codes[0]]
    return units


def load_labelled(path: Path = LABELLED) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def split(items: list[dict]) -> tuple[list[dict], list[dict]]:
    """The development part and the later-written part of the seed set."""
    development = [item for item in items if item["id"] < HELD_OUT_FIRST_ID]
    held_out = [item for item in items if item["id"] >= HELD_OUT_FIRST_ID]
    return development, held_out


def _figures(rows: list[tuple[list[str], set[str]]]) -> dict:
    pairs = len(rows)
    right_total = sum(len(right) for _ranked, right in rows)
    hits = top1 = found = 0
    reciprocal = 0.0
    for ranked, right in rows:
        top3 = ranked[:3]
        hits += any(number in right for number in top3)
        top1 += bool(ranked) and ranked[0] in right
        found += sum(number in right for number in top3)
        rank = next((i for i, number in enumerate(ranked, 1) if number in right), None)
        reciprocal += 1 / rank if rank else 0.0
    return {
        "pairs": pairs,
        "top3_hit_rate": hits / pairs if pairs else 0.0,
        "top1_accuracy": top1 / pairs if pairs else 0.0,
        "recall_at_3": found / right_total if right_total else 0.0,
        "mrr": reciprocal / pairs if pairs else 0.0,
    }


Ranker = Callable[[str, BenchUnit], list[str]]


def suggested_numbers(text: str, unit: BenchUnit) -> list[str]:
    """The ranking from the words alone, as a page shows it before the worker reads the text."""
    return [s.number for s in suggest_criteria(text, unit.criteria, guidance=unit.guidance)]


def _meaning(text: str, unit: BenchUnit) -> list:
    from portfolio.evidence.sentence_meaning import read

    return read(text, tuple(criterion.text for criterion in unit.criteria))


def read_numbers(text: str, unit: BenchUnit) -> list[str]:
    """The ranking once the job worker has read the text with the sentence model."""
    return [
        s.number
        for s in suggest_criteria(
            text, unit.criteria, guidance=unit.guidance, meaning=_meaning(text, unit)
        )
    ]


def specification_order(_text: str, unit: BenchUnit) -> list[str]:
    """The baseline: every criterion, in the order the unit lists them."""
    return [criterion.number for criterion in unit.criteria]


def _pairs(items: list[dict]) -> dict[str, list[tuple[str, set[str]]]]:
    pairs: dict[str, list[tuple[str, set[str]]]] = {}
    for item in items:
        for code, right in item["labels"].items():
            if right:
                pairs.setdefault(code, []).append((item["text"], set(right)))
    return pairs


def _summary(rows: dict[str, list[tuple[list[str], set[str]]]], texts: int) -> dict:
    every_row = [row for code_rows in rows.values() for row in code_rows]
    return {
        "texts": texts,
        **_figures(every_row),
        "per_unit": {code: _figures(code_rows) for code, code_rows in rows.items() if code_rows},
    }


def evaluate(
    items: list[dict] | None = None,
    units: dict[str, BenchUnit] | None = None,
    rank: Ranker = suggested_numbers,
) -> dict:
    """The cold-start figures over every (text, unit) pair of ``items``, overall and per unit."""
    items = load_labelled() if items is None else items
    units = load_units() if units is None else units
    rows = {
        code: [(rank(text, units[code]), right) for text, right in pairs]
        for code, pairs in _pairs(items).items()
    }
    return _summary(rows, len(items))


def after_decisions(
    items: list[dict], units: dict[str, BenchUnit], decisions: int, *, read: bool = True
) -> dict:
    """The figures once each unit's model has learned from ``decisions`` decided texts (at
    most 80% of the unit's pairs), on the unit's other texts, over ROUNDS shuffles; with the
    worker's reading of each text when ``read``."""
    rows: dict[str, list[tuple[list[str], set[str]]]] = {}
    trained = []
    for code, pairs in _pairs(items).items():
        unit = units[code]
        numbers = [criterion.number for criterion in unit.criteria]
        size = min(decisions, int(len(pairs) * TRAIN_SHARE))
        for seed in range(ROUNDS):
            shuffled = random.Random(seed).sample(pairs, len(pairs))
            train, test = shuffled[:size], shuffled[size:]
            model = LearnedSuggestions.train(
                [Example(text, frozenset(right)) for text, right in train], numbers
            )
            trained.append(size)
            rows.setdefault(code, []).extend(
                (
                    [
                        s.number
                        for s in suggest_criteria(
                            text, unit.criteria, guidance=unit.guidance, learned=model,
                            meaning=_meaning(text, unit) if read else None,
                        )  # fmt: skip
                    ],
                    right,
                )
                for text, right in test
            )
    return {**_summary(rows, len(items)), "mean_decisions": sum(trained) / len(trained)}


def format_table(title: str, figures: dict) -> str:
    extra = (
        f", {figures['mean_decisions']:.0f} decisions a unit on average"
        if "mean_decisions" in figures
        else ""
    )
    lines = [
        f"{title}: {figures['texts']} texts, {figures['pairs']} (text, unit) pairs{extra}",
        f"{'unit':<16}{'pairs':>7}{'top-3 hit':>11}{'top-1':>8}{'recall@3':>10}{'MRR':>7}",
    ]
    units = sorted(figures["per_unit"].items(), key=lambda kv: _unit_rank(kv[0]))
    for code, row in [*units, ("all", figures)]:
        lines.append(
            f"{code:<16}{row['pairs']:>7}{row['top3_hit_rate']:>11.3f}"
            f"{row['top1_accuracy']:>8.3f}{row['recall_at_3']:>10.3f}{row['mrr']:>7.3f}"
        )
    return "\n".join(lines)


def _unit_rank(code: str) -> tuple[int, str]:
    return (UNIT_ORDER.index(code) if code in UNIT_ORDER else len(UNIT_ORDER), code)


def results(held_out_dirs: tuple[Path, ...] = HELD_OUT_DIRS) -> dict[str, dict | None]:
    """Every table: seed and held-out units, cold start and after simulated decisions."""
    items, units = load_labelled(), load_units()
    figures: dict[str, dict | None] = {
        "seed units, cold start": evaluate(items, units, read_numbers),
        "seed units, cold start, words alone (before the worker reads the text)": evaluate(
            items, units
        ),
        "seed units, cold start, texts written after the first engine (ids 113-162)": evaluate(
            split(items)[1], units, read_numbers
        ),
        "seed units, criteria in specification order (baseline)": evaluate(
            items, units, specification_order
        ),
    }
    for n in DECISIONS:
        figures[f"seed units, after {n} decisions"] = after_decisions(items, units, n)
    for number, folder in enumerate(held_out_dirs, 1):
        name = "held-out units" if number == 1 else f"held-out units, set {number}"
        labelled = folder / "labelled.yaml"
        if not labelled.exists():
            figures[name] = None
            continue
        held_items, held_units = load_labelled(labelled), load_units(folder)
        figures[f"{name}, cold start"] = evaluate(held_items, held_units, read_numbers)
        figures[f"{name}, cold start, words alone"] = evaluate(held_items, held_units)
        figures[f"{name}, criteria in specification order (baseline)"] = evaluate(
            held_items, held_units, specification_order
        )
        for n in DECISIONS:
            figures[f"{name}, after {n} decisions"] = after_decisions(held_items, held_units, n)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--held-out", type=Path, action="append",
                        help="a folder of held-out criteria files and labelled.yaml "
                             "(repeatable; default: every held-out set)")  # fmt: skip
    args = parser.parse_args(argv)
    figures = results(tuple(args.held_out) if args.held_out else HELD_OUT_DIRS)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    for title, table in figures.items():
        print(format_table(title, table) if table else f"{title}: none found", end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
