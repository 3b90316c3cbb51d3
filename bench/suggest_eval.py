"""How well the criteria suggestions rank the right criteria on the labelled evidence set.

For every (text, unit) pair of tests/evidence/suggest_set/labelled.yaml the unit's criteria
are read from criteria/*.yaml (found by awarding body code), ranked for the text, and scored:

- top-3 hit rate: share of pairs with at least one right criterion in the first three;
- top-1 accuracy: share of pairs whose first suggestion is right;
- recall@3: share of all right criteria that appear in the first three;
- MRR: mean of 1 / rank of the first right criterion (0 when none is suggested).

Run: .venv/bin/python bench/suggest_eval.py  (--json for the figures as JSON)
"""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from portfolio.evidence.suggest import CriterionText, suggest_criteria
from portfolio.units.criteria_file import read

ROOT = Path(__file__).resolve().parent.parent
CRITERIA_DIR = ROOT / "criteria"
LABELLED = ROOT / "tests" / "evidence" / "suggest_set" / "labelled.yaml"
# Texts from this id on were written after the engine was tuned: the held-out part.
HELD_OUT_FIRST_ID = 113
UNIT_ORDER = ("VTCT", "PEARSON", "CG", "SFJ", "BIIAB")


def load_units(folder: Path = CRITERIA_DIR) -> dict[str, list[CriterionText]]:
    """Each awarding body's criteria, with their learning outcomes' texts, by body code."""
    units = {}
    for path in sorted(folder.glob("*.yaml")):
        data = read(path).data
        outcomes = {lo["number"]: lo["text"] for lo in data["learning_outcomes"]}
        units[data["awarding_body"]["code"]] = [
            CriterionText(
                id=f"{data['unit']['code']}:{c['number']}",
                number=c["number"],
                text=c["text"],
                outcome=outcomes[c["outcome"]],
            )
            for c in data["criteria"]
        ]
    return units


def load_labelled(path: Path = LABELLED) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def split(items: list[dict]) -> tuple[list[dict], list[dict]]:
    """The development part and the held-out part of the labelled set."""
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


Ranker = Callable[[str, list[CriterionText]], list[str]]


def suggested_numbers(text: str, criteria: list[CriterionText]) -> list[str]:
    return [suggestion.number for suggestion in suggest_criteria(text, criteria)]


def specification_order(_text: str, criteria: list[CriterionText]) -> list[str]:
    """The baseline: every criterion, in the order the unit lists them."""
    return [criterion.number for criterion in criteria]


def evaluate(
    items: list[dict] | None = None,
    units: dict[str, list[CriterionText]] | None = None,
    rank: Ranker = suggested_numbers,
) -> dict:
    """The figures over every (text, unit) pair of ``items``, overall and per unit."""
    items = load_labelled() if items is None else items
    units = load_units() if units is None else units
    rows: dict[str, list[tuple[list[str], set[str]]]] = {code: [] for code in units}
    for item in items:
        for code, right in item["labels"].items():
            if right:
                rows[code].append((rank(item["text"], units[code]), set(right)))
    every_row = [row for code_rows in rows.values() for row in code_rows]
    return {
        "texts": len(items),
        **_figures(every_row),
        "per_unit": {code: _figures(code_rows) for code, code_rows in rows.items() if code_rows},
    }


def format_table(title: str, figures: dict) -> str:
    lines = [
        f"{title}: {figures['texts']} texts, {figures['pairs']} (text, unit) pairs",
        f"{'unit':<10}{'pairs':>7}{'top-3 hit':>11}{'top-1':>8}{'recall@3':>10}{'MRR':>7}",
    ]
    units = sorted(figures["per_unit"].items(), key=lambda kv: _unit_rank(kv[0]))
    for code, row in [*units, ("all", figures)]:
        lines.append(
            f"{code:<10}{row['pairs']:>7}{row['top3_hit_rate']:>11.3f}"
            f"{row['top1_accuracy']:>8.3f}{row['recall_at_3']:>10.3f}{row['mrr']:>7.3f}"
        )
    return "\n".join(lines)


def _unit_rank(code: str) -> tuple[int, str]:
    return (UNIT_ORDER.index(code) if code in UNIT_ORDER else len(UNIT_ORDER), code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    items = load_labelled()
    units = load_units()
    development, held_out = split(items)
    results = {
        "all": evaluate(items, units),
        "development": evaluate(development, units),
        "held-out": evaluate(held_out, units) if held_out else None,
        "baseline (criteria in specification order), all": evaluate(
            items, units, specification_order
        ),
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for title, figures in results.items():
        if figures:
            print(format_table(title, figures), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
