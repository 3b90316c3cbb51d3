"""How long the worst texts a form accepts take to become HTML.

Each family of hostile input (runs of "[", nested lists, wide tables ...) is tried in a few
variants, each repeated up to the length limits of the Markdown fields: 20,000 characters
(most evidence fields and assessor feedback) and 50,000 (call notes, a discussion's
questions and answers). ``render_markdown`` is timed whole, Markdown and the nh3 sanitiser,
in this process's CPU time (the best of ``--repeat`` runs, so that other work on the machine
disturbs the figures less). For each family the table gives its worst variant, the time at
each limit and their ratio: about 2.5 when the time grows with the length, 6.25 when it
grows with its square.

Then a small random search: ``--samples`` short units of Markdown punctuation (one to eight
characters, from a fixed seed) are each repeated to 5,000 characters and timed; the five
slowest are timed again at 50,000.

Last, the most one request can render: a STAR account's five parts of 20,000 characters
each, every part the worst family found.

    .venv/bin/python bench/markdown_worst.py [--repeat 3] [--samples 300] [--seed 1]
"""

import argparse
import os
import random
import time
from collections.abc import Callable

from portfolio.text import MARKDOWN_LIMIT, render_markdown

LIMITS = (20_000, MARKDOWN_LIMIT)


def repeated(unit: str, tail: str = "") -> Callable[[int], str]:
    """``unit`` over and over, then ``tail``: exactly ``n`` characters."""

    def make(n: int) -> str:
        body = n - len(tail)
        return (unit * (body // len(unit) + 1))[:body] + tail

    return make


def table(columns: int) -> Callable[[int], str]:
    """A header and delimiter row of ``columns`` cells, then body rows to the length."""

    def make(n: int) -> str:
        head = "|" + "a|" * columns + "\n|" + "-|" * columns + "\n"
        row = "|" + "1|" * columns + "\n"
        return (head + row * (n // len(row) + 1))[:n]

    return make


FAMILIES: dict[str, list[tuple[str, Callable[[int], str]]]] = {
    "[": [("[", repeated("["))],
    "![": [("![", repeated("!["))],
    "[a](": [("[a](", repeated("[a](")), ("[a](b", repeated("[a](b"))],
    "](": [("](", repeated("](")), ("[](", repeated("[](")), ("[a][", repeated("[a]["))],
    "<": [("<", repeated("<")), ("<<>", repeated("<<>"))],
    "<a ": [
        ("<a ", repeated("<a ")),
        ("<a href='", repeated("<a href='")),
        ("</a", repeated("</a")),
        ("<a\\n", repeated("<a\n")),
    ],
    "<!-- and friends": [
        ("<!--", repeated("<!--")),
        ("<![CDATA[", repeated("<![CDATA[")),
        ("<?", repeated("<?")),
    ],
    "*": [
        ("*", repeated("*")),
        ("*a", repeated("*a")),
        ("a*", repeated("a*")),
        ("*a*", repeated("*a*")),
    ],
    "_": [
        ("_", repeated("_")),
        ("_a", repeated("_a")),
        ("a_", repeated("a_")),
        ("_a_", repeated("_a_")),
    ],
    "**a": [("**a", repeated("**a")), ("***a", repeated("***a")), ("**a*", repeated("**a*"))],
    "`": [("`", repeated("`")), ("``a", repeated("``a")), ("`a", repeated("`a"))],
    "> nesting": [
        ("> ", repeated("> ")),
        ("> ... x", repeated("> ", "x")),
        (">", repeated(">")),
    ],
    "- nesting": [
        ("- ", repeated("- ")),
        ("- ... x", repeated("- ", "x")),
        ("- > ", repeated("- > ")),
    ],
    "1. nesting": [
        ("1. ", repeated("1. ")),
        ("1. ... x", repeated("1. ", "x")),
        ("1) ", repeated("1) ")),
    ],
    "| table": [
        ("| alone", repeated("|")),
        ("1,000 columns", table(1000)),
        ("2 columns, many rows", table(2)),
    ],
    "&#": [
        ("&#", repeated("&#")),
        ("&#1", repeated("&#1")),
        ("&#x", repeated("&#x")),
        ("&", repeated("&")),
    ],
    "\\": [("\\", repeated("\\")), ("\\[", repeated("\\[")), ("\\\\n", repeated("\\\n"))],
    "long line": [
        ("a", repeated("a")),
        ("a ", repeated("a ")),
        ("http://", repeated("http://")),
    ],
    "many short lines": [
        ("a\\n", repeated("a\n")),
        ("\\n", repeated("\n")),
        ("[a\\n", repeated("[a\n")),
        ("[a]: b\\n", repeated("[a]: b\n")),
    ],
}

PUNCTUATION = "[]()!<>*_`|&#\\-+.:;=\"' \n1a"


def cell(text: str) -> str:
    """``text`` as code in a Markdown table's cell."""
    return "`` " + text.replace("|", "\\|") + " ``"


def cpu_ms(text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        render_markdown(text)
        best = min(best, time.process_time() - started)
    return best * 1000


def worst_of(variants, repeat: int) -> tuple[str, list[float]]:
    """The variant slowest at the longest limit, with its time at each limit."""
    timed = []
    for name, make in variants:
        times = [cpu_ms(make(n), repeat) for n in LIMITS]
        timed.append((times[-1], name, times))
    _, name, times = max(timed)
    return name, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"CPU time of render_markdown, best of {args.repeat}; load {load:.1f}, {os.cpu_count()} cores"
    )
    limits = " | ".join(f"ms at {n:,}" for n in LIMITS)
    print(f"\n| input | worst variant | {limits} | ratio |\n|---|---|---|---|---|")
    worst = (0.0, "")
    for family, variants in FAMILIES.items():
        name, times = worst_of(variants, args.repeat)
        shown = " | ".join(f"{t:,.0f}" for t in times)
        ratio = times[-1] / times[0]
        print(f"| {cell(family)} | {cell(name)} | {shown} | {ratio:.1f} |", flush=True)
        worst = max(worst, (times[0], family))

    rng = random.Random(args.seed)
    units = ["".join(rng.choices(PUNCTUATION, k=rng.randint(1, 8))) for _ in range(args.samples)]
    slowest = sorted(((cpu_ms(repeated(u)(5_000), 1), u) for u in units), reverse=True)[:5]
    longest = LIMITS[-1]
    print(f"\nRandom search: the 5 slowest of {args.samples} units at 5,000 characters\n")
    print(f"| unit | ms at 5,000 | ms at {longest:,} |\n|---|---|---|")
    for ms, unit in slowest:
        at_limit = cpu_ms(repeated(unit)(longest), args.repeat)
        print(f"| {cell(repr(unit))} | {ms:,.0f} | {at_limit:,.0f} |", flush=True)

    # The slowest family's slowest variant at 20,000 characters, in each of the five parts.
    _, family = worst
    name, _ = worst_of(FAMILIES[family], 1)
    parts = [dict(FAMILIES[family])[name](20_000) for _ in range(5)]
    started = time.process_time()
    for part in parts:
        render_markdown(part)
    ms = (time.process_time() - started) * 1000
    print(
        f"\nA STAR account of five parts of 20,000 characters, each {name!r} repeated: {ms:,.0f} ms"
    )


if __name__ == "__main__":
    main()
